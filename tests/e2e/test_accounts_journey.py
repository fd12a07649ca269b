"""In the browser: a citizen signs up, verifies the e-mail, logs in and fills the profile; an
officer logs in with a TOTP code. Every page of both journeys passes axe-core (no serious or
critical violations); the base layout has a visible skip link and reflows on a narrow screen."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from portal.models import User
from tests.factories import PASSWORD, make_officer

pytestmark = pytest.mark.e2e

CONFIRM_LINK_RE = re.compile(r"https?://\S+/accounts/confirm-email/\S+/")


def log_in(page, email, password):
    page.get_by_label("Địa chỉ e-mail").fill(email)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập", exact=True).click()


def test_it_signs_up_verifies_logs_in_and_fills_the_profile(live_server, page, assert_accessible):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dịch vụ công trực tuyến")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("link", name="Đăng ký tài khoản").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    assert_accessible(page)
    page.get_by_label("Địa chỉ e-mail").fill("lan@example.vn")
    page.get_by_label("Mật khẩu", exact=True).fill("Mat-khau-manh-2026")
    page.get_by_label("Nhập lại mật khẩu").fill("Mat-khau-manh-2026")
    page.get_by_role("button", name="Đăng ký", exact=True).click()

    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận địa chỉ e-mail")
    assert_accessible(page)
    assert User.objects.get(email="lan@example.vn").groups.filter(name="citizen").exists()
    assert len(mail.outbox) == 1
    link = CONFIRM_LINK_RE.search(mail.outbox[0].body).group(0)
    page.goto(live_server.url + urlsplit(link).path)
    expect(page.get_by_role("main")).to_contain_text("lan@example.vn")
    assert_accessible(page)
    page.get_by_role("button", name="Xác nhận", exact=True).click()

    # Confirming logs the citizen in (ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION); log out and back in.
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="Đăng nhập")).to_be_visible()
    page.get_by_role("navigation").get_by_role("link", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    assert_accessible(page)
    log_in(page, "lan@example.vn", "Mat-khau-manh-2026")

    expect(page).to_have_url(re.compile(r"/my/dossiers/$"))
    assert_accessible(page)
    page.get_by_role("navigation").get_by_role("link", name="Thông tin cá nhân").click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Ngày sinh").fill("1990-05-17")
    page.get_by_label("Số CCCD").fill("079190")  # too short
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_label("Địa chỉ").fill("12 Lê Lợi, Phường Sài Gòn")
    page.get_by_role("button", name="Lưu thông tin").click()

    cccd = page.get_by_label("Số CCCD")
    expect(cccd).to_have_value("079190")
    expect(cccd).to_have_attribute("aria-invalid", "true")
    expect(cccd).to_have_accessible_description(re.compile("Số CCCD phải gồm đúng 12 chữ số"))
    expect(page.locator("#id_citizen_id_error")).to_contain_text("Số CCCD phải gồm đúng 12 chữ số")
    expect(page.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Lan")
    expect(page.get_by_label("Ngày sinh")).to_have_value("1990-05-17")
    assert_accessible(page)

    cccd.fill("079190123456")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_role("status")).to_contain_text("Đã lưu thông tin cá nhân.")
    expect(page.get_by_label("Số CCCD")).to_have_value("079190123456")
    assert_accessible(page)
    user = User.objects.get(email="lan@example.vn")
    assert (user.full_name, user.citizen_id, str(user.date_of_birth)) == (
        "Nguyễn Thị Lan",
        "079190123456",
        "1990-05-17",
    )


def test_it_logs_an_officer_in_with_a_totp_code(
    live_server, page, assert_accessible, agency, current_totp_code
):
    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)

    page.goto(live_server.url + "/accounts/login/")
    assert_accessible(page)
    log_in(page, officer.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác thực hai lớp")
    assert_accessible(page)
    page.get_by_label("Mã xác thực").fill(current_totp_code(officer.demo_totp_secret))
    page.get_by_role("button", name="Xác thực", exact=True).click()

    expect(page).to_have_url(re.compile(r"/officer/$"))
    expect(page.get_by_role("main")).to_contain_text(agency.name)
    assert_accessible(page)


def test_it_sends_an_officer_without_totp_to_the_mfa_set_up_page(
    live_server, page, assert_accessible, agency
):
    officer = make_officer(agency=agency, roles=["reception_officer"], with_totp=False)
    activate_path = "/accounts/2fa/totp/activate/?next=%2Fofficer%2F"

    page.goto(live_server.url + "/accounts/login/")
    log_in(page, officer.email, PASSWORD)
    response = page.goto(live_server.url + "/officer/")

    # /officer/ → the TOTP set-up page → allauth asks for the password again (it does so before
    # any MFA change, even right after log-in) and comes back to the set-up page afterwards.
    redirects = []
    request = response.request
    while request:
        redirects.insert(0, urlsplit(request.url)._replace(scheme="", netloc="").geturl())
        request = request.redirected_from
    assert redirects == [
        "/officer/",
        activate_path,
        "/accounts/reauthenticate/?next=" + quote(activate_path, safe=""),
    ]
    expect(page.get_by_role("heading", level=1)).to_have_text("Xác nhận lại danh tính")
    assert_accessible(page)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Xác nhận", exact=True).click()

    expect(page).to_have_url(live_server.url + activate_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bật xác thực hai lớp")
    expect(page.get_by_role("img", name="Mã QR")).to_be_visible()
    expect(page.get_by_label("Mã xác thực")).to_be_editable()
    assert_accessible(page)


def test_it_focuses_a_visible_skip_link_on_the_first_tab(live_server, page):
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    expect(skip_link).to_be_in_viewport()
    outline = skip_link.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none"

    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    expect(page.get_by_role("main")).to_be_focused()


@pytest.mark.parametrize("path", ["/", "/accounts/signup/", "/accounts/login/"])
def test_it_reflows_on_a_narrow_screen_or_at_200_percent_zoom(
    live_server, page, assert_accessible, path
):
    """A 1280px-wide screen at 200 % zoom lays out like a 640px-wide one (WCAG 1.4.4, 1.4.10)."""
    page.set_viewport_size({"width": 640, "height": 800})
    page.goto(live_server.url + path)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_accessibility_check_fails_on_a_serious_violation(live_server, page, assert_accessible):
    """Guards the guard: axe-core really runs and a serious violation fails the test."""
    page.goto(live_server.url)
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    with pytest.raises(pytest.fail.Exception, match=r"image-alt \(critical\)"):
        assert_accessible(page)
