"""In the browser: the father's details of a birth registration (shown when "Khai thông tin người
cha" is answered yes) are required once shown. Their labels carry the "*" of required fields,
and procedures/static/procedures/schema-form.js sets aria-required="true" on them while they are
shown and removes it when they are hidden again (WCAG 3.3.2)."""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_filing import expect_step, open_filing
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.e2e

FATHER_FIELDS = ("cha_ho_ten", "cha_cccd")  # procedures/demo.py, CHILD


@pytest.fixture
def catalog(live_server):
    """A ward and the demo catalog, with its birth registration (as in test_filing.py)."""
    from procedures.demo import seed_procedures

    AgencyFactory()
    seed_procedures()


@pytest.fixture
def citizen(live_server):
    return UserFactory(
        roles=["citizen"],
        email="lan@example.vn",
        full_name="Nguyễn Thị Lan",
        citizen_id="079190123456",
        date_of_birth=datetime.date(1990, 5, 17),
        phone="0912345678",
        address="12 Lê Lợi, Phường Sài Gòn",
    )


def test_the_fathers_fields_are_aria_required_only_while_shown(
    live_server, page, assert_accessible, catalog, citizen
):
    open_filing(page, live_server, citizen.email)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    expect_step(page, 1, "Người nộp hồ sơ")
    page.get_by_role("button", name="Tiếp tục").click()
    expect_step(page, 2, "Thông tin hồ sơ")

    question = page.get_by_role("group", name=re.compile("Khai thông tin người cha"))
    fields = [page.locator(f"#id_{name}") for name in FATHER_FIELDS]
    # Not answered yet: hidden, and not announced as required.
    for field in fields:
        expect(field).to_be_hidden()
        expect(field).not_to_have_attribute("aria-required", re.compile(".*"))

    question.get_by_label("Có (Yes)", exact=True).check()
    for field in fields:
        expect(field).to_be_visible()
        expect(field).to_have_attribute("aria-required", "true")
    # Their labels carry the same "*" as the fields that are always required.
    for label in ("Họ, chữ đệm và tên người cha", "Số định danh cá nhân của người cha"):
        caption = page.locator("label", has_text=label)
        expect(caption.locator(".req")).to_have_text("*")
        expect(page.get_by_label(label)).to_have_attribute("aria-required", "true")
    assert_accessible(page)

    question.get_by_label("Không (No)", exact=True).check()
    for field in fields:
        expect(field).to_be_hidden()
        expect(field).not_to_have_attribute("aria-required", re.compile(".*"))

    question.get_by_label("Có (Yes)", exact=True).check()
    for field in fields:
        expect(field).to_have_attribute("aria-required", "true")
