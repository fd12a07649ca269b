"""{{ text|gloss }} (portal/templatetags/gloss.py): the English gloss of a bilingual string from
Python is marked lang="en" on Vietnamese pages (WCAG 2.1 SC 3.1.2)."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.safestring import mark_safe

RENDER = Template("{% load gloss %}{{ text|gloss }}")


def render(text) -> str:
    return RENDER.render(Context({"text": text}))


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Họ và tên (Full name)", 'Họ và tên <span class="en" lang="en">(Full name)</span>'),
        (
            "Vui lòng ghi rõ lý do (a reason is required).",
            'Vui lòng ghi rõ lý do <span class="en" lang="en">(a reason is required).</span>',
        ),
        (  # escaped, inside and out
            "Tên <cha> (Father's <name>)",
            'Tên &lt;cha&gt; <span class="en" lang="en">(Father&#x27;s &lt;name&gt;)</span>',
        ),
        ("Bản sao (bản chụp)", "Bản sao (bản chụp)"),  # Vietnamese in the parenthesis
        ("Mẫu 01", "Mẫu 01"),  # no gloss
        ("(Full name)", "(Full name)"),  # nothing before it
    ],
)
def test_a_vietnamese_page_marks_the_english_gloss(text, html):
    assert render(text) == html


def test_an_english_page_and_marked_up_text_are_left_as_they_are():
    with translation.override("en"):
        assert render("Address (optional)") == "Address (optional)"
    safe = mark_safe('Xem <a href="/x">đây</a> (see here)')
    assert render(safe) == str(safe)


def test_a_radio_options_gloss_is_marked_too():
    """Widgets render through the project's templates (FORM_RENDERER): a radio option's label
    carries its gloss as English; in English pages it is left as it is."""
    from django import forms

    class Delivery(forms.Form):
        how = forms.ChoiceField(
            choices=[("online", "Nhận trực tuyến (Online download)")], widget=forms.RadioSelect
        )

    html = str(Delivery()["how"])
    assert 'Nhận trực tuyến <span class="en" lang="en">(Online download)</span></label>' in html
    with translation.override("en"):
        assert "Nhận trực tuyến (Online download)</label>" in str(Delivery()["how"])
