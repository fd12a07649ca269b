"""Mẫu 06, Sổ theo dõi hồ sơ: the agency's logbook a month at a time, on the page and as CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dossiers import outputs
from dossiers.logbook import COLUMNS, logbook_rows
from dossiers.models import Channel, DossierEvent
from dossiers.models import DossierStatus as S
from tests.dossiers.officer_support import login
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("dossiers:officer:logbook")


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=TZ)


def travel(text: str):
    return time_machine.travel(at(text), tick=False)


def received(people, when: str, status=S.IN_REVIEW, **kwargs):
    return people.dossier(status, received_at=at(when), submitted_at=at(when), **kwargs)


def test_rows_are_the_months_dossiers_numbered_as_their_receipts(people):
    received(people, "2025-12-31 23:30")  # last year's logbook
    received(people, "2026-01-01 00:10")
    received(people, "2026-02-27 09:00")
    march = [received(people, "2026-03-01 00:05"), received(people, "2026-03-31 23:50")]
    received(people, "2026-04-01 00:00")
    people.dossier(S.SUBMITTED)  # not received
    foreign = people.foreign_officer.officer_profile.agency
    received(people, "2026-03-15 10:00", agency=foreign)

    rows = logbook_rows(agency=people.agency, year=2026, month=3)

    assert [row.dossier for row in rows] == march
    assert [row.number for row in rows] == [3, 4]  # after January's and February's
    for row in rows:  # the number Mẫu 01 printed for the dossier
        assert outputs.receipt_context(row.dossier, None)["logbook_number"] == row.number
    assert [r.number for r in logbook_rows(agency=people.agency, year=2026, month=1)] == [1]
    assert [r.number for r in logbook_rows(agency=foreign, year=2026, month=3)] == [1]


def test_a_row_holds_the_forms_columns(people):
    dossier = received(
        people,
        "2026-03-02 08:15",
        status=S.COMPLETED,
        due_at=at("2026-03-09 08:15"),
        completed_at=at("2026-03-10 14:00"),
        completed_late=True,
        late_episodes=1,
        channel=Channel.COUNTER,
        applicant_data={
            "full_name": "Trần Văn Bình",
            "phone": "0901234567",
            "address": {"street": "12 Lê Lợi", "ward_name": "Phường Sài Gòn"},
        },
    )
    DossierEvent.objects.create(
        dossier=dossier, action="assign", from_status=S.RECEIVED, to_status=S.IN_REVIEW
    )
    DossierEvent.objects.filter(dossier=dossier).update(created_at=at("2026-03-02 09:30"))
    DossierEvent.objects.create(
        dossier=dossier, action="assign", from_status=S.IN_REVIEW, to_status=S.IN_REVIEW
    )  # a later re-assignment does not move the date the dossier was first handed on

    [row] = logbook_rows(agency=people.agency, year=2026, month=3)

    assert dict(zip([vi for vi, _ in COLUMNS], row.cells(), strict=True)) == {
        "STT": "1",
        "Mã hồ sơ": dossier.code,
        "Tên thủ tục hành chính": people.version.procedure.name,
        "Số lượng hồ sơ (bộ)": "1",
        "Tên cá nhân, tổ chức": "Trần Văn Bình",
        "Địa chỉ, số điện thoại": "12 Lê Lợi, Phường Sài Gòn; 0901234567",
        "Cơ quan chủ trì giải quyết": people.agency.name,
        "Nhận hồ sơ": "08:15 02/03/2026",
        "Hẹn trả kết quả": "08:15 09/03/2026",
        "Chuyển hồ sơ đến cơ quan giải quyết": "09:30 02/03/2026",
        "Trả kết quả": "14:00 10/03/2026",
        "Ký nhận": "",
        "Ghi chú": "Nộp trực tiếp; Hẹn lại 1 lần (Mẫu 04); Trễ hạn",
    }


def test_the_page_shows_the_officers_agency_only_in_constant_queries(
    people, client, django_assert_max_num_queries
):
    login(client, people.reception)
    ours = received(people, "2026-03-05 10:00")
    foreign = people.foreign_officer.officer_profile.agency
    theirs = received(people, "2026-03-05 11:00", agency=foreign)

    with django_assert_max_num_queries(3) as few:  # user, the year so far, the rows
        page = client.get(URL, {"month": "2026-03"})
    assert page.status_code == 200
    html = page.content.decode()
    assert ours.code in html and theirs.code not in html
    assert reverse("dossiers:officer:detail", args=[ours.public_id]) in html

    for minute in range(20):
        received(people, f"2026-03-06 10:{minute:02d}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(URL, {"month": "2026-03"})
    assert page.content.decode().count("<tr>") == 1 + 21


def test_the_csv_is_the_forms_table_and_keeps_typed_formulas_as_text(people, client):
    login(client, people.specialist)
    received(people, "2026-03-05 10:00", applicant_data={"full_name": '=HYPERLINK("x")'})
    received(people, "2026-03-05 10:01", applicant_data={"full_name": " ＝1+2"})
    received(people, "2026-03-05 10:02", applicant_data={"full_name": "Lê Thị Mai"})

    response = client.get(URL, {"month": "2026-03", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-theo-doi-ho-so-{people.agency.code}-2026-03.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(text[1:])))
    assert header == [vi for vi, _ in COLUMNS]
    assert [(row[0], row[4]) for row in rows] == [
        ("1", '\'=HYPERLINK("x")'),
        ("2", "' ＝1+2"),  # after a space, in full-width letters: still kept as text
        ("3", "Lê Thị Mai"),
    ]


def test_without_a_month_it_is_this_month_and_a_bad_month_is_explained(people, client):
    login(client, people.reception)
    this_month = received(people, datetime.now(TZ).strftime("%Y-%m-%d %H:%M"))
    assert this_month.code in client.get(URL).content.decode()

    for bad in ("2026-13", "03/2026", "1999-12", "9999-12", ""):
        response = client.get(URL, {"month": bad})
        assert response.status_code == 400, bad
        html = response.content.decode()
        assert 'id="id_month_error"' in html and this_month.code not in html
        assert "data-error-summary-focus" in html  # the summary takes the focus


def test_only_officers_open_the_logbook(people, client):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(UserFactory(roles=["citizen"]))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403


def test_reception_numbers_the_logbook_per_agency_and_year_as_mẫu_01_prints(people):
    from dossiers import workflow

    foreign = people.foreign_officer.officer_profile.agency
    ours = [people.dossier(S.SUBMITTED) for _ in range(3)]
    theirs = people.dossier(S.SUBMITTED, agency=foreign)
    with travel("2026-12-31 16:00"):
        for dossier in ours[:2]:
            workflow.dossier_receive(dossier=dossier, actor=people.reception)
        workflow.dossier_receive(dossier=theirs, actor=people.foreign_officer)
    with travel("2027-01-01 05:00"):  # still 2026 in UTC: the year is the local one
        workflow.dossier_receive(dossier=ours[2], actor=people.reception)
    for d in (*ours, theirs):
        d.refresh_from_db()
    assert [d.logbook_number for d in (*ours, theirs)] == [1, 2, 1, 1]  # a new year starts at 1
    for d in ours:
        assert outputs.receipt_context(d, None)["logbook_number"] == d.logbook_number
    [row] = logbook_rows(agency=people.agency, year=2027, month=1)
    assert (row.dossier, row.number) == (ours[2], 1)


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_the_migration_numbers_dossiers_received_before_it_and_the_counter_goes_on(people, vendor):
    """Both ways of the data migration: one UPDATE on PostgreSQL, a loop on the SQLite demo."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from dossiers import workflow
    from dossiers.models import Dossier, LogbookCounter

    migration = importlib.import_module("dossiers.migrations.0010_number_received_dossiers")
    earlier = [
        received(people, "2026-01-05 10:00"),
        received(people, "2025-12-31 20:00"),
        received(people, "2026-01-05 09:00"),
        received(people, "2026-01-01 05:00"),  # 2025 in UTC, 2026 here
    ]
    foreign = people.foreign_officer.officer_profile.agency
    theirs = received(people, "2026-01-02 09:00", agency=foreign)
    LogbookCounter.objects.all().delete()
    editor = SimpleNamespace(
        connection=connection if vendor == "postgresql" else SimpleNamespace(vendor=vendor)
    )
    migration.number_received_dossiers(apps, editor)
    migration.number_received_dossiers(apps, editor)  # run twice: nothing changes
    numbers = dict(Dossier.objects.values_list("pk", "logbook_number"))
    assert [numbers[d.pk] for d in earlier] == [3, 1, 2, 1]
    assert numbers[theirs.pk] == 1
    later = people.dossier(S.SUBMITTED)
    with travel("2026-01-06 09:00"):
        workflow.dossier_receive(dossier=later, actor=people.reception)
    later.refresh_from_db()
    assert later.logbook_number == 4
    assert LogbookCounter.objects.get(agency=people.agency, year=2025).last == 1


