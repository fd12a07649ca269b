"""In the browser: a citizen files a birth registration (the demo catalog's 1.001193) with two
uploads, leaves in the middle (the browser context is closed), comes back in a new one, finds
everything where it was, submits and sees the dossier code. Every page passes axe-core (no
serious or critical violations) and raises no JavaScript or CSP error."""

from __future__ import annotations

import datetime
import re
import time
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from dossiers.models import Dossier, DossierStatus
from tests.factories import PASSWORD, AgencyFactory, UserFactory
from tests.factories.files import image_bytes, pdf_bytes

pytestmark = pytest.mark.e2e

CODE = "1.001193"  # Đăng ký khai sinh in procedures/demo.py
BIRTH_CERT = "Giấy chứng sinh do cơ sở y tế cấp"
ID_DOC = "Giấy tờ tùy thân của người yêu cầu (CCCD, hộ chiếu)"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def catalog(live_server):
    """Two wards and the demo catalog (the seed the demo uses)."""
    from procedures.demo import seed_procedures

    wards = [AgencyFactory(), AgencyFactory()]
    seed_procedures()
    return wards


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


def watch(page, problems: list[str]):
    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )


def open_filing(page, live_server, email):
    """From the procedure page, "Nộp hồ sơ trực tuyến"; log in on the way."""
    page.goto(f"{live_server.url}/procedures/{CODE}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Địa chỉ e-mail").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/nop-ho-so/{re.escape(CODE)}/$"))


def filing_copies_kept(page, wait_s: float = 5.0) -> list[str]:
    """The copies of unsaved filing input this tab still keeps, once the page's scripts have
    had their chance to drop them (page.wait_for_function would need eval, which the CSP
    forbids)."""
    deadline = time.monotonic() + wait_s
    while True:
        kept = [
            key
            for key in page.evaluate("Object.keys(sessionStorage)")
            if key.startswith("portal.filing.unsaved:")
        ]
        if not kept or time.monotonic() > deadline:
            return kept
        page.wait_for_timeout(100)


def end_session(page):
    """The session ends (expired, or signed out in another tab); the CSRF cookie stays."""
    cookies = page.context.cookies()
    page.context.clear_cookies()
    page.context.add_cookies([c for c in cookies if c["name"] != "sessionid"])


def expect_step(page, number: int, title: str):
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Bước {number}/6: {title}")
    expect(page.locator('.file-steps [aria-current="step"]')).to_contain_text(title)


def wait_autosaved(page):
    expect(page.locator("#autosave-status")).to_contain_text("Đã tự động lưu")


