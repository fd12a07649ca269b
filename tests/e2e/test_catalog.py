"""In the browser: a citizen searches the catalog without accents (live results with htmx, and
the same with JavaScript off), opens the procedure and reads its fee and documents. Both pages
pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from procedures.models import RequiredDocument
from tests.factories import AgencyFactory
from tests.procedures.factories import ProcedureFactory, make_version

pytestmark = pytest.mark.e2e

ONLINE_WAIVER = {"condition": "online", "percent": 100, "description": "Miễn khi nộp trực tuyến"}


@pytest.fixture
def catalog(transactional_db):
    ward = AgencyFactory(name="Ủy ban nhân dân Phường Sài Gòn")
    birth = make_version(
        procedure=ProcedureFactory(
            code="1.001193",
            name="Đăng ký khai sinh",
            agencies=[ward],
            steps="Nộp tờ khai trực tuyến\nNhận giấy khai sinh bản điện tử",
            is_sample=True,
        ),
        status="draft",
        documents=(),
        fee_kind="fixed",
        fee_amount=15000,
        processing_days=1,
        waivers=[ONLINE_WAIVER],
    )
    RequiredDocument.objects.create(
        version=birth, key="cccd", name="Giấy chứng sinh", form="original", position=1
    )
    RequiredDocument.objects.create(
        version=birth,
        key="kh",
        name="Giấy chứng nhận kết hôn của cha mẹ",
        required=False,
        form="copy",
        position=2,
    )
    birth.status, birth.published_at = "published", birth.created_at
    birth.save(update_fields=["status", "published_at"])
    for code, name in [("1.000894", "Đăng ký kết hôn"), ("1.000656", "Đăng ký khai tử")]:
        make_version(procedure=ProcedureFactory(code=code, name=name, agencies=[ward]))
    return birth


def test_a_citizen_searches_without_accents_and_reads_fee_and_documents(
    live_server, page, catalog, assert_accessible
):
    page.goto(f"{live_server.url}/procedures/")
    expect(page.get_by_role("heading", level=2, name=re.compile("3 thủ tục"))).to_be_visible()
    assert_accessible(page)

    # Live results (htmx) while typing, without pressing Enter.
    page.get_by_label("Tìm thủ tục (Search)").press_sequentially("dang ky khai sinh", delay=20)
    expect(page.get_by_role("heading", level=2, name=re.compile("^1 thủ tục"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=dang(\+|%20)ky(\+|%20)khai(\+|%20)sinh"))
    results = page.locator("#catalog-results")
    expect(results.get_by_role("link", name="Đăng ký khai sinh")).to_be_visible()
    expect(results.get_by_role("link", name="Đăng ký kết hôn")).to_have_count(0)

    results.get_by_role("link", name="Đăng ký khai sinh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.locator("#fee")).to_contain_text("15.000 đồng")
    expect(page.locator("#fee")).to_contain_text("miễn phí (free when filed online)")
    documents = page.get_by_role("table")
    expect(documents.get_by_role("cell", name="Giấy chứng sinh", exact=True)).to_be_visible()
    expect(documents).to_contain_text("Giấy chứng nhận kết hôn của cha mẹ")
    expect(documents).to_contain_text("Nếu có (optional)")
    expect(page.get_by_text("1 ngày làm việc (working days)")).to_be_visible()
    expect(page.get_by_role("link", name="Nộp hồ sơ trực tuyến")).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("Dữ liệu mẫu")
    assert_accessible(page)


def test_the_search_works_with_javascript_off(live_server, browser, catalog):
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/procedures/")
        page.get_by_label("Tìm thủ tục (Search)").fill("Đăng ký KHAI tử")
        page.get_by_label("Lĩnh vực (Field)").select_option("civil_status")
        page.get_by_role("button", name="Tìm kiếm (Search)").click()
        expect(page).to_have_url(re.compile(r"/procedures/\?q=.*&field=civil_status"))
        expect(page.get_by_role("heading", level=2, name=re.compile("^1 thủ tục"))).to_be_visible()
        expect(page.get_by_role("link", name="Đăng ký khai tử")).to_be_visible()
    finally:
        context.close()


def test_a_form_with_errors_opens_on_its_summary(live_server, page, assert_accessible):
    """The look-up form sent empty: focus is on the error summary, whose links go to the fields."""
    page.goto(f"{live_server.url}/lookup/")
    page.get_by_role("button", name="Tra cứu").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Vui lòng sửa các lỗi")
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_code")).to_be_focused()


def test_switching_to_english_hides_the_glosses_and_keeps_vietnamese_names_marked(
    live_server, page, catalog, assert_accessible
):
    """English pages do not repeat their English in brackets ("Back (Back)"); the catalog's
    names stay in Vietnamese under lang="vi". Back in Vietnamese, the glosses are there."""
    page.goto(f"{live_server.url}/procedures/1.001193/")
    gloss = page.locator("p.sample-note .en")
    expect(gloss).to_be_visible()
    expect(gloss).to_have_attribute("lang", "en")

    page.locator('.lang-switch button[value="en"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("p.sample-note")).to_contain_text("Sample data")
    expect(gloss).to_be_hidden()
    assert page.locator(".en").evaluate_all("els => els.filter(e => e.offsetParent).length") == 0
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Đăng ký khai sinh")
    expect(heading).to_have_attribute("lang", "vi")
    assert_accessible(page)

    page.locator('.lang-switch button[value="vi"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(gloss).to_be_visible()


@pytest.mark.parametrize("path", ["/procedures/", "/procedures/1.001193/"])
def test_catalog_pages_reflow_on_a_phone(live_server, page, catalog, assert_accessible, path):
    """At 375px (and 320px, WCAG 1.4.10) the page does not scroll sideways: the documents table
    scrolls inside its own region, which a keyboard can reach."""
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
