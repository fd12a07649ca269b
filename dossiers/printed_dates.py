"""``{{ value|thang }}``: the month of a date as Vietnamese administrative documents write it.

Decree 30/2020/NĐ-CP (Phụ lục I) writes days below 10 and the months January and February with a
leading zero, other months without: "ngày 05 tháng 02 năm 2026", "ngày 15 tháng 3 năm 2026". Days
are Django's ``date:"d"``; months need this filter. A builtin of the Django template engine
(``TEMPLATES``), so the printed templates (``templates/pdf/``) use it without ``{% load %}``.
Like ``date``, an aware datetime is shown in the current time zone.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

register = template.Library()


@register.filter(expects_localtime=True)
def thang(value) -> str:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # also when called from Python
    month = date_filter(value, "n")
    if not month:
        return ""
    return month.zfill(2) if int(month) < 3 else month
