"""Mẫu 01, 02 and 03 are issued when their events happen (one Mẫu 02 per supplement round), and
Mẫu 05 is printed on demand from the events, each step judged early / on time / late."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from dossiers import outputs, workflow
from dossiers.control_sheet import (
    EARLY,
    LATE,
    ON_TIME,
    control_sheet_pdf,
    control_sheet_rows,
    step_result,
)
from dossiers.models import Dossier, DossierOutput, DossierStatus, OutputKind
from dossiers.pdf import pdf_text
from procedures.models import DocumentForm
from tests.factories.procedures import published_version

pytestmark = pytest.mark.django_db
S = DossierStatus
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def compact(text: str) -> str:
    # Compared without whitespace: where WeasyPrint wraps a line is not the point here.
    return "".join(text.split())


def printed(output: DossierOutput) -> str:
    with output.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    return compact(pdf_text(data))


def test_a_supplement_request_issues_mau_02_with_every_item_and_whom_to_call(
    people, django_capture_on_commit_callbacks
):
    profile = people.specialist.officer_profile
    profile.phone = "028 3829 1234"
    profile.save(update_fields=["phone"])
    dossier = people.dossier(S.IN_REVIEW)
    items = [
        {"what": "Tờ khai đăng ký khai sinh", "reason": "Thiếu chữ ký của người đi đăng ký"},
        {"what": "Giấy chứng sinh", "reason": "Bản chụp bị mờ, không đọc được số"},
    ]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_request_supplement(dossier=dossier, actor=people.specialist, items=items)

    event = dossier.events.get(action="request_supplement")
    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.SUPPLEMENT_02)
    assert (output.key, output.event) == (str(event.pk), event)
    text = printed(output)
    for expected in [
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        dossier.code,
        "Nguyễn Thị Lan",
        people.version.procedure.name,
        *[i["what"] for i in items],
        *[i["reason"] for i in items],
        "một lần, đầy đủ",
        people.specialist.full_name or people.specialist.email,
        "028 3829 1234",
        "NGƯỜI HƯỚNG DẪN",
    ]:
        assert compact(expected) in text, expected


def test_each_supplement_round_gets_its_own_form_and_the_agency_phone_is_the_fallback(
    people, django_capture_on_commit_callbacks
):
    people.agency.phone = "028 3822 0000"
    people.agency.save(update_fields=["phone"])
    dossier = people.dossier(S.SUBMITTED)
    for what in ("Tờ khai", "Ảnh chân dung"):
        with django_capture_on_commit_callbacks(execute=True):
            workflow.dossier_request_supplement(
                dossier=dossier, actor=people.reception, items=[{"what": what, "reason": "Thiếu"}]
            )
        with django_capture_on_commit_callbacks(execute=True):
            workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)

    forms = list(DossierOutput.objects.filter(dossier=dossier, kind=OutputKind.SUPPLEMENT_02))
    rounds = list(dossier.events.filter(action="request_supplement").order_by("id"))
    assert [f.key for f in forms] == [str(e.pk) for e in rounds]
    first, second = printed(forms[0]), printed(forms[1])
    assert "Tờkhai" in first and "Ảnhchândung" not in first
    assert "Ảnhchândung" in second and "(lần2)" in second
    # asked once and completely, then of what was supplemented: the second does not say "once"
    assert "mộtlần,đầyđủ" in first and "mộtlần,đầyđủ" not in second and "lầnnày" in second
    # filed, not yet received: "đã nhận", not "đã tiếp nhận"
    assert "đãnhậnhồsơcủa" in first and "tiếpnhậnhồsơcủa" not in first
    assert "02838220000" in second


def test_a_refusal_issues_mau_03_with_the_specific_reasons(
    people, django_capture_on_commit_callbacks
):
    dossier = people.dossier(S.SUBMITTED)
    reasons = (
        "Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân phường\n"
        "Người nộp không phải là người có yêu cầu đăng ký"
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_refuse(dossier=dossier, actor=people.reception, reasons=reasons)

    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.REFUSAL_03)
    assert output.event == dossier.events.get(action="refuse")
    text = printed(output)
    for expected in [
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Nguyễn Thị Lan",
        people.version.procedure.name,
        *reasons.splitlines(),
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        people.reception.get_full_name(),
    ]:
        assert compact(expected) in text, expected


def test_receiving_issues_mau_01(people, django_capture_on_commit_callbacks):
    dossier = people.dossier(S.SUBMITTED)
    people.document(dossier, name="giấy-chứng-sinh.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)

    output = DossierOutput.objects.get(dossier=dossier, kind=OutputKind.RECEIPT_01)
    assert output.event == dossier.events.get(action="receive")
    text = printed(output)
    for expected in [
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        dossier.code,
        "Nguyễn Thị Lan",
        "Giấy chứng sinh",
        "Bản điện tử",
        people.reception.get_full_name(),
        f"năm{dossier.due_at.astimezone(TZ):%Y}",
    ]:
        assert compact(expected) in text, expected


@pytest.fixture
def two_more_documents(people):
    """A version that asks for two more documents, listed before the birth certificate."""
    return published_version(
        agencies=[people.agency],
        documents=[
            {"key": "to_khai", "name": "Tờ khai đăng ký khai sinh", "position": 0},
            {
                "key": "zz_ket_hon",
                "name": "Giấy chứng nhận kết hôn",
                "position": 0,
                "form": DocumentForm.CERTIFIED_COPY,
                "copies": 2,
            },
        ],
    )


@pytest.mark.parametrize(
    "channel, expected",
    [
        (
            "online",
            [
                ("Tờ khai đăng ký khai sinh", "Bản điện tử", 1),
                ("Giấy chứng nhận kết hôn", "Bản điện tử", 1),
                ("Giấy chứng sinh", "Bản điện tử", 2),
            ],
        ),
        (
            "counter",
            [
                ("Tờ khai đăng ký khai sinh", "Bản chính", 1),
                ("Giấy chứng nhận kết hôn", "Bản sao chứng thực", 2),
                ("Giấy chứng sinh", "Bản chính", 1),
            ],
        ),
    ],
)
def test_mau_01_lists_the_procedures_documents_with_their_form_and_copies(
    people, two_more_documents, channel, expected
):
    dossier = people.dossier(S.SUBMITTED, channel=channel, version=two_more_documents)
    people.document(dossier, name="a.pdf")
    people.document(dossier, name="b.pdf")
    people.document(dossier, slot="to_khai")
    people.document(dossier, slot="zz_ket_hon")
    people.document(dossier, slot="result_draft")  # the agency's own: not a document received

    rows = outputs.received_documents(dossier)
    assert [(r["name"], r["kind"], r["count"]) for r in rows] == expected


def test_mau_01_numbers_the_logbook_in_the_local_year(people):
    dossier = people.dossier(S.RECEIVED)
    # 1 January 2027, 00:30 in Ho Chi Minh City is still 2026 in UTC
    received = datetime(2027, 1, 1, 0, 30, tzinfo=TZ)
    Dossier.objects.filter(pk=dossier.pk).update(received_at=received)
    dossier.refresh_from_db()
    context = outputs.receipt_context(dossier, None)
    assert (context["logbook_volume"], context["logbook_number"]) == ("2027", 1)


def test_other_events_issue_nothing(people):
    dossier = people.dossier(S.RECEIVED)
    workflow.dossier_assign(dossier=dossier, actor=people.reception, assignee=people.specialist)
    event = dossier.events.get(action="assign")
    assert outputs.outputs_for_event(event_id=event.pk) == []


def test_step_results_around_the_due_date():
    due = datetime(2026, 3, 10, 16, 30, tzinfo=TZ)
    assert step_result(at=due - timedelta(days=1), due_at=due) == EARLY
    assert step_result(at=datetime(2026, 3, 10, 0, 5, tzinfo=TZ), due_at=due) == ON_TIME
    assert step_result(at=due, due_at=due) == ON_TIME
    assert step_result(at=due + timedelta(seconds=1), due_at=due) == LATE
    assert step_result(at=due + timedelta(days=3), due_at=due) == LATE
    assert step_result(at=due, due_at=None) == ""


def _flow(people):
    """A dossier received on 2 March, due (after its supplement round) 10 March 16:30, handed
    over early, on time and late."""
    dossier = people.dossier(S.SUBMITTED)
    due = datetime(2026, 3, 10, 16, 30, tzinfo=TZ)

    def at(day, hour, minute=0):
        return time_machine.travel(datetime(2026, 3, day, hour, minute, tzinfo=TZ), tick=False)

    with at(2, 8, 15):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)
    with at(2, 9):
        workflow.dossier_assign(dossier=dossier, actor=people.approver, assignee=people.specialist)
    with at(4, 10):
        workflow.dossier_request_supplement(
            dossier=dossier,
            actor=people.specialist,
            items=[{"what": "Giấy chứng sinh", "reason": "Bản chụp bị mờ"}],
        )
    with at(5, 14):
        workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    # The appointment as it stands after the clock restarted, fixed for the test.
    Dossier.objects.filter(pk=dossier.pk).update(due_at=due)
    resubmit = dossier.events.get(action="resubmit")
    dossier.events.filter(pk=resubmit.pk).update(
        data={**resubmit.data, "new_due_at": due.isoformat()}
    )
    with at(10, 11):
        workflow.dossier_propose(dossier=dossier, actor=people.specialist)
    with at(10, 17):
        workflow.dossier_approve(dossier=dossier, actor=people.approver)
    with at(11, 9):
        workflow.dossier_return_result(dossier=dossier, actor=people.reception)
    dossier.refresh_from_db()
    return dossier


def test_control_sheet_rows_follow_every_hand_over(people):
    dossier = _flow(people)
    name = {
        people.reception.pk: people.reception.get_full_name(),
        people.specialist.pk: people.specialist.get_full_name(),
        people.approver.pk: people.approver.get_full_name(),
    }
    rows = control_sheet_rows(dossier)

    assert [(r.action, r.handed_by, r.received_by, r.result) for r in rows] == [
        ("receive", name[people.reception.pk], name[people.approver.pk], EARLY),
        ("assign", name[people.approver.pk], name[people.specialist.pk], EARLY),
        ("request_supplement", name[people.specialist.pk], "Nguyễn Thị Lan", EARLY),
        ("resubmit", "Nguyễn Thị Lan", name[people.specialist.pk], ""),
        ("propose", name[people.specialist.pk], name[people.approver.pk], ON_TIME),
        ("approve", name[people.approver.pk], name[people.reception.pk], LATE),
        ("return_result", name[people.reception.pk], "Nguyễn Thị Lan", LATE),
    ]
    assert rows[0].unit == "Bộ phận Tiếp nhận và Trả kết quả – Bộ phận chuyên môn"
    assert rows[0].at == datetime(2026, 3, 2, 8, 15, tzinfo=TZ)
    assert "Giấy chứng sinh (Bản chụp bị mờ)" in rows[2].note


def test_each_step_is_judged_against_the_appointment_in_force_then(people):
    """Late against the first appointment stays late after an apology sets a new one; nothing
    is judged before reception."""
    from dossiers.apologies import apology_issue

    dossier = people.dossier(S.SUBMITTED)

    def at(day, hour):
        return time_machine.travel(datetime(2026, 3, day, hour, tzinfo=TZ), tick=False)

    with at(2, 8):
        workflow.dossier_request_supplement(
            dossier=dossier, actor=people.reception, items=[{"what": "Tờ khai", "reason": "x"}]
        )
    with at(2, 9):
        workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    with at(2, 10):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)
    dossier.refresh_from_db()
    first_due = dossier.due_at
    late = timezone.localtime(first_due) + timedelta(days=1)
    with time_machine.travel(late, tick=False):
        workflow.dossier_assign(dossier=dossier, actor=people.approver, assignee=people.specialist)
    with time_machine.travel(late + timedelta(hours=1), tick=False):
        apology_issue(
            dossier=dossier,
            actor=people.specialist,
            new_appointment=late + timedelta(days=7),
            reason="Cần xác minh thêm",
        )
    with time_machine.travel(late + timedelta(days=2), tick=False):
        workflow.dossier_propose(dossier=dossier, actor=people.specialist)

    dossier.refresh_from_db()
    assert dossier.due_at == late + timedelta(days=7)
    results = [(r.action, r.result) for r in control_sheet_rows(dossier)]
    assert results == [
        ("request_supplement", ""),  # before reception: no appointment yet
        ("resubmit", ""),
        ("receive", EARLY),
        ("assign", LATE),  # against the first appointment, though a later one is in force now
        ("propose", EARLY),  # against the new one
    ]


def test_control_sheet_pdf_prints_the_table(people, django_assert_max_num_queries):
    dossier = _flow(people)
    with django_assert_max_num_queries(8):
        data = control_sheet_pdf(dossier)
    text = compact(pdf_text(data))
    for expected in [
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        dossier.code,
        "Nguyễn Thị Lan",
        people.reception.get_full_name(),
        people.specialist.get_full_name(),
        people.approver.get_full_name(),
        "Trước hạn",
        "Đúng hạn",
        "Trễ hạn",
        "08:15",
        "02/03/2026",
        "Giấy chứng sinh (Bản chụp bị mờ)",
    ]:
        assert compact(expected) in text, expected


def test_a_dossier_refused_before_reception_has_no_step_result(people):
    dossier = people.dossier(S.SUBMITTED)
    workflow.dossier_refuse(dossier=dossier, actor=people.reception, reasons="Sai thẩm quyền")
    (row,) = control_sheet_rows(dossier)
    assert (row.action, row.result, row.note) == ("refuse", "", "Sai thẩm quyền")
    assert "—" in pdf_text(control_sheet_pdf(dossier))


@pytest.mark.parametrize(
    "when, month",
    [
        (datetime(2026, 1, 5, 9, tzinfo=TZ), "01"),
        (datetime(2026, 2, 28, 9, tzinfo=TZ), "02"),
        (datetime(2026, 3, 1, 9, tzinfo=TZ), "3"),
        (datetime(2026, 9, 30, 9, tzinfo=TZ), "9"),
        (datetime(2026, 12, 1, 9, tzinfo=TZ), "12"),
        # 1 March, 00:30 in Ho Chi Minh City is still February in UTC: the office's month
        (datetime(2026, 3, 1, 0, 30, tzinfo=TZ).astimezone(ZoneInfo("UTC")), "3"),
    ],
)
def test_printed_months_follow_decree_30(when, month):
    """A leading zero for January and February only (Decree 30/2020/NĐ-CP)."""
    from dossiers.printed_dates import thang

    assert thang(when) == month
    assert thang(None) == ""


def test_mau_04_writes_march_without_a_leading_zero():
    from dossiers.pdf import render_html, sample_receipt_context

    context = sample_receipt_context()
    due = datetime(2026, 3, 9, 10, tzinfo=TZ)
    html = render_html(
        "pdf/form_04_apology.html",
        {**context, "original_due_at": due, "new_appointment": due + timedelta(days=8)},
    )
    assert "ngày 09 tháng 3 năm 2026" in html and "ngày 17 tháng 3 năm 2026" in html
    assert "ngày 15 tháng 01 năm 2026" in html  # received in January