def test_the_mail_log_gives_apologies_their_address_but_not_a_placeholders(people):
    import importlib

    from django.apps import apps

    from dossiers.models import Apology, ApologyState, EmailLog

    migration = importlib.import_module("dossiers.migrations.0009_apology_handover")
    mailed, placeholder = (
        Apology.objects.create(
            dossier=received(people, f"2026-03-0{n} 10:00"),
            episode=1,
            state=ApologyState.ISSUED,
            issued_at=at("2026-03-09 10:00"),
            new_appointment=at("2026-03-16 10:00"),
            emailed_at=at("2026-03-09 10:05"),
        )
        for n in (2, 3)
    )
    EmailLog.objects.create(kind="apology", ref=f"apology:{mailed.pk}", to="lan@example.vn")
    EmailLog.objects.create(
        kind="apology", ref=f"apology:{placeholder.pk}", to="quay-x90000@counter.invalid"
    )
    migration.addresses_from_the_mail_log(apps, None)
    mailed.refresh_from_db()
    placeholder.refresh_from_db()
    assert (mailed.emailed_to, placeholder.emailed_to) == ("lan@example.vn", "")


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_receptions_get_twenty_consecutive_numbers(people):
    from django.db import connection

    from dossiers import workflow
    from dossiers.models import Dossier
    from tests.dossiers.parallel import in_parallel

    assert connection.vendor == "postgresql"
    submitted = [people.dossier(S.SUBMITTED) for _ in range(20)]

    def receive(dossier):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)

    assert in_parallel(receive, submitted) == []
    numbers = Dossier.objects.filter(pk__in=[d.pk for d in submitted]).values_list(
        "logbook_number", flat=True
    )
    assert sorted(numbers) == list(range(1, 21))
