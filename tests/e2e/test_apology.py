"""In the browser: a dossier is late, the sweep's apology waits for a date; the reception officer
opens the dossier from the overdue queue filter, gives the new appointment and the reason, and
finds the dossier due at the new date with the apology letter (Mẫu 04) issued. A typo first: the
error is explained next to the field and what was typed stays. No serious or critical axe
violations."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dossiers import workflow
from dossiers.models import Apology, ApologyState, Dossier, DossierOutput, OutputKind
from dossiers.sweep import deadline_sweep_run
from portal.workdays import next_working_day
from tests.e2e.test_back_office import log_in, office  # noqa: F401 (the fixture)

pytestmark = pytest.mark.e2e


def test_reception_sets_the_new_appointment_of_a_late_dossier(
    live_server,
    page,
    assert_accessible,
    current_totp_code,
    office,  # noqa: F811
):
    people, (dossier, _) = office
    workflow.dossier_receive(dossier=dossier, actor=people.reception)
    Dossier.objects.filter(pk=dossier.pk).update(due_at=timezone.now() - timedelta(hours=2))
    deadline_sweep_run()
    assert Apology.objects.get(dossier=dossier).state == ApologyState.WAITING_FOR_DATE
    day = next_working_day(timezone.localdate() + timedelta(days=3))
    url = live_server.url
    log_in(page, url, people.reception, current_totp_code)

    page.goto(url + "/officer/queues/all/?time_left=overdue")
    page.get_by_role("link", name=dossier.code).click()
    form = page.locator("#action-apology")
    expect(form).to_contain_text("Phiếu xin lỗi lần 1 đang chờ ngày hẹn mới")
    assert_accessible(page)

    form.get_by_label("Ngày, giờ hẹn lại trả kết quả").fill(f"{day:%Y-%m-%d}T21:00")
    form.get_by_label("Lý do chậm trễ").fill("Chờ ý kiến của cơ quan phối hợp")
    form.get_by_role("button", name="Hẹn lại ngày trả kết quả").click()
    form = page.locator("#action-apology")
    expect(form.locator(".errorlist").first).to_contain_text("Chọn giờ từ")
    expect(form.get_by_label("Lý do chậm trễ")).to_have_value("Chờ ý kiến của cơ quan phối hợp")
    assert_accessible(page)

    form.get_by_label("Ngày, giờ hẹn lại trả kết quả").fill(f"{day:%Y-%m-%d}T10:00")
    form.get_by_role("button", name="Hẹn lại ngày trả kết quả").click()
    expect(page.get_by_role("main")).to_contain_text("Đã hẹn lại ngày trả kết quả")
    expect(page.get_by_role("main")).to_contain_text(f"10:00 {day:%d/%m/%Y}")  # the new due date
    assert Apology.objects.get(dossier=dossier).state == ApologyState.ISSUED
    letters = DossierOutput.objects.filter(dossier=dossier, kind=OutputKind.APOLOGY_04)
    for _ in range(50):  # the letter is rendered by a task after the commit
        if letters.exists():
            break
        time.sleep(0.2)
    page.reload()
    expect(page.get_by_role("link", name="Tải Mẫu 04: Phiếu xin lỗi")).to_be_visible()