def test_it_files_a_birth_registration_leaves_comes_back_and_submits(
    live_server, browser, page, assert_accessible, catalog, citizen
):
    ward = catalog[1]
    born = (datetime.date.today() - datetime.timedelta(days=10)).isoformat()

    # --- first visit ------------------------------------------------------------------------
    first = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1280, "height": 900}
    )
    first.set_default_timeout(10_000)
    p1 = first.new_page()
    problems: list[str] = []
    watch(p1, problems)
    open_filing(p1, live_server, citizen.email)
    assert_accessible(p1)
    p1.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()

    expect_step(p1, 1, "Người nộp hồ sơ")
    expect(p1.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Lan")
    expect(p1.get_by_label("Số định danh cá nhân / CCCD")).to_have_value("079190123456")
    assert_accessible(p1)
    p1.get_by_role("button", name="Tiếp tục").click()

    expect_step(p1, 2, "Thông tin hồ sơ")
    p1.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Văn An")
    p1.get_by_label("Ngày, tháng, năm sinh").fill(born)
    p1.get_by_label("Nữ", exact=True).check()
    p1.get_by_label("Nơi sinh").fill("Bệnh viện Từ Dũ")
    p1.get_by_label("Dân tộc").fill("Kinh")
    p1.get_by_label("Họ, chữ đệm và tên người mẹ").fill("Nguyễn Thị Lan")
    p1.get_by_label("Số định danh cá nhân của người mẹ").fill("079190123456")
    p1.get_by_label("Không (No)", exact=True).check()
    expect(p1.get_by_label("Họ, chữ đệm và tên người cha")).to_be_hidden()
    # The requester's details start with the applicant step's: nothing typed twice.
    expect(p1.get_by_label("Họ, chữ đệm và tên người yêu cầu")).to_have_value("Nguyễn Thị Lan")
    expect(p1.get_by_label("Số định danh cá nhân / CCCD")).to_have_value("079190123456")
    p1.get_by_label("Số điện thoại di động").fill("0912345678")
    p1.get_by_label("Phường/Xã/Đặc khu").select_option(label=ward.admin_unit.name)
    p1.get_by_label("Số nhà, đường, tổ/ấp").fill("12 Lê Lợi")
    p1.get_by_label("Quan hệ với trẻ").select_option("me")
    assert_accessible(p1)
    p1.get_by_role("button", name="Tiếp tục").click()

    expect_step(p1, 3, "Giấy tờ đính kèm")
    assert_accessible(p1)
    p1.get_by_label(f"Chọn tệp — {BIRTH_CERT}").set_input_files(
        {"name": "giay-chung-sinh.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    p1.get_by_role("button", name=f"Tải lên — {BIRTH_CERT}").click()
    expect(p1.get_by_role("status").first).to_contain_text("Đã tải lên «giay-chung-sinh.pdf»")
    # The keyboard continues from the slot just filled, not from the top of the page.
    expect(p1.get_by_role("region", name=re.compile(BIRTH_CERT))).to_be_focused()
    # A renamed web page is refused, with the message next to the slot.
    p1.get_by_label(f"Chọn tệp — {ID_DOC}").set_input_files(
        {
            "name": "cccd.pdf",
            "mimeType": "application/pdf",
            "buffer": b"<html><body>x</body></html>",
        }
    )
    p1.get_by_role("button", name=f"Tải lên — {ID_DOC}").click()
    expect(p1.get_by_label(f"Chọn tệp — {ID_DOC}")).to_have_accessible_description(
        re.compile("Nội dung tệp không phải định dạng được chấp nhận")
    )
    assert_accessible(p1)
    p1.get_by_label(f"Chọn tệp — {ID_DOC}").set_input_files(
        {"name": "cccd mặt trước.png", "mimeType": "image/png", "buffer": image_bytes()}
    )
    p1.get_by_role("button", name=f"Tải lên — {ID_DOC}").click()
    expect(p1.get_by_role("status").first).to_contain_text("Đã tải lên «cccd mặt trước.png»")

    # Back to step 2, change a value; autosave keeps it as it is typed (no button pressed).
    p1.get_by_role("button", name="Quay lại").click()
    expect_step(p1, 2, "Thông tin hồ sơ")
    p1.get_by_label("Nơi sinh").fill("Bệnh viện Hùng Vương")
    wait_autosaved(p1)
    first.close()
    assert not problems, problems

    dossier = Dossier.objects.get()
    assert dossier.draft_step == "details"
    assert dossier.draft_values["details"]["tre_noi_sinh"] == ["Bệnh viện Hùng Vương"]
    page_name, count = dossier.draft_values["_stamps"]["details"]  # static/js/filing.js
    assert page_name and count > 0

    # --- coming back in a new browser context -----------------------------------------------
    open_filing(page, live_server, citizen.email)
    page.get_by_role("link", name="Tiếp tục hồ sơ nháp").click()
    expect_step(page, 2, "Thông tin hồ sơ")
    expect(page.get_by_label("Họ, chữ đệm và tên của trẻ")).to_have_value("Nguyễn Văn An")
    expect(page.get_by_label("Ngày, tháng, năm sinh")).to_have_value(born)
    expect(page.get_by_label("Nữ", exact=True)).to_be_checked()
    expect(page.get_by_label("Nơi sinh")).to_have_value("Bệnh viện Hùng Vương")
    expect(page.get_by_label("Phường/Xã/Đặc khu")).to_have_value(ward.admin_unit.code)
    expect(page.get_by_label("Quan hệ với trẻ")).to_have_value("me")
    assert_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    expect_step(page, 3, "Giấy tờ đính kèm")
    files = page.locator(".file-list .file-name")
    expect(files).to_have_text(["giay-chung-sinh.pdf", "cccd mặt trước.png"])
    assert_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    expect_step(page, 4, "Cơ quan tiếp nhận")
    page.get_by_label("Tìm cơ quan theo tên").fill(ward.admin_unit.name.split()[-1])
    page.get_by_role("button", name="Lọc").click()
    page.get_by_label("Cơ quan tiếp nhận hồ sơ").select_option(label=ward.name)
    assert_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    expect_step(page, 5, "Nhận kết quả")
    page.get_by_label("Nhận tại quầy").check()
    assert_accessible(page)
    page.get_by_role("button", name="Tiếp tục").click()

    expect_step(page, 6, "Xem lại và nộp")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Nguyễn Văn An")
    expect(main).to_contain_text("Bệnh viện Hùng Vương")
    expect(main).to_contain_text(ward.name)
    assert_accessible(page)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    # The declaration is required.
    expect(page.get_by_role("alert").first).to_contain_text("Vui lòng đánh dấu ô cam đoan")
    page.get_by_label("Tôi xin cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUBMITTED and dossier.agency == ward
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đã nộp hồ sơ thành công")
    expect(page.locator(".dossier-code")).to_have_text(dossier.code)
    assert_accessible(page)
    assert dossier.documents.count() == 2
    assert dossier.form_data["tre_noi_sinh"] == "Bệnh viện Hùng Vương"
    # Filed: no copy of unsaved filing input stays in the tab (static/js/portal.js, once the
    # page's scripts have run).
    assert not filing_copies_kept(page)


def test_signed_out_while_typing_nothing_is_lost(
    live_server, page, assert_accessible, catalog, citizen
):
    """The session ends while the citizen types: the status line says the input is not saved
    (not an old "saved at", not the login page pasted into it), links to the login page, and
    after signing in again the step comes back with what was typed, restored and saved."""
    open_filing(page, live_server, citizen.email)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_role("button", name="Tiếp tục").click()
    expect_step(page, 2, "Thông tin hồ sơ")
    page.get_by_label("Họ, chữ đệm và tên của trẻ").fill("Nguyễn Văn An")
    wait_autosaved(page)

    end_session(page)
    page.get_by_label("Nơi sinh").fill("Bệnh viện Từ Dũ")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Chưa lưu được: phiên đăng nhập đã hết")
    expect(status).not_to_contain_text("Đã tự động lưu")
    expect(page.locator("main")).to_have_count(1)  # no login page swapped in
    assert_accessible(page)

    status.get_by_role("link", name="Đăng nhập lại để lưu").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Địa chỉ e-mail").fill(citizen.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()

    expect_step(page, 2, "Thông tin hồ sơ")
    expect(page.get_by_label("Nơi sinh")).to_have_value("Bệnh viện Từ Dũ")
    expect(page.get_by_label("Họ, chữ đệm và tên của trẻ")).to_have_value("Nguyễn Văn An")
    wait_autosaved(page)  # what came back is saved
    dossier = Dossier.objects.get()
    assert dossier.draft_values["details"]["tre_noi_sinh"] == ["Bệnh viện Từ Dũ"]
    assert dossier.draft_values["details"]["tre_ho_ten"] == ["Nguyễn Văn An"]
    # Saved: a reload restores nothing more (the kept copy is gone).
    page.reload()
    expect(page.locator("#autosave-status")).not_to_contain_text("Đã khôi phục")


def test_a_kept_copy_does_not_overwrite_a_newer_save_made_elsewhere(
    live_server, browser, page, catalog, citizen
):
    """Tab A's autosave fails (signed out) while the citizen goes on on another device, where
    the same step is saved. Back in tab A after signing in, the newer save stays."""
    open_filing(page, live_server, citizen.email)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_role("button", name="Tiếp tục").click()
    expect_step(page, 2, "Thông tin hồ sơ")
    step_url = page.url
    page.get_by_label("Nơi sinh").fill("Bệnh viện Từ Dũ")
    wait_autosaved(page)
    end_session(page)
    page.get_by_label("Nơi sinh").fill("Bệnh viện A (tab A, not saved)")
    expect(page.locator("#autosave-status")).to_contain_text("Chưa lưu được")

    other = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    other.set_default_timeout(10_000)
    device = other.new_page()
    open_filing(device, live_server, citizen.email)
    device.goto(step_url)
    device.get_by_label("Nơi sinh").fill("Bệnh viện Hùng Vương")
    wait_autosaved(device)
    other.close()

    page.locator("#autosave-status").get_by_role("link", name="Đăng nhập lại để lưu").click()
    page.get_by_label("Địa chỉ e-mail").fill(citizen.email)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()
    expect_step(page, 2, "Thông tin hồ sơ")
    expect(page.get_by_label("Nơi sinh")).to_have_value("Bệnh viện Hùng Vương")
    expect(page.locator("#autosave-status")).not_to_contain_text("Đã khôi phục")
    dossier = Dossier.objects.get()
    assert dossier.draft_values["details"]["tre_noi_sinh"] == ["Bệnh viện Hùng Vương"]
    kept = page.evaluate("Object.keys(sessionStorage)")
    assert "portal.filing.unsaved:" + urlparse(step_url).path not in kept  # the copy is dropped


def test_the_autosave_is_announced_once_then_only_when_something_goes_wrong(
    live_server, page, catalog, citizen
):
    """A screen reader is not told of every save while the citizen types: the first save of the
    page is announced (role=status), later ones only update the visible line; a failure is."""
    open_filing(page, live_server, citizen.email)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_role("button", name="Tiếp tục").click()
    expect_step(page, 2, "Thông tin hồ sơ")
    live = page.locator("#autosave-announce")
    expect(live).to_have_attribute("role", "status")
    assert page.locator("#autosave-status").get_attribute("aria-live") is None
    page.evaluate(
        """() => {
            window.announced = [];
            new MutationObserver(() => window.announced.push(
                document.getElementById("autosave-announce").textContent.trim()
            )).observe(document.getElementById("autosave-announce"),
                       {childList: true, characterData: true, subtree: true});
        }"""
    )
    for field, value in [("Họ, chữ đệm và tên của trẻ", "Nguyễn Văn An"), ("Nơi sinh", "Từ Dũ")]:
        with page.expect_response(lambda r: r.url.endswith("/tu-luu/") and r.ok):
            page.get_by_label(field).fill(value)
    expect(page.locator("#autosave-status")).to_contain_text("Đã tự động lưu")
    announced = page.evaluate("() => window.announced")
    assert len(announced) == 1 and announced[0].startswith("Đã tự động lưu"), announced

    end_session(page)
    page.get_by_label("Nơi sinh").fill("Bệnh viện Từ Dũ")
    expect(live).to_contain_text("Chưa lưu được: phiên đăng nhập đã hết")


def test_an_older_tab_does_not_save_over_a_newer_tabs_save(live_server, page, catalog, citizen):
    """Two tabs on one step: the second saves; the first, typing on what it loaded earlier, is
    told to reload instead of overwriting, and what the second saved stays."""
    open_filing(page, live_server, citizen.email)
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_role("button", name="Tiếp tục").click()
    expect_step(page, 2, "Thông tin hồ sơ")
    newer = page.context.new_page()
    newer.goto(page.url)
    expect_step(newer, 2, "Thông tin hồ sơ")
    with newer.expect_response(lambda r: r.url.endswith("/tu-luu/") and r.ok):
        newer.get_by_label("Nơi sinh").fill("Bệnh viện Từ Dũ")
    newer.close()

    with page.expect_response(lambda r: r.url.endswith("/tu-luu/") and r.status == 412):
        page.get_by_label("Nơi sinh").fill("Bệnh viện cũ")
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("bước này vừa được lưu từ một thẻ hoặc thiết bị khác")
    expect(status.get_by_role("link", name="Tải lại trang")).to_be_visible()
    dossier = Dossier.objects.get()
    assert dossier.draft_values["details"]["tre_noi_sinh"] == ["Bệnh viện Từ Dũ"]
