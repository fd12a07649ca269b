"""In the browser: a citizen pays a dossier's fee in the sandbox gateway, comes back to
"Đã thanh toán" and downloads the e-receipt; a cancelled payment leaves the dossier payable.

The sandbox sends its IPN to the live server over HTTP (SITE_URL), as the real gateway would.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dossiers.models import DossierStatus
from dossiers.pdf import pdf_text
from payments.models import Payment, PaymentStatus
from payments.services import dossier_fee_assess
from tests.dossiers.conftest import Personas
from tests.factories import PASSWORD
from tests.payments.conftest import fee_version

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(agency, other_agency, settings, live_server):
    settings.SITE_URL = live_server.url
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Personas(agency, other_agency)


@pytest.fixture
def owing_dossier(people, agency):
    """A submitted online dossier owing 50.000 đồng (set up through the services)."""
    version = fee_version(agencies=[agency])
    dossier = people.dossier(DossierStatus.SUBMITTED, version=version, submitted_at=timezone.now())
    dossier_fee_assess(dossier=dossier)
    return dossier


def log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Địa chỉ e-mail").fill(user.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_it_pays_in_the_sandbox_and_downloads_the_receipt(
    live_server, page, assert_accessible, owing_dossier
):
    log_in(page, live_server, owing_dossier.applicant)
    page.goto(f"{live_server.url}/payments/dossier/{owing_dossier.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thanh toán phí, lệ phí")
    expect(page.get_by_role("main")).to_contain_text("50.000 đồng")
    expect(page.get_by_role("main")).to_contain_text("Năm mươi nghìn đồng")
    expect(page.locator("#fee-state")).to_have_text("Chưa thanh toán")
    assert_accessible(page)

    page.get_by_role("button", name="Thanh toán", exact=True).click()
    expect(page).to_have_url(re.compile(r"/payments/sandbox/pay/\?"))
    expect(page.locator("#sandbox-amount")).to_have_text("50.000 đồng")
    assert_accessible(page)
    page.get_by_role("button", name="Xác nhận thanh toán").click()

    expect(page).to_have_url(re.compile(rf"/payments/dossier/{owing_dossier.public_id}/$"))
    expect(page.get_by_role("status").first).to_contain_text("Thanh toán thành công")
    expect(page.locator("#fee-state")).to_have_text("Đã thanh toán")
    assert_accessible(page)
    payment = Payment.objects.get(dossier=owing_dossier)
    assert payment.status == PaymentStatus.PAID and payment.settled_by == "ipn"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải biên lai điện tử (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("bien-lai-BL-")
    with open(download.path(), "rb") as handle:
        text = " ".join(pdf_text(handle.read()).split())
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ" in text
    assert "Năm mươi nghìn đồng" in text and owing_dossier.code in text


def test_a_cancelled_payment_leaves_the_dossier_payable(
    live_server, page, assert_accessible, owing_dossier
):
    log_in(page, live_server, owing_dossier.applicant)
    page.goto(f"{live_server.url}/payments/dossier/{owing_dossier.public_id}/")
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.get_by_role("button", name="Hủy giao dịch").click()

    expect(page).to_have_url(re.compile(rf"/payments/dossier/{owing_dossier.public_id}/$"))
    expect(page.get_by_role("status").first).to_contain_text("Bạn đã hủy giao dịch")
    expect(page.locator("#fee-state")).to_have_text("Chưa thanh toán")
    expect(page.get_by_role("table")).to_contain_text("Đã hủy")
    expect(page.get_by_role("button", name="Thanh toán", exact=True)).to_be_visible()
    assert_accessible(page)

    # Paying again works; the cancelled attempt stays recorded.
    page.get_by_role("button", name="Thanh toán", exact=True).click()
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    expect(page.locator("#fee-state")).to_have_text("Đã thanh toán")
    statuses = sorted(
        Payment.objects.filter(dossier=owing_dossier).values_list("status", flat=True)
    )
    assert statuses == [PaymentStatus.CANCELLED, PaymentStatus.PAID]
