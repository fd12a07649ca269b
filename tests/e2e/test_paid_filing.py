"""In the browser, issue 8's journey end to end: a citizen files a procedure with a fee, pays in
the sandbox gateway, comes back to "Đã thanh toán" and downloads the e-receipt; a reception
officer (logging in with TOTP) then receives the dossier — refused before payment, allowed after.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from dossiers import workflow
from dossiers.models import Dossier, DossierStatus
from dossiers.pdf import pdf_text
from dossiers.workflow import WorkflowError
from procedures.models import ProcedureVersion
from procedures.services import version_publish
from tests.dossiers.officer_support import with_totp
from tests.factories import PASSWORD, AgencyFactory, UserFactory, make_officer
from tests.factories.procedures import ProcedureFactory

pytestmark = pytest.mark.e2e

SCHEMA = {
    "fields": [
        {"name": "noi_dung", "kind": "text", "label": "Nội dung yêu cầu", "required": True},
    ]
}


@pytest.fixture
def paid_procedure(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    ward = AgencyFactory()
    procedure = ProcedureFactory(agencies=[ward], name="Cấp bản sao trích lục hộ tịch")
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        number=1,
        processing_days=2,
        form_schema=SCHEMA,
        fee_kind="fixed",
        fee_amount=50_000,
    )
    version_publish(version=version)
    return ward, procedure


def log_in(page, base_url, email, totp_secret=None, totp=None):
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Địa chỉ e-mail").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    if totp_secret:
        page.get_by_label("Mã xác thực").fill(totp(totp_secret))
        page.get_by_role("button", name="Xác thực", exact=True).click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_a_citizen_files_pays_and_the_officer_then_receives(
    live_server, page, assert_accessible, current_totp_code, paid_procedure
):
    ward, procedure = paid_procedure
    url = live_server.url
    citizen = UserFactory(
        roles=["citizen"],
        full_name="Nguyễn Thị Lan",
        citizen_id="079190123456",
        date_of_birth=datetime.date(1990, 5, 17),
        phone="0912345678",
        address="12 Lê Lợi, Phường Sài Gòn",
    )
    reception = with_totp(make_officer(agency=ward, roles=["reception_officer"], with_totp=False))

    # --- filing -------------------------------------------------------------------------------
    log_in(page, url, citizen.email)
    page.goto(f"{url}/procedures/{procedure.code}/")
    expect(page.get_by_role("main")).to_contain_text("50.000")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_role("button", name="Tiếp tục").click()  # 1: applicant, prefilled
    page.get_by_label("Nội dung yêu cầu").fill("Cấp 02 bản sao trích lục khai sinh")
    page.get_by_role("button", name="Tiếp tục").click()  # 2: the procedure's fields
    page.get_by_role("button", name="Tiếp tục").click()  # 3: no documents asked
    page.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option(label=ward.name)
    page.get_by_role("button", name="Tiếp tục").click()  # 4: receiving agency
    page.get_by_label("Nhận tại quầy").check()
    page.get_by_role("button", name="Tiếp tục").click()  # 5: result delivery
    page.get_by_label("Tôi xin cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()  # 6: review and submit
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã nộp hồ sơ thành công")
    dossier = Dossier.objects.get(applicant=citizen)
    assert dossier.status == DossierStatus.SUBMITTED
    assert_accessible(page)

    # --- the officer cannot receive it before payment ---------------------------------------
    with pytest.raises(WorkflowError, match="chưa thanh toán"):
        workflow.dossier_receive(dossier=dossier, actor=reception)

    # --- paying in the sandbox ----------------------------------------------------------------
    page.get_by_role("link", name="Thanh toán").click()
    expect(page.locator("#fee-state")).to_have_text("Chưa thanh toán")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/pay/\?"))
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    expect(page.locator("#fee-state")).to_have_text("Đã thanh toán")
    assert_accessible(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải biên lai điện tử (PDF)").click()
    with open(download_info.value.path(), "rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "Năm mươi nghìn đồng" in text and dossier.code in text

    # --- the reception officer receives it ------------------------------------------------------
    log_in(page, url, reception.email, reception.demo_totp_secret, current_totp_code)
    page.goto(f"{url}/officer/")
    expect(page.get_by_role("main")).to_contain_text(dossier.code)
    page.get_by_role("link", name=dossier.code).click()
    page.get_by_role("button", name="Tiếp nhận hồ sơ (Receive — issues Mẫu 01)").click()
    expect(page.locator(".facts").first).to_contain_text("Đã tiếp nhận")
    assert_accessible(page)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED and dossier.due_at is not None
