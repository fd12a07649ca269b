"""A field shown only under a condition (``show_if``) that is required once shown carries the
same "*" as a required field (WCAG 3.3.2), and tells procedures/static/procedures/schema-form.js
to set aria-required while it is shown; the server still only requires it when shown."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.template.loader import render_to_string

from procedures.forms_builder import REQUIRED_MESSAGE, build_form
from procedures.models import RequiredDocument
from tests.factories import ProvinceFactory, WardFactory

from .factories import make_version

pytestmark = pytest.mark.django_db

SHOWN_IF_FATHER = {"field": "co_cha", "equals": True}
MARKER = '<span class="req">*</span>'

SCHEMA = {
    "fields": [
        {"name": "co_cha", "kind": "yes_no", "label": "Có thông tin cha", "required": True},
        {
            "name": "ten_cha",
            "kind": "text",
            "label": "Tên cha",
            "label_en": "Father's name",
            "required": True,
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "ghi_chu_cha",
            "kind": "text",
            "label": "Ghi chú về cha",
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "cha_gioi_tinh",
            "kind": "choice",
            "label": "Giới tính khai",
            "widget": "radio",
            "required": True,
            "choices": [{"value": "nam", "label": "Nam"}, {"value": "khac", "label": "Khác"}],
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "cha_ngon_ngu",
            "kind": "choice",
            "label": "Ngôn ngữ",
            "multiple": True,
            "required": True,
            "choices": [
                {"value": "vi", "label": "Tiếng Việt"},
                {"value": "en", "label": "English"},
            ],
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "cha_dia_chi",
            "kind": "address",
            "label": "Nơi cư trú của cha",
            "required": True,
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "tep_cha",
            "kind": "document",
            "document": "giay_cha",
            "show_if": SHOWN_IF_FATHER,
        },
        {
            "name": "con",
            "kind": "group",
            "label": "Con",
            "min_items": 0,
            "max_items": 2,
            "fields": [
                {"name": "co_ten", "kind": "yes_no", "label": "Đã có tên"},
                {
                    "name": "ten",
                    "kind": "text",
                    "label": "Tên con",
                    "required": True,
                    "show_if": {"field": "co_ten", "equals": True},
                },
            ],
        },
    ]
}


@pytest.fixture
def documents():
    city = ProvinceFactory()
    WardFactory(parent=city, code="26740", name="Phường Sài Gòn")
    version = make_version(status="draft", documents=())
    doc = RequiredDocument.objects.create(
        version=version, key="giay_cha", name="Giấy tờ của cha", file_types=["pdf"]
    )
    return [doc]


def rendered(form) -> str:
    return render_to_string("procedures/_schema_form.html", {"form": form})


def caption(page: str, text: str) -> str:
    """The inner HTML of the <label> or <legend> whose text starts with ``text``, without the
    markup of its English gloss (portal/templatetags/gloss.py)."""
    gloss = re.compile(r'<span class="en" lang="en">(.*?)</span>', re.S)
    for match in re.finditer(r"<(label|legend)\b[^>]*>(.*?)</\1>", page, re.S):
        inner = html.unescape(gloss.sub(r"\1", match.group(2)))
        if inner.startswith(text):
            return inner
    raise AssertionError(f"no label or legend {text!r} in the page")


def client_rule(bound_field) -> dict:
    match = re.search(r'data-show-if="([^"]*)"', str(bound_field))
    assert match, f"no data-show-if on {bound_field.name}"
    return json.loads(html.unescape(match.group(1)))


def test_a_field_required_when_shown_has_the_required_marker_in_its_label(documents):
    form = build_form(SCHEMA, documents=documents)
    page = rendered(form)
    assert caption(page, "Tên cha (Father's name)") == f"Tên cha (Father's name) {MARKER}"
    # Radio buttons and check boxes: the marker is in the legend of their fieldset.
    assert caption(page, "Giới tính khai").endswith(MARKER)
    assert caption(page, "Ngôn ngữ").endswith(MARKER)
    # Every part of a conditional address, as for an address that is always required.
    for part in ("Tỉnh/Thành phố", "Phường/Xã/Đặc khu", "Số nhà, đường, tổ/ấp"):
        assert caption(page, part).endswith(MARKER), part
    # A document slot follows its document's "required".
    assert caption(page, "Giấy tờ của cha").endswith(MARKER)
    # Inside a repeated group too.
    assert caption(page, "Tên con").endswith(MARKER)


def test_a_conditional_field_that_is_optional_once_shown_has_no_marker(documents):
    documents[0].required = False
    form = build_form(SCHEMA, documents=documents)
    page = rendered(form)
    assert MARKER not in caption(page, "Ghi chú về cha")
    assert MARKER not in caption(page, "Giấy tờ của cha")
    assert "required" not in client_rule(form["ghi_chu_cha"])
    assert "required" not in client_rule(form["tep_cha"])


def test_the_script_is_told_to_set_aria_required_while_shown_but_the_html_does_not_require_it(
    documents,
):
    form = build_form(SCHEMA, documents=documents)
    for name in ("ten_cha", "cha_gioi_tinh", "cha_dia_chi__ward", "tep_cha"):
        assert client_rule(form[name]) == {"field": "co_cha", "values": ["yes"], "required": True}
        # Hidden until the condition holds: neither "required" nor aria-required in the HTML.
        html_of_field = str(form[name])
        assert not re.search(r"\srequired\b", html_of_field), name
        assert "aria-required" not in html_of_field, name
    # One box of a multiple choice is not itself required; its legend's "*" says the group is.
    assert "required" not in client_rule(form["cha_ngon_ngu"])
    row = form.groups["con"].forms[0]
    assert client_rule(row["ten"]) == {"field": "con-0-co_ten", "values": ["yes"], "required": True}


def test_the_server_still_requires_the_field_only_when_shown(documents):
    data = {"co_cha": "yes", "ten_cha": "", "con-TOTAL_FORMS": "0", "con-INITIAL_FORMS": "0"}
    form = build_form(SCHEMA, documents=documents, data=data)
    assert form.fields["ten_cha"].required is False  # not required by Django: it may be hidden
    assert not form.is_valid()
    assert form.errors["ten_cha"] == [REQUIRED_MESSAGE]

    data["co_cha"] = "no"
    form = build_form(SCHEMA, documents=documents, data=data)
    assert form.is_valid(), form.errors
    assert "ten_cha" not in form.answers()


def test_a_conditional_address_once_shown_needs_every_part_as_a_required_one_does(documents):
    """Each part carries the "*": the server asks for each part, not for any one of them."""
    data = {
        "co_cha": "yes",
        "ten_cha": "Nguyễn Văn Cha",
        "cha_gioi_tinh": "nam",
        "cha_ngon_ngu": ["vi"],
        "cha_dia_chi__street": "12 Lê Lợi",
        "con-TOTAL_FORMS": "0",
        "con-INITIAL_FORMS": "0",
    }
    form = build_form(SCHEMA, documents=documents, data=data)
    assert not form.is_valid()
    parts = [k for k in form.fields if k.startswith("cha_dia_chi__")]
    missing = {k for k in parts if k != "cha_dia_chi__street"}
    assert missing and missing <= set(form.errors)
    assert all(form.errors[k] == [REQUIRED_MESSAGE] for k in missing)
    assert "cha_dia_chi__street" not in form.errors
