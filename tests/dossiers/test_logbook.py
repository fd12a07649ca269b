"""Mẫu 06, Sổ theo dõi hồ sơ: the agency's logbook a month at a time, on the page and as CSV."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
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

    response = client.get(URL, {"month": "2026-03", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        f'attachment; filename="so-theo-doi-ho-so-{people.agency.code}-2026-03.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header == [vi for vi, _ in COLUMNS]
    assert row[0] == "1" and row[4] == '\'=HYPERLINK("x")'


def test_without_a_month_it_is_this_month_and_a_bad_month_is_explained(people, client):
    login(client, people.reception)
    this_month = received(people, datetime.now(TZ).strftime("%Y-%m-%d %H:%M"))
    assert this_month.code in client.get(URL).content.decode()

    for bad in ("2026-13", "03/2026", "1999-12", ""):
        response = client.get(URL, {"month": bad})
        assert response.status_code == 400, bad
        html = response.content.decode()
        assert 'id="id_month_error"' in html and this_month.code not in html


def test_only_officers_open_the_logbook(people, client):
    assert client.get(URL).status_code == 302  # to the login page
    client.force_login(UserFactory(roles=["citizen"]))
    assert client.get(URL).status_code == 403
    assert client.get(URL, {"format": "csv"}).status_code == 403
