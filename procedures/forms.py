"""The catalog's filter form (a GET form: every filter is a real URL)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from procedures.models import AgencyLevel, Field, OnlineLevel
from procedures.selectors import FeeFilter

ANY = [("", _("Tất cả (All)"))]


class CatalogFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Tìm thủ tục (Search)"),
        required=False,
        max_length=200,
        help_text=_(
            "Tên hoặc mã thủ tục, gõ có dấu hay không dấu đều được "
            "(name or code, with or without accents)."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    field = forms.ChoiceField(
        label=_("Lĩnh vực (Field)"), required=False, choices=ANY + Field.choices
    )
    agency_level = forms.ChoiceField(
        label=_("Cấp thực hiện (Agency level)"), required=False, choices=ANY + AgencyLevel.choices
    )
    online_level = forms.ChoiceField(
        label=_("Mức độ trực tuyến (Online level)"),
        required=False,
        choices=ANY + OnlineLevel.choices,
    )
    fee = forms.ChoiceField(
        label=_("Phí, lệ phí (Fee)"), required=False, choices=ANY + FeeFilter.CHOICES
    )
