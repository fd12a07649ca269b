"""Mẫu 04 from the officer's dossier page: the new appointment for the apology the sweep keeps
waiting, or an apology ahead of a delay the officer foresees; bad input changes nothing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from dossiers.models import Apology, ApologyState, DossierEvent, DossierOutput, OutputKind
from dossiers.models import DossierStatus as S
from dossiers.sweep import deadline_sweep_run
from tests.dossiers.officer_support import login, officer_url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def travel(text: str):
    return time_machine.travel(at(text), tick=False)


def post(client, dossier, when: str, reason: str = "Chờ ý kiến của Sở Tư pháp"):
    return client.post(
        officer_url("apology", dossier),
        {"apology-new_appointment": when, "apology-reason": reason},
    )


def test_the_officer_sets_the_date_the_sweeps_apology_waits_for(
    people, client, django_capture_on_commit_callbacks
):
    dossier = people.dossier(S.IN_REVIEW, received_at=at("2026-03-02 10:00"))
    dossier.due_at = at("2026-03-09 10:00")
    dossier.save(update_fields=["due_at"])
    with travel("2026-03-10 10:00"):
        deadline_sweep_run()
        [waiting] = Apology.objects.filter(dossier=dossier)
        assert waiting.state == ApologyState.WAITING_FOR_DATE
        login(client, people.specialist)
        page = client.get(officer_url("detail", dossier)).content.decode()
        assert "Hẹn lại ngày trả kết quả (New appointment — Mẫu 04)" in page
        assert "Phiếu xin lỗi lần 1 đang chờ ngày hẹn mới" in page

        with django_capture_on_commit_callbacks(execute=True):
            response = post(client, dossier, "2026-03-17T10:00")

    assert response.status_code == 302
    waiting.refresh_from_db()
    dossier.refresh_from_db()
    assert (waiting.state, waiting.new_appointment, waiting.reason) == (
        ApologyState.ISSUED,
        at("2026-03-17 10:00"),
        "Chờ ý kiến của Sở Tư pháp",
    )
    assert Apology.objects.filter(dossier=dossier).count() == 1  # the same episode, not a new one
    assert dossier.due_at == at("2026-03-17 10:00") and dossier.late_episodes == 1
    event = DossierEvent.objects.get(dossier=dossier, action="apology")
    assert event.actor == people.specialist
    assert DossierOutput.objects.filter(dossier=dossier, kind=OutputKind.APOLOGY_04).exists()
    assert [m.to for m in mail.outbox if m.subject.startswith("Thư xin lỗi")] == [
        [people.applicant.email]
    ]


def test_an_officer_who_foresees_the_delay_apologises_before_the_due_date(
    people, client, django_capture_on_commit_callbacks
):
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-03-02 10:00"), due_at=at("2026-03-09 10:00")
    )
    login(client, people.reception)
    with travel("2026-03-05 09:00"):
        page = client.get(officer_url("detail", dossier)).content.decode()
        assert "Xin lỗi và hẹn lại trước hạn (Foreseen delay — Mẫu 04)" in page
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, dossier, "2026-03-16T14:30").status_code == 302
    [apology] = Apology.objects.filter(dossier=dossier)
    assert (apology.episode, apology.state, apology.original_due_at) == (
        1,
        ApologyState.ISSUED,
        at("2026-03-09 10:00"),
    )
    dossier.refresh_from_db()
    assert dossier.due_at == at("2026-03-16 14:30")


@pytest.mark.parametrize(
    ("when", "reason", "message"),
    [
        ("2026-03-04T10:00", "x", "phải sau thời điểm hiện tại"),
        ("2026-03-14T10:00", "x", "Ngày 14/03/2026 là ngày nghỉ"),  # a Saturday
        ("2026-04-30T10:00", "x", "Ngày 30/04/2026 là ngày nghỉ"),  # Reunification Day
        ("2026-03-17T21:00", "x", "Chọn giờ từ"),
        ("2026-03-17T17:00", "x", "Chọn giờ từ"),  # the office closes at 17:00
        ("2026-03-06T10:00", "x", "phải sau ngày hẹn hiện tại (10:00 09/03/2026)"),
        ("2026-03-09T10:00", "x", "phải sau ngày hẹn hiện tại"),  # never shortened
        ("17/03/2026", "x", "Ngày giờ không hợp lệ"),
        ("2026-03-17T10:00", "", "Vui lòng ghi rõ lý do"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(people, client, when, reason, message):
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-03-02 10:00"), due_at=at("2026-03-09 10:00")
    )
    login(client, people.reception)
    with travel("2026-03-05 09:00"):
        response = post(client, dossier, when, reason)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{when}"' in html and f"{reason}</textarea>" in html  # what was typed is kept
    assert not Apology.objects.filter(dossier=dossier).exists()
    dossier.refresh_from_db()
    assert dossier.due_at == at("2026-03-09 10:00")


def test_a_dossier_out_of_processing_has_no_apology_to_give(people, client):
    dossier = people.dossier(S.SUBMITTED)
    login(client, people.reception)
    assert "Mẫu 04)" not in client.get(officer_url("detail", dossier)).content.decode()
    with travel("2026-03-05 09:00"):
        response = post(client, dossier, "2026-03-16T14:30")
    assert response.status_code == 400
    assert "không còn đang giải quyết" in response.content.decode()
    assert not Apology.objects.filter(dossier=dossier).exists()  # rolled back with the refusal


def test_only_officers_of_the_agency_give_apologies(people, client):
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-03-02 10:00"), due_at=at("2026-03-09 10:00")
    )
    client.force_login(UserFactory(roles=["citizen"]))
    assert post(client, dossier, "2026-03-16T14:30").status_code == 403
    login(client, people.foreign_officer)
    assert post(client, dossier, "2026-03-16T14:30").status_code == 404
    assert not Apology.objects.filter(dossier=dossier).exists()


def test_deliverable_email_skips_the_counters_placeholder_accounts():
    from dossiers.selectors import deliverable_email

    assert deliverable_email("", "quay-x90000@counter.invalid") == ""
    assert deliverable_email(None, "lan@example.vn") == "lan@example.vn"
    assert deliverable_email("Lan@Example.vn", "other@example.vn") == "Lan@Example.vn"
    assert deliverable_email("QUAY-X@COUNTER.INVALID", None) == ""


def walk_in_without_email(people):
    placeholder = UserFactory(email=f"quay-{people.agency.code.lower()}@counter.invalid")
    return people.dossier(
        S.IN_REVIEW,
        applicant=placeholder,
        channel="counter",
        applicant_data={"full_name": "Võ Văn Tám", "phone": "0903000111"},
        received_at=at("2026-03-02 10:00"),
        due_at=at("2026-03-09 10:00"),
    )


def test_a_letter_that_could_not_be_mailed_is_handed_over_and_recorded(
    people, client, django_capture_on_commit_callbacks
):
    dossier = walk_in_without_email(people)
    login(client, people.reception)
    with travel("2026-03-05 09:00"):
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, dossier, "2026-03-16T14:30").status_code == 302
        apology = Apology.objects.get(dossier=dossier)
        assert apology.emailed_at is not None and apology.emailed_to == ""
        assert not [m for m in mail.outbox if "counter.invalid" in " ".join(m.to)]
        page = client.get(officer_url("detail", dossier)).content.decode()
        assert "Phiếu xin lỗi cần trao cho người nộp" in page
        assert "Phiếu xin lỗi lần 1, hẹn lại 14:30 16/03/2026" in page

        url = officer_url("apology_handed_over", dossier, episode=1)
        refused = client.post(url, {})
        assert refused.status_code == 400
        assert "Chọn cách trao phiếu" in refused.content.decode()
        assert client.post(url, {"handover-1-method": "post"}).status_code == 302

    apology.refresh_from_db()
    assert apology.handover == "post" and apology.handed_over_by == people.reception
    event = DossierEvent.objects.get(dossier=dossier, action="apology_handed_over")
    assert event.actor == people.reception and event.data == {"episode": 1, "method": "post"}
    assert event.from_status == event.to_status == S.IN_REVIEW
    page = client.get(officer_url("detail", dossier)).content.decode()
    assert "Phiếu xin lỗi cần trao cho người nộp" not in page
    assert "Đã trao Phiếu xin lỗi (Mẫu 04)" in page  # in the timeline
    again = client.post(url, {"handover-1-method": "in_person"})
    assert again.status_code == 400 and "không cần trao" in again.content.decode()
    apology.refresh_from_db()
    assert apology.handover == "post"


def test_a_mailed_letter_has_nothing_to_hand_over(
    people, client, django_capture_on_commit_callbacks
):
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-03-02 10:00"), due_at=at("2026-03-09 10:00")
    )
    login(client, people.reception)
    with travel("2026-03-05 09:00"), django_capture_on_commit_callbacks(execute=True):
        post(client, dossier, "2026-03-16T14:30")
    apology = Apology.objects.get(dossier=dossier)
    assert apology.emailed_to == people.applicant.email
    assert (
        "Phiếu xin lỗi cần trao" not in client.get(officer_url("detail", dossier)).content.decode()
    )
    url = officer_url("apology_handed_over", dossier, episode=1)
    assert client.post(url, {"handover-1-method": "post"}).status_code == 400
    assert not DossierEvent.objects.filter(action="apology_handed_over").exists()
