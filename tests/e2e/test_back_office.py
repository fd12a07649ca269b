"""In the browser: officers log in with TOTP and take an online dossier from reception to the
result (reception receives and assigns, the specialist proposes, the approver approves,
reception hands back online; the citizen then reads "Đã trả kết quả"); a supplement round trip
(reception asks for an item with its reason; the citizen reads the request on "Hồ sơ của tôi",
corrects an answer, uploads a new scan and a note, resubmits; reception finds the dossier back in
its queue with the new answer, document and note); a counter intake. No serious or critical axe
violations on the officer pages nor on the citizen's supplement page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dossiers import workflow
from dossiers.models import DossierStatus
from tests.dossiers.conftest import Personas
from tests.dossiers.officer_support import with_totp
from tests.factories import PASSWORD, AgencyFactory

pytestmark = pytest.mark.e2e
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def office(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    people = Personas(AgencyFactory(), AgencyFactory())
    for officer in (people.reception, people.specialist, people.approver):
        with_totp(officer)
    data = {"full_name": "Nguyễn Thị Lan", "phone": "0903123456", "email": people.applicant.email}
    dossiers = []
    for _ in range(2):
        d = people.dossier(DossierStatus.DRAFT, applicant_data=data)
        people.document(d)
        workflow.dossier_submit(dossier=d, actor=people.applicant)
        d.refresh_from_db()
        dossiers.append(d)
    return people, dossiers


def log_in(page, base_url, user, totp=None):
    page.context.clear_cookies()
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Địa chỉ e-mail").fill(user.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    if totp is not None:
        page.get_by_label("Mã xác thực").fill(totp(user.demo_totp_secret))
        page.get_by_role("button", name="Xác thực", exact=True).click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()


def open_from_queue(page, base_url, queue, code):
    page.goto(f"{base_url}/officer/queues/{queue}/")
    page.get_by_role("link", name=code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(code)


def test_an_online_dossier_from_reception_to_result(
    live_server, page, assert_accessible, current_totp_code, office
):
    people, (dossier, _) = office
    url = live_server.url
    log_in(page, url, people.reception, current_totp_code)
    page.goto(url + "/officer/")
    expect(page.get_by_role("main")).to_contain_text(dossier.code)
    expect(page.get_by_role("main")).to_contain_text("Chưa tính hạn")
    assert_accessible(page)
    page.get_by_role("link", name=dossier.code).click()
    assert_accessible(page)
    page.get_by_role("button", name="Tiếp nhận hồ sơ (Receive — issues Mẫu 01)").click()
    expect(page.locator(".facts").first).to_contain_text("Đã tiếp nhận")
    page.get_by_label("Chuyên viên xử lý (Specialist)").select_option(
        label=people.specialist.full_name
    )
    page.get_by_role("button", name="Phân công chuyên viên (Assign)").click()
    expect(page.locator(".facts").first).to_contain_text("Đang xử lý")

    log_in(page, url, people.specialist, current_totp_code)
    open_from_queue(page, url, "mine", dossier.code)
    page.get_by_label("Dự thảo kết quả (Draft result document)").set_input_files(
        {"name": "du-thao.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Trình phê duyệt (Propose)").click()
    expect(page.locator(".facts").first).to_contain_text("Chờ phê duyệt")

    log_in(page, url, people.approver, current_totp_code)
    open_from_queue(page, url, "approval", dossier.code)
    assert_accessible(page)
    page.get_by_role("button", name="Phê duyệt (Approve)").click()
    expect(page.locator(".facts").first).to_contain_text("Có kết quả")

    log_in(page, url, people.reception, current_totp_code)
    open_from_queue(page, url, "results", dossier.code)
    page.get_by_label("Nhận trực tuyến (Online download)").check()
    page.get_by_role("button", name="Trả kết quả (Hand back the result)").click()
    expect(page.locator(".facts").first).to_contain_text("Đã trả kết quả")

    log_in(page, url, people.applicant)
    page.goto(f"{url}/my/dossiers/")
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator(".facts").first).to_contain_text("Đã trả kết quả")


def test_a_supplement_round_trip(live_server, page, assert_accessible, current_totp_code, office):
    people, (_, dossier) = office
    url = live_server.url
    log_in(page, url, people.reception, current_totp_code)
    open_from_queue(page, url, "reception", dossier.code)
    page.get_by_label("Nội dung cần bổ sung 1").fill("Giấy chứng sinh")
    page.get_by_label("Lý do 1").fill("Bản chụp bị mờ")
    page.get_by_role("button", name="Yêu cầu bổ sung (Request supplements — Mẫu 02)").click()
    expect(page.locator(".facts").first).to_contain_text("Yêu cầu bổ sung")

    log_in(page, url, people.applicant)
    page.goto(f"{url}/my/dossiers/")
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator(".facts").first).to_contain_text("Yêu cầu bổ sung")
    request = page.get_by_role("region", name=re.compile("Cơ quan yêu cầu bổ sung hồ sơ"))
    expect(request).to_contain_text("Giấy chứng sinh")
    expect(request).to_contain_text("Bản chụp bị mờ")
    page.get_by_role("link", name="Bổ sung và nộp lại hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bổ sung hồ sơ")
    asked = page.get_by_role("region", name="Nội dung cần bổ sung, hoàn thiện")
    expect(asked).to_contain_text("Giấy chứng sinh — lý do: Bản chụp bị mờ")
    assert_accessible(page)
    child_name = page.get_by_label(re.compile("^Họ tên của trẻ"))
    expect(child_name).to_have_value("Nguyễn Văn An")
    child_name.fill("Nguyễn Văn Bình")
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(
        {"name": "giay-chung-sinh-ro.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Ghi chú gửi cán bộ (Note to the officer)").fill("Đã chụp lại bản rõ nét")
    page.get_by_role("button", name="Nộp bổ sung hồ sơ").click()
    expect(page.get_by_role("status")).to_contain_text("Đã nộp bổ sung hồ sơ")
    expect(page.get_by_role("heading", level=1)).to_contain_text(dossier.code)
    expect(page.locator(".facts").first).to_contain_text("Mới nộp")
    answers = page.get_by_role("region", name=re.compile("Thông tin đã khai"))
    expect(answers).to_contain_text("Nguyễn Văn Bình")
    documents = page.get_by_role("region", name=re.compile("Thành phần hồ sơ"))
    expect(documents.get_by_role("link", name="giay-chung-sinh-ro.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="Bổ sung và nộp lại hồ sơ")).to_have_count(0)

    log_in(page, url, people.reception, current_totp_code)
    open_from_queue(page, url, "reception", dossier.code)  # back in the reception queue
    expect(page.locator(".facts").first).to_contain_text("Mới nộp")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("Bản chụp bị mờ")
    expect(timeline).to_contain_text("Nộp bổ sung")
    expect(timeline).to_contain_text("Đã chụp lại bản rõ nét")
    answers = page.get_by_role("region", name=re.compile("Thông tin đã khai"))
    expect(answers).to_contain_text("Nguyễn Văn Bình")
    documents = page.get_by_role("region", name=re.compile("Thành phần hồ sơ"))
    expect(documents.get_by_role("link", name="giay-chung-sinh-ro.pdf")).to_be_visible()
    assert_accessible(page)


def test_a_counter_intake(live_server, page, assert_accessible, current_totp_code, office):
    people, _ = office
    url = live_server.url
    log_in(page, url, people.reception, current_totp_code)
    page.goto(url + "/officer/queues/reception/")
    page.get_by_role("link", name=re.compile("Tiếp nhận tại quầy")).click()
    assert_accessible(page)
    page.get_by_label("Thủ tục (Procedure)").select_option(value=people.version.procedure.code)
    page.get_by_role("button", name=re.compile("Tiếp tục")).click()
    assert_accessible(page)
    page.get_by_label("Họ và tên (Full name)").fill("Phạm Thị Hoa")
    page.get_by_label("Số định danh cá nhân / CCCD (Citizen ID)").fill("079190000123")
    page.get_by_label("Ngày sinh (Date of birth)").fill("1990-05-01")
    page.get_by_label("Số điện thoại di động (Mobile phone)").fill("0912345678")
    page.get_by_label("Địa chỉ liên hệ (Address)").fill("1 Lê Lợi")
    page.get_by_label(re.compile("^Họ tên của trẻ")).fill("Phạm Văn Bé")
    page.get_by_label(re.compile("^Giấy chứng sinh")).set_input_files(
        {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Nhận tại quầy (At the counter)").check()
    page.get_by_role("button", name=re.compile("Tiếp nhận và in Mẫu 01")).click()
    expect(page.locator(".facts").first).to_contain_text("Đã tiếp nhận")
    expect(page.locator(".facts").first).to_contain_text("Tại quầy")
    assert_accessible(page)
