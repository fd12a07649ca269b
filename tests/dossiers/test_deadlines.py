"""Deadlines (DESIGN §5): due date on receipt, the clock stopped by a supplement request, the
time-left status, late for good, the set-based sweep, apologies (Mẫu 04) once per episode."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from dossiers import deadlines, workflow
from dossiers.apologies import apology_deliver, apology_issue, apology_set_new_date
from dossiers.models import (
    Apology,
    ApologyState,
    DigestLog,
    Dossier,
    DossierEvent,
    DossierOutput,
    DossierStatus,
    EmailLog,
    OutputKind,
    SyncOutbox,
)
from dossiers.sweep import deadline_sweep_run
from dossiers.tasks import deadline_sweep
from dossiers.workflow import NotAllowed, WorkflowError
from procedures.models import ProcedureVersion, RequiredDocument
from procedures.services import version_publish
from tests.factories.procedures import SIMPLE_SCHEMA, ProcedureFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
S = DossierStatus


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def travel(text: str):
    return time_machine.travel(at(text), tick=False)


def set_version(people, *, processing_days=3, supplement_clock="restart"):
    """A published version of its own (published versions are frozen in the database)."""
    proc = ProcedureFactory(agencies=[people.agency])
    version = ProcedureVersion.objects.create(
        procedure=proc,
        number=1,
        processing_days=processing_days,
        supplement_clock=supplement_clock,
        form_schema=SIMPLE_SCHEMA,
        fee_kind="free",
        fee_amount=0,
    )
    RequiredDocument.objects.create(
        version=version, key="giay_chung_sinh", name="Giấy chứng sinh", position=1
    )
    people.version = version_publish(version=version)


# --- due dates and the clock ----------------------------------------------------------------


def test_it_sets_the_due_date_on_receive_across_tet(people):
    set_version(people, processing_days=5)
    dossier = people.dossier(S.SUBMITTED)
    with travel("2026-02-09 10:00"):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)
    # 10, 11, 12, 13 Feb, then Tết (14–22 Feb) off, 23 Feb is the 5th working day.
    assert dossier.due_at == at("2026-02-23 10:00")
    assert dossier.clock_paused_at is None


def _in_review(people, received="2026-02-02 10:00", due="2026-02-09 10:00"):
    return people.dossier(S.IN_REVIEW, received_at=at(received), due_at=at(due))


def _supplement_then_resubmit(people, dossier, asked="2026-02-04 10:00", back="2026-02-12 10:00"):
    with travel(asked):
        workflow.dossier_request_supplement(
            dossier=dossier,
            actor=people.specialist,
            items=[{"what": "Giấy chứng sinh", "reason": "Bản chụp mờ"}],
        )
    assert dossier.clock_paused_at == at(asked)
    assert deadlines.dossier_time_left(dossier) is None  # the clock is stopped
    with travel(back):
        workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    dossier.refresh_from_db()
    return DossierEvent.objects.filter(dossier=dossier, action="resubmit").get()


def test_a_resubmission_restarts_the_clock(people):
    set_version(people, processing_days=5, supplement_clock="restart")
    dossier = _in_review(people)
    event = _supplement_then_resubmit(people, dossier)
    # Full 5 working days from 12 Feb: 13, 23, 24, 25, 26 (Tết in between).
    assert dossier.due_at == at("2026-02-26 10:00")
    assert dossier.clock_paused_at is None and dossier.status == S.IN_REVIEW
    assert event.data["clock"] == "restart"
    assert event.data["old_due_at"] == at("2026-02-09 10:00").isoformat()
    assert event.data["new_due_at"] == at("2026-02-26 10:00").isoformat()


def test_a_resubmission_continues_the_clock(people):
    set_version(people, processing_days=5, supplement_clock="continue")
    dossier = _in_review(people)
    event = _supplement_then_resubmit(people, dossier)
    # Stopped on 4 Feb 10:00 with 3 working days left (5, 6, 9 Feb): 13, 23, 24 Feb.
    assert dossier.due_at == at("2026-02-24 10:00")
    assert event.data["clock"] == "continue"
    assert event.data["new_due_at"] == at("2026-02-24 10:00").isoformat()


@pytest.mark.parametrize("asked", ["2026-02-04 10:00", "2026-02-04 10:01"])
def test_a_short_pause_keeps_the_due_date_to_the_minute(people, asked):
    """The continued clock carries the part of a day that was left: a pause of a minute or two
    moves the due date by that much, never by a working day."""
    set_version(people, processing_days=5, supplement_clock="continue")
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-02-02 10:00"), due_at=at("2026-02-09 10:00")
    )
    with travel(asked):
        workflow.dossier_request_supplement(
            dossier=dossier, actor=people.specialist, items=[{"what": "CCCD", "reason": "Mờ"}]
        )
    with travel("2026-02-04 10:02"):
        workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    assert dossier.due_at == at("2026-02-09 10:00") + (at("2026-02-04 10:02") - at(asked))


def test_a_supplement_asked_at_reception_has_no_clock_to_stop(people):
    dossier = people.dossier(S.SUBMITTED)
    workflow.dossier_request_supplement(
        dossier=dossier, actor=people.reception, items=[{"what": "CCCD", "reason": "Thiếu"}]
    )
    assert dossier.clock_paused_at is None
    workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    assert dossier.due_at is None and dossier.status == S.SUBMITTED


# --- time left ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "now, due, expected",
    [
        ("2026-03-10 09:59", "2026-03-11 10:00", "on_track"),  # a day and a minute left
        ("2026-03-10 10:00", "2026-03-11 10:00", "due_soon"),  # exactly one working day
        ("2026-03-11 10:00", "2026-03-11 10:00", "due_soon"),  # due now
        ("2026-03-11 10:01", "2026-03-11 10:00", "overdue"),
        ("2026-03-13 10:00", "2026-03-16 10:00", "due_soon"),  # Friday → Monday
        ("2026-03-12 10:00", "2026-03-16 10:00", "on_track"),
        ("2026-02-13 10:00", "2026-02-23 10:00", "due_soon"),  # across Tết: 1 working day
        ("2026-02-12 10:00", "2026-02-23 10:00", "on_track"),
    ],
)
def test_the_time_left_status_in_python_and_in_sql_agree(people, now, due, expected):
    dossier = people.dossier(S.IN_REVIEW, due_at=at(due))
    with travel(now):
        assert deadlines.time_left_status(due_at=at(due)) == expected
        assert deadlines.dossier_time_left(dossier) == expected
        annotated = Dossier.objects.annotate(tl=deadlines.time_left_annotation()).get(pk=dossier.pk)
    assert annotated.tl == expected


def test_due_soon_reads_its_window_from_the_settings(settings):
    settings.DUE_SOON_WORKING_DAYS = 2
    with travel("2026-03-10 10:00"):
        assert deadlines.time_left_status(due_at=at("2026-03-12 10:00")) == "due_soon"
        assert deadlines.time_left_status(due_at=at("2026-03-12 10:01")) == "on_track"
    assert deadlines.time_left_status(due_at=None) is None


def test_finished_or_paused_dossiers_have_no_time_left(people):
    for status in (S.COMPLETED, S.WITHDRAWN, S.REFUSED, S.SUPPLEMENT_REQUESTED, S.SUBMITTED):
        dossier = people.dossier(status, due_at=at("2026-03-11 10:00"))
        assert deadlines.dossier_time_left(dossier) is None
        tl = Dossier.objects.annotate(tl=deadlines.time_left_annotation()).get(pk=dossier.pk).tl
        assert tl is None


def test_the_dossier_page_says_the_time_left_in_words(client, people):
    dossier = people.dossier(S.IN_REVIEW, due_at=at("2026-03-11 10:00"))
    client.force_login(people.applicant)
    with travel("2026-03-12 09:00"):
        page = client.get(f"/dossiers/{dossier.public_id}/").content.decode()
    assert "Quá hạn" in page


# --- late for good --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "returned, late", [("2026-03-11 09:00", False), ("2026-03-11 11:00", True)]
)
def test_a_result_returned_after_the_due_date_is_late_for_good(people, returned, late):
    dossier = people.dossier(S.RESULT_READY, due_at=at("2026-03-11 10:00"))
    with travel(returned):
        workflow.dossier_return_result(dossier=dossier, actor=people.reception)
    dossier.refresh_from_db()
    assert dossier.completed_late is late
    if late:
        with pytest.raises(IntegrityError), transaction.atomic():
            Dossier.objects.filter(pk=dossier.pk).update(completed_late=False)


def test_a_result_returned_before_the_new_appointment_is_still_late(people):
    dossier = people.dossier(S.RESULT_READY, due_at=at("2026-03-20 10:00"), late_episodes=1)
    with travel("2026-03-11 09:00"):
        workflow.dossier_return_result(dossier=dossier, actor=people.reception)
    assert Dossier.objects.get(pk=dossier.pk).completed_late is True


# --- the sweep ------------------------------------------------------------------------------


@pytest.fixture
def sweep_set(people):
    """Dossiers around 'now' = Tue 10 Mar 2026 10:00."""
    d = people.dossier
    return {
        "overdue": d(S.IN_REVIEW, due_at=at("2026-03-09 10:00")),
        "overdue_ready": d(S.RESULT_READY, due_at=at("2026-03-09 10:00")),
        "soon": d(S.RECEIVED, due_at=at("2026-03-11 09:00")),
        "soon_known": d(
            S.IN_REVIEW, due_at=at("2026-03-11 09:00"), expected_result_at=at("2026-03-18 10:00")
        ),
        "ready_soon": d(S.RESULT_READY, due_at=at("2026-03-11 09:00")),
        "later": d(S.IN_REVIEW, due_at=at("2026-03-20 10:00")),
        "paused": d(S.SUPPLEMENT_REQUESTED, due_at=at("2026-03-09 10:00")),
        "completed": d(S.COMPLETED, due_at=at("2026-03-09 10:00")),
        "withdrawn": d(S.WITHDRAWN, due_at=at("2026-03-09 10:00")),
    }


def test_the_sweep_marks_overdue_dossiers_once_in_a_few_queries(sweep_set):
    with travel("2026-03-10 10:00"), CaptureQueriesContext(connection) as queries:
        result = deadline_sweep_run()
    assert len(queries) <= 10  # 5 statements + savepoints, whatever the number of dossiers
    assert result.overdue == 2
    marked = set(Dossier.objects.filter(overdue_at__isnull=False).values_list("pk", flat=True))
    assert marked == {sweep_set["overdue"].pk, sweep_set["overdue_ready"].pk}
    events = DossierEvent.objects.filter(action="overdue")
    assert {(e.dossier_id, e.from_status, e.to_status) for e in events} == {
        (sweep_set["overdue"].pk, S.IN_REVIEW, S.IN_REVIEW),
        (sweep_set["overdue_ready"].pk, S.RESULT_READY, S.RESULT_READY),
    }
    outbox = SyncOutbox.objects.filter(event__action="overdue")
    assert outbox.count() == 2
    assert {o.payload["action"] for o in outbox} == {"overdue"}
    with travel("2026-03-10 10:05"):
        assert deadline_sweep_run().overdue == 0
    assert DossierEvent.objects.filter(action="overdue").count() == 2


def test_the_sweep_creates_one_apology_per_episode(sweep_set):
    with travel("2026-03-10 10:00"):
        first = deadline_sweep_run()
        again = deadline_sweep_run()
    assert first.apologies_created == 4 and again.apologies_created == 0
    apologies = {a.dossier_id: a for a in Apology.objects.all()}
    assert set(apologies) == {
        sweep_set[k].pk for k in ("overdue", "overdue_ready", "soon", "soon_known")
    }
    assert all(a.episode == 1 for a in apologies.values())
    known = apologies[sweep_set["soon_known"].pk]
    assert known.state == ApologyState.ISSUED
    assert known.new_appointment == at("2026-03-18 10:00")
    assert first.apologies_to_deliver == [known.pk]
    assert apologies[sweep_set["soon"].pk].state == ApologyState.WAITING_FOR_DATE
    with pytest.raises(IntegrityError), transaction.atomic():
        Apology.objects.create(dossier=sweep_set["soon"], episode=1)


def test_an_apology_the_sweep_issues_moves_the_dossier_like_an_officers(sweep_set):
    """The officer's expected date makes the sweep issue the apology itself: the dossier is then
    due at the new appointment (not overdue before it), the move is an event synced to the
    national portal, and a slip past the new appointment is a second episode."""
    known = sweep_set["soon_known"]
    with travel("2026-03-10 10:00"):
        deadline_sweep_run()
    known.refresh_from_db()
    assert known.due_at == at("2026-03-18 10:00")
    assert (known.late_episodes, known.expected_result_at, known.overdue_at) == (1, None, None)
    event = known.events.get(action="apology")
    assert (event.from_status, event.to_status, event.actor_id) == (S.IN_REVIEW, S.IN_REVIEW, None)
    assert event.data["episode"] == 1
    payload = SyncOutbox.objects.get(event=event).payload
    assert (payload["action"], payload["code"]) == ("apology", known.code)
    assert datetime.fromisoformat(payload["new_due_at"]) == at("2026-03-18 10:00")

    with travel("2026-03-12 10:00"):  # after the first due date, before the new appointment
        deadline_sweep_run()
    assert not known.events.filter(action="overdue").exists()
    with travel("2026-03-20 10:00"):  # the new appointment has passed: episode 2
        deadline_sweep_run()
    assert list(
        Apology.objects.filter(dossier=known).order_by("episode").values_list("episode", "state")
    ) == [(1, ApologyState.ISSUED), (2, ApologyState.WAITING_FOR_DATE)]
    assert known.events.filter(action="overdue").count() == 1


def test_the_sweep_task_mails_one_digest_per_agency_a_day_and_the_letters(people, sweep_set):
    with travel("2026-03-10 10:00"):
        deadline_sweep.delay()
    digests = [m for m in mail.outbox if m.subject.startswith("Tổng hợp")]
    letters = [m for m in mail.outbox if m.subject.startswith("Thư xin lỗi")]
    assert len(digests) == 1 and len(letters) == 1
    assert set(digests[0].to) == {people.reception.email, people.specialist.email}
    assert sweep_set["soon"].code in digests[0].body  # due soon, apology waiting for a date
    assert "Cần hẹn lại ngày" in digests[0].body
    # each waiting apology links to the form that gives its date
    form_url = f"/officer/dossiers/{sweep_set['soon'].public_id}/#action-apology"
    assert f"{sweep_set['soon'].code} (lần trễ hạn 1): http" in digests[0].body
    assert form_url in digests[0].body
    assert letters[0].to == [people.applicant.email]
    assert letters[0].attachments[0][2] == "application/pdf"
    with travel("2026-03-10 15:00"):
        deadline_sweep.delay()
    assert len(mail.outbox) == 2
    assert DigestLog.objects.count() == 1
    assert EmailLog.objects.filter(kind="apology").count() == 1
    with travel("2026-03-11 08:30"):
        deadline_sweep.delay()
    assert DigestLog.objects.count() == 2  # a new day, a new digest


# --- apologies ------------------------------------------------------------------------------


def _pdf_text(output: DossierOutput) -> str:
    with output.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_an_officer_sets_the_new_date_and_the_letter_is_issued_once(
    people, django_capture_on_commit_callbacks
):
    dossier = people.dossier(
        S.IN_REVIEW, received_at=at("2026-03-02 10:00"), due_at=at("2026-03-09 10:00")
    )
    dossier.agency.head_name = "Phạm Thị Thu Hằng"
    dossier.agency.save(update_fields=["head_name"])
    with travel("2026-03-10 10:00"):
        deadline_sweep_run()
        apology = Apology.objects.get(dossier=dossier)
        with pytest.raises(NotAllowed):
            apology_set_new_date(
                apology=apology,
                actor=people.foreign_officer,
                new_appointment=at("2026-03-17 10:00"),
                reason="x",
            )
        with django_capture_on_commit_callbacks(execute=True):
            apology_set_new_date(
                apology=apology,
                actor=people.reception,
                new_appointment=at("2026-03-17 10:00"),
                reason="Chờ ý kiến của cơ quan phối hợp",
            )
        with pytest.raises(WorkflowError):
            apology_set_new_date(
                apology=apology,
                actor=people.reception,
                new_appointment=at("2026-03-18 10:00"),
                reason="lần nữa",
            )
        assert apology_deliver(apology_id=apology.pk) is False  # mailed once already
    apology.refresh_from_db()
    dossier.refresh_from_db()
    assert apology.state == ApologyState.ISSUED and apology.emailed_at is not None
    assert dossier.due_at == at("2026-03-17 10:00") and dossier.late_episodes == 1
    assert dossier.overdue_at is None
    event = DossierEvent.objects.get(dossier=dossier, action="apology")
    assert event.data["old_due_at"] == at("2026-03-09 10:00").isoformat()
    assert len([m for m in mail.outbox if m.subject.startswith("Thư xin lỗi")]) == 1

    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.APOLOGY_04)
    assert output.key == "1"
    text = " ".join(_pdf_text(output).split())
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert dossier.code in text
    assert "ngày 09 tháng 3 năm 2026" in text  # the original appointment
    assert "ngày 17 tháng 3 năm 2026" in text  # the new appointment
    assert "Ngày 02 tháng 3 năm 2026" in text  # received
    assert "Chờ ý kiến của cơ quan phối hợp" in text
    assert "Tuy nhiên, đến nay" in text and "đúng hẹn" not in text  # late already
    assert "THỦ TRƯỞNG CƠ QUAN" in text
    assert "(Ký, ghi rõ họ tên và đóng dấu) Phạm Thị Thu Hằng Trang 1/1" in text  # the head signs

    # The new appointment slips again: a second episode, a second letter.
    with travel("2026-03-17 11:00"):
        deadline_sweep_run()
    assert sorted(Apology.objects.filter(dossier=dossier).values_list("episode", flat=True)) == [
        1,
        2,
    ]


def test_an_officer_can_issue_an_apology_by_hand_before_the_due_date(
    people, client, django_capture_on_commit_callbacks
):
    dossier = people.dossier(
        S.IN_REVIEW,
        received_at=at("2026-03-02 10:00"),
        due_at=at("2026-03-13 10:00"),
        applicant_data={"full_name": "Nguyễn Thị Lan", "phone": "0903123789"},
    )
    with travel("2026-03-10 10:00"):
        with django_capture_on_commit_callbacks(execute=True):
            apology = apology_issue(
                dossier=dossier,
                actor=people.specialist,
                new_appointment=at("2026-03-20 10:00"),
                reason="Cần xác minh thêm",
            )
        deadline_sweep_run()  # the current episode has its apology: nothing new
    assert apology.episode == 1 and Apology.objects.filter(dossier=dossier).count() == 1
    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.APOLOGY_04)
    text = " ".join(_pdf_text(output).split())
    # before the appointment: it will not be kept, it is not missed yet
    assert "không thể trả kết quả giải quyết hồ sơ cho Ông/Bà đúng hẹn" in text
    assert "đến nay" not in text
    page = client.post(
        reverse("dossiers:lookup"), {"code": dossier.code, "last4": "3789"}, REMOTE_ADDR="10.9.9.9"
    ).content.decode()
    assert "Đã có thư xin lỗi, hẹn lại ngày" in page and "20/03/2026" in page
    assert "Nguyễn Thị Lan" not in page


def test_healthz_fails_when_the_last_sweep_is_older_than_three_intervals(client):
    from portal.celery import app
    from portal.models import Heartbeat
    from portal.tasks import heartbeat_record

    app.conf.task_always_eager = False
    try:
        heartbeat_record()
        heartbeat_record(name="deadline_sweep")
        assert client.get("/healthz").json()["beat"]["deadline_sweep"]["ok"] is True
        Heartbeat.objects.filter(name="deadline_sweep").update(
            at=Heartbeat.objects.get(name="deadline_sweep").at - timedelta(minutes=16)
        )
        response = client.get("/healthz")
    finally:
        app.conf.task_always_eager = True
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["beat"] and body["beat"]["deadline_sweep"]["ok"] is False


def test_an_apology_of_a_counter_dossier_waiting_for_its_owner_is_not_mailed(sweep_set):
    """The address may be mistyped (dossiers.views.citizen.owner_check): the letter waits on
    the dossier and the sweep does not queue it every run."""
    Dossier.objects.filter(pk=sweep_set["soon_known"].pk).update(owner_check_pending=True)
    with travel("2026-03-10 10:00"):
        result = deadline_sweep_run()
    assert result.apologies_created == 4 and result.apologies_to_deliver == []


@pytest.mark.django_db(transaction=True)
def test_the_sweep_does_not_move_a_dossier_withdrawn_while_it_waits(people):
    """The sweep's apology moves the dossier under the row's lock: when a transition (here the
    citizen withdrawing) holds the row, the sweep waits and then re-checks the status."""
    import threading
    import time

    now = timezone.now()
    dossier = people.dossier(
        S.IN_REVIEW, due_at=now - timedelta(hours=1), expected_result_at=now + timedelta(days=7)
    )
    withdrawn = threading.Event()

    def withdraw():
        try:
            with transaction.atomic():
                workflow.dossier_withdraw(
                    dossier=Dossier.objects.get(pk=dossier.pk),
                    actor=people.applicant,
                    reason="Không cần nữa",
                )
                withdrawn.set()
                time.sleep(1)  # the sweep starts meanwhile and waits on the row
        finally:
            connection.close()

    thread = threading.Thread(target=withdraw)
    thread.start()
    assert withdrawn.wait(10)
    deadline_sweep_run(now=now)
    thread.join()
    dossier.refresh_from_db()
    assert dossier.status == S.WITHDRAWN
    assert dossier.due_at == now - timedelta(hours=1)  # not moved
    assert not dossier.events.filter(action="apology").exists()
    assert not SyncOutbox.objects.filter(event__dossier=dossier, event__action="apology").exists()
