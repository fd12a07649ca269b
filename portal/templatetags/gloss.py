"""``{{ text|gloss }}``: the English gloss of a bilingual string, marked as English.

Labels and messages written in Python are one string, Vietnamese with its English gloss:
"Họ và tên (Full name)". On a Vietnamese page the gloss is English inside Vietnamese text, which a
screen reader pronounces as English only when it is marked (WCAG 2.1 SC 3.1.2): this filter
writes it as the templates' own glosses are, ``<span class="en" lang="en">(Full name)</span>``.
English pages get these strings in English alone (their translation), and are left as they are,
and so is text already marked up (safe strings) or whose last parenthesis is not English (ASCII
letters, no Vietnamese letter).
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeData
from django.utils.translation import get_language

register = template.Library()

_BILINGUAL = re.compile(r"(?P<vi>.*\S)\s+\((?P<en>[^()]*[A-Za-z][^()]*)\)(?P<end>[.:;!?]?)", re.S)


@register.filter
def gloss(value):
    if value is None or isinstance(value, SafeData) or get_language() == "en":
        return value
    text = str(value)
    match = _BILINGUAL.fullmatch(text.strip())
    if match is None or not match["en"].isascii():
        return value
    return format_html(
        '{} <span class="en" lang="en">({}){}</span>', match["vi"], match["en"], match["end"]
    )
