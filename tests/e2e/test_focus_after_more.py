"""In the browser, with the keyboard: "Xem thêm" (more) on "Hồ sơ của tôi" and on an officer's
queue, and "Trang sau"/"Trang trước" in the catalog, put focus on the first new row's link
(not on <body>) and say in a status region that stays in the page how many were added
(WCAG 2.4.3, 4.1.3; static/js/after-swap.js). The fee region, polling while a payment is
pending, leaves focus where it is until the payment settles, then says "Đã thanh toán"."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dossiers.models import Dossier, DossierStatus
from payments.services import dossier_fee_assess, payment_ipn_process, payment_start
from tests.dossiers.conftest import Personas
from tests.dossiers.officer_support import with_totp
from tests.e2e.test_back_office import log_in
from tests.factories import AgencyFactory
from tests.payments.conftest import SECRET, TMN, fee_version, gateway_params
from tests.procedures.factories import ProcedureFactory, make_version

pytestmark = pytest.mark.e2e

# The element that has focus: its tag, its text and the index of its row (tr or li) in `rows`.
ACTIVE = """rows => {
  const active = document.activeElement;
  const all = Array.from(document.querySelectorAll(rows));
  return {tag: active.tagName, text: active.textContent.trim(), row: all.indexOf(active.closest('tr, li'))};
}"""


@pytest.fixture
def people(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SITE_URL = live_server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return Personas(AgencyFactory(), AgencyFactory())


def make_filed(people, n):
    """``n`` filed dossiers one second apart (newest last)."""
    start = timezone.now() - dt.timedelta(days=1)
    made = []
    for i in range(n):
        d = people.dossier(DossierStatus.SUBMITTED)
        Dossier.objects.filter(pk=d.pk).update(created_at=start + dt.timedelta(seconds=i))
        made.append(d)
    return made


def status_region(page):
    region = page.locator("#swap-status")
    expect(region).to_have_attribute("role", "status")
    return region


def press_more(page, name="Xem thêm"):
    """Tab to the link (focus it), then Enter, as a keyboard user does."""
    link = page.get_by_role("link", name=re.compile(name))
    link.focus()
    expect(link).to_be_focused()
    page.keyboard.press("Enter")


def test_my_dossiers_more_keeps_focus_on_the_first_new_row(
    live_server, page, assert_accessible, people
):
    made = make_filed(people, 25)
    newest_first = [d.code for d in reversed(made)]
    log_in(page, live_server.url, people.applicant)
    page.goto(live_server.url + "/my/dossiers/")
    rows = page.locator("#dossier-rows > tr:not(.more-row)")
    expect(rows).to_have_count(20)
    region = status_region(page)
    expect(region).to_have_text("")

    press_more(page)
    expect(rows).to_have_count(25)
    expect(page.get_by_role("link", name=newest_first[20], exact=True)).to_be_focused()
    active = page.evaluate(ACTIVE, "#dossier-rows > tr:not(.more-row)")
    assert active == {"tag": "A", "text": newest_first[20], "row": 20}
    expect(region).to_have_text(
        "Đã hiện thêm 5 hồ sơ (5 more shown). Đã hết danh sách (no more dossiers)."
    )
    expect(page.get_by_role("link", name=re.compile("Xem thêm"))).to_have_count(0)
    assert_accessible(page)


def test_the_catalog_pages_keep_focus_on_the_first_procedure_and_say_the_count(
    live_server, page, assert_accessible, transactional_db
):
    for i in range(24):
        make_version(procedure=ProcedureFactory(name=f"Thủ tục hộ tịch {i:02d}"))
    make_version(procedure=ProcedureFactory(name="Đăng ký khai sinh"))
    page.goto(f"{live_server.url}/procedures/")
    items = "#catalog-results .procedure-item"
    expect(page.locator(items)).to_have_count(20)
    region = status_region(page)

    press_more(page, "Trang sau")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator(items)).to_have_count(5)
    first = page.locator(items).first.get_by_role("link")
    expect(first).to_be_focused()
    assert page.evaluate(ACTIVE, items)["row"] == 0
    expect(region).to_have_text("Trang 2/2: 5 thủ tục (page 2 of 2, 5 shown).")
    assert_accessible(page)

    press_more(page, "Trang trước")
    expect(page.locator(items)).to_have_count(20)
    expect(page.locator(items).first.get_by_role("link")).to_be_focused()
    expect(region).to_have_text("Trang 1/2: 20 thủ tục (page 1 of 2, 20 shown).")

    # Filtering (focus stays in the search box) says the new count in the same region.
    search = page.get_by_label("Tìm thủ tục (Search)")
    search.press_sequentially("khai sinh", delay=20)
    expect(page.locator(items)).to_have_count(1)
    expect(search).to_be_focused()
    expect(region).to_have_text("1 thủ tục (1 procedure)")
    expect(page.locator("#catalog-results [aria-live]")).to_have_count(0)  # replaced each time


def test_the_officer_queue_more_keeps_focus_on_the_first_new_row(
    live_server, page, assert_accessible, current_totp_code, people
):
    with_totp(people.reception)
    made = make_filed(people, 25)
    log_in(page, live_server.url, people.reception, current_totp_code)
    page.goto(live_server.url + "/officer/queues/reception/")
    rows_selector = "#queue-rows > tr:not(.more-row)"
    rows = page.locator(rows_selector)
    expect(rows).to_have_count(20)
    region = status_region(page)
    expect(page.locator("#queue-results[aria-live], #queue-results [aria-live]")).to_have_count(0)

    press_more(page)
    expect(rows).to_have_count(25)
    expect(rows.nth(20).get_by_role("link").first).to_be_focused()
    active = page.evaluate(ACTIVE, rows_selector)
    assert active["tag"] == "A" and active["row"] == 20
    expect(region).to_have_text(
        "Đã hiện thêm 5 hồ sơ (5 more shown). Đã hết danh sách (no more dossiers)."
    )
    assert_accessible(page)

    # Filtering replaces the results: the same region says what is shown now.
    search = page.get_by_label("Tìm kiếm (Search)")
    search.fill(made[3].code)
    search.press("Enter")
    expect(rows).to_have_count(1)
    expect(region).to_have_text("Đã hiện 1 hồ sơ (1 shown).")


def test_the_fee_region_keeps_focus_while_pending_and_says_when_paid(
    live_server, page, assert_accessible, people, settings
):
    settings.PAYMENT_PROVIDER = "sandbox"
    settings.VNPAY_TMN_CODE, settings.VNPAY_HASH_SECRET = TMN, SECRET
    version = fee_version(agencies=[people.agency])
    dossier = people.dossier(DossierStatus.SUBMITTED, version=version, submitted_at=timezone.now())
    dossier_fee_assess(dossier=dossier)
    payment, _ = payment_start(
        dossier=dossier,
        payer=people.applicant,
        return_url=f"{live_server.url}/payments/vnpay/return/",
        client_ip="203.0.113.7",
    )
    log_in(page, live_server.url, people.applicant)
    page.goto(f"{live_server.url}/payments/dossier/{dossier.public_id}/")
    expect(page.locator("#fee-state")).to_have_text("Chưa thanh toán")
    page.evaluate("document.getElementById('fee-status').dataset.loaded = 'first'")
    reload = page.get_by_role("link", name="tải lại trang")
    reload.focus()

    # Two polls while nothing changes: 204, nothing replaced, focus stays on the link.
    for _ in range(2):
        with page.expect_response(lambda r: "seen=" in r.url) as polled:
            pass
        assert polled.value.status == 204
    expect(page.locator("#fee-status")).to_have_attribute("data-loaded", "first")
    expect(reload).to_be_focused()

    payment_ipn_process(params=gateway_params(payment))  # the gateway confirms meanwhile
    expect(page.locator("#fee-state")).to_have_text("Đã thanh toán")
    expect(page.locator("#fee-status")).not_to_have_attribute("data-loaded", "first")
    expect(status_region(page)).to_have_text("Đã thanh toán (paid).")
    # The focused link is gone with the old region: focus is on its heading, not on <body>.
    expect(page.get_by_role("heading", name="Phí, lệ phí", exact=True)).to_be_focused()
    expect(page.get_by_role("link", name="Tải biên lai điện tử (PDF)")).to_be_visible()
    assert_accessible(page)
