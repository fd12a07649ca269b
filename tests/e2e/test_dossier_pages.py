"""In the browser: a citizen follows a dossier filed through the workflow — "Hồ sơ của tôi", the
dossier page and its timeline, the acknowledgement download — and withdraws another dossier
with a reason; then looks a dossier up by code. No serious or critical axe violations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dossiers import workflow
from dossiers.models import Dossier, DossierStatus
from tests.dossiers.conftest import Personas
from tests.factories import PASSWORD, AgencyFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def filed(live_server, settings, tmp_path):
    """Two dossiers submitted through the workflow (the acknowledgement is rendered by the
    eager task on commit); the first one is received by reception."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    people = Personas(AgencyFactory(), AgencyFactory())
    data = {
        "full_name": "Nguyễn Thị Lan",
        "phone": "0903123456",
        "email": people.applicant.email,
        "citizen_id": "079190123456",
    }
    first = people.dossier(DossierStatus.DRAFT, applicant_data=data)
    people.document(first, name="giấy-chứng-sinh.pdf")
    workflow.dossier_submit(dossier=first, actor=people.applicant)
    workflow.dossier_receive(dossier=first, actor=people.reception, note="Hồ sơ đầy đủ, hợp lệ")
    second = people.dossier(DossierStatus.DRAFT, applicant_data=data)
    workflow.dossier_submit(dossier=second, actor=people.applicant)
    first.refresh_from_db()
    second.refresh_from_db()
    assert set(first.outputs.values_list("kind", flat=True)) == {"acknowledgement", "receipt_01"}
    return people, first, second


def log_in(page, base_url, email):
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Địa chỉ e-mail").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_a_citizen_follows_downloads_and_withdraws(live_server, page, assert_accessible, filed):
    people, first, second = filed
    log_in(page, live_server.url, people.applicant.email)

    page.goto(live_server.url + "/my/dossiers/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hồ sơ của tôi")
    rows = page.locator("#dossier-rows tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(second.code)  # newest first
    expect(rows.nth(1)).to_contain_text("Đã tiếp nhận")
    assert_accessible(page)

    page.get_by_role("link", name=first.code).click()
    expect(page).to_have_url(re.compile(rf"/dossiers/{first.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.code)
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Nộp hồ sơ")
    expect(timeline).to_contain_text("Tiếp nhận hồ sơ")
    expect(timeline).to_contain_text("Hồ sơ đầy đủ, hợp lệ")
    expect(timeline).to_contain_text("Cán bộ một cửa")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Giấy xác nhận nộp hồ sơ trực tuyến")).click()
    download = info.value
    assert download.suggested_filename == f"giay-xac-nhan-nop-ho-so-{first.code}.pdf"
    assert Path(download.path()).read_bytes().startswith(b"%PDF")

    page.goto(live_server.url + "/my/dossiers/")
    page.get_by_role("link", name=second.code).click()
    page.get_by_role("link", name="Rút hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rút hồ sơ")
    assert_accessible(page)
    page.get_by_role("button", name="Xác nhận rút hồ sơ").click()
    reason = page.get_by_label("Lý do rút hồ sơ")
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    reason.fill("Đã nộp nhầm thủ tục")
    page.get_by_role("button", name="Xác nhận rút hồ sơ").click()

    expect(page).to_have_url(re.compile(rf"/dossiers/{second.public_id}/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã rút hồ sơ")
    expect(page.locator(".timeline")).to_contain_text("Đã nộp nhầm thủ tục")
    second.refresh_from_db()
    assert second.status == DossierStatus.WITHDRAWN


def test_anyone_looks_a_dossier_up_by_code(live_server, page, assert_accessible, filed):
    _people, first, _second = filed
    page.goto(live_server.url + f"/lookup/?code={first.code}")
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(first.code)
    assert_accessible(page)
    page.get_by_label(re.compile("4 số cuối")).fill("3456")
    page.get_by_role("button", name="Tra cứu").click()
    result = page.get_by_role("status")
    expect(result).to_contain_text("Đã tiếp nhận")
    expect(result).to_contain_text(first.agency.name)
    expect(page.get_by_role("main")).not_to_contain_text("Nguyễn Thị Lan")
    assert_accessible(page)


def test_a_counter_dossier_shows_once_its_owner_types_the_cccd(
    live_server, page, assert_accessible, filed
):
    """A dossier filed at the counter under an account made for the e-mail given there: the
    account holder types the CCCD given at the counter before the dossier shows."""
    people, first, _second = filed
    Dossier.objects.filter(pk=first.pk).update(owner_check_pending=True)
    log_in(page, live_server.url, people.applicant.email)

    page.goto(live_server.url + "/my/dossiers/")
    rows = page.locator("#dossier-rows tr")
    expect(rows).to_have_count(2)
    expect(page.locator("#dossier-rows")).not_to_contain_text(first.code)
    page.get_by_role("link", name=re.compile("Hồ sơ nộp tại quầy")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xác nhận hồ sơ nộp tại quầy")
    assert_accessible(page)

    cccd = page.get_by_label("Số CCCD đã khai khi nộp tại quầy")
    cccd.fill("079190000000")
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(cccd).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_citizen_id_error")).to_contain_text("không khớp")
    assert_accessible(page)

    cccd.fill(first.applicant_data["citizen_id"])
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(page).to_have_url(re.compile(r"/my/dossiers/$"))
    expect(page.get_by_role("status")).to_contain_text("Đã xác nhận")
    page.get_by_role("link", name=first.code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first.code)
