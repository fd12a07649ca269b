"""In the browser: a reception officer opens the logbook (Mẫu 06) from the queue page, finds the
dossier received this month with its logbook number, goes to another month and back, and
downloads the month as CSV. No serious or critical axe violations on the page."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dossiers import workflow
from tests.e2e.test_back_office import log_in, office  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e


def test_reception_reads_and_downloads_the_months_logbook(
    live_server,
    page,
    assert_accessible,
    current_totp_code,
    office,  # noqa: F811
):
    people, (dossier, _) = office
    workflow.dossier_receive(dossier=dossier, actor=people.reception)
    url = live_server.url
    log_in(page, url, people.reception, current_totp_code)
    page.goto(url + "/officer/queues/reception/")

    page.get_by_role("link", name="Sổ theo dõi hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Sổ theo dõi hồ sơ (Mẫu 06)")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=dossier.code))
    expect(row.get_by_role("cell").first).to_have_text("1")  # its number in the year's logbook
    expect(row).to_contain_text("Nguyễn Thị Lan")
    assert_accessible(page)

    page.get_by_label("Tháng (Month)").fill("2001-01")
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("main")).to_contain_text("Chưa có hồ sơ nào được tiếp nhận")
    this_month = f"{timezone.localdate():%Y-%m}"
    page.get_by_label("Tháng (Month)").fill(this_month)
    page.get_by_role("button", name="Xem").click()
    expect(page.get_by_role("link", name=dossier.code)).to_be_visible()

    with page.expect_download() as info:
        page.get_by_role("link", name="Tải tệp CSV").click()
    download = info.value
    assert download.suggested_filename == (
        f"so-theo-doi-ho-so-{people.agency.code}-{this_month}.csv"
    )
    with open(download.path(), encoding="utf-8-sig") as fh:
        header, *rows = list(csv.reader(io.StringIO(fh.read())))
    assert header[:2] == ["STT", "Mã hồ sơ"]
    assert [r[1] for r in rows] == [dossier.code]
