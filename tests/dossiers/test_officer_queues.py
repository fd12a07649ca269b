"""Back-office queues (issue 7): selectors, keyset pages, counts, query counts, EXPLAIN."""

import datetime as dt
import html
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import queues
from dossiers.models import Dossier
from dossiers.models import DossierStatus as S
from payments.models import DossierFee
from tests.dossiers.officer_support import login, officer_url

pytestmark = pytest.mark.django_db


def page(people, slug, user=None, **kw):
    return queues.queue_page(
        queue=queues.QUEUES[slug], agency=people.agency, user=user or people.reception, **kw
    )


def test_it_lists_each_queue_for_the_roles_of_the_officer(people):
    assert [q.slug for q in queues.queues_for(people.reception)] == [
        "reception",
        "unassigned",
        "results",
        "all",
    ]
    assert [q.slug for q in queues.queues_for(people.specialist)] == ["unassigned", "mine", "all"]
    assert [q.slug for q in queues.queues_for(people.approver)] == ["unassigned", "approval", "all"]


def test_it_puts_each_dossier_in_its_queue_and_never_another_agencys(people):
    submitted = people.dossier(S.SUBMITTED)
    resubmitted = people.dossier(S.SUBMITTED, resume_status="")
    mine = people.dossier(S.IN_REVIEW)
    waiting = people.dossier(S.AWAITING_APPROVAL)
    ready = people.dossier(S.RESULT_READY)
    people.dossier(S.DRAFT)
    foreign = people.dossier(S.SUBMITTED, agency=people.foreign_officer.officer_profile.agency)
    codes = lambda p: {r.code for r in p.rows}  # noqa: E731
    assert codes(page(people, "reception")) == {submitted.code, resubmitted.code}
    assert codes(page(people, "mine", people.specialist)) == {mine.code}
    assert codes(page(people, "approval", people.approver)) == {waiting.code}
    assert codes(page(people, "results")) == {ready.code}
    everything = codes(page(people, "all"))
    assert foreign.code not in everything and len(everything) == 5
    counts = queues.queue_counts(agency=people.agency, user=people.specialist)
    assert counts["reception"] == 2 and counts["mine"] == 1 and counts["all"] == 5


def test_it_searches_by_code_name_and_exact_citizen_id_and_filters(people):
    now = timezone.now()
    lan = people.dossier(
        S.RECEIVED,
        applicant_data={"full_name": "Trần Thị Lan", "citizen_id": "079190000001"},
        received_at=now - dt.timedelta(days=3),
        due_at=now - dt.timedelta(hours=1),
        channel="counter",
    )
    other = people.dossier(
        S.IN_REVIEW,
        applicant_data={"full_name": "Lê Văn Bình", "citizen_id": "079190000002"},
        received_at=now,
        due_at=now + dt.timedelta(days=30),
    )

    def search(**f):
        return {r.code for r in page(people, "all", filters=queues.QueueFilters(**f)).rows}  # noqa: E731

    assert search(q="thị lan") == {lan.code}
    assert search(q="079190000001") == {lan.code}
    assert search(q="07919000000") == set()  # an ID number matches exactly, not by prefix
    assert search(q=other.code) == {other.code}
    assert search(status=S.IN_REVIEW) == {other.code}
    assert search(time_left="overdue") == {lan.code}
    assert search(time_left="on_track") == {other.code}
    assert search(channel="counter") == {lan.code}
    assert search(received_from=timezone.localdate(now)) == {other.code}
    assert search(received_to=timezone.localdate(now - dt.timedelta(days=2))) == {lan.code}
    assert search(procedure=people.version.procedure_id) == {lan.code, other.code}


def test_keyset_pages_go_by_due_date_with_undated_last_and_no_offset(people):
    now = timezone.now()
    dated = [people.dossier(S.RECEIVED, due_at=now + dt.timedelta(days=i % 7)) for i in range(13)]
    undated = [people.dossier(S.SUBMITTED) for _ in range(9)]
    expected = sorted(dated, key=lambda d: (d.due_at, d.pk)) + sorted(undated, key=lambda d: d.pk)
    seen, after = [], None
    with CaptureQueriesContext(connection) as ctx:
        while True:
            p = page(people, "all", after=after, size=5)
            seen += [r.pk for r in p.rows]
            if not p.next_cursor:
                break
            after = queues.cursor_decode(p.next_cursor)
    assert seen == [d.pk for d in expected]
    sql = " ".join(q["sql"] for q in ctx.captured_queries).upper()
    assert "OFFSET" not in sql and "COUNT(" not in sql


def test_a_row_shows_time_left_in_words_assigned_officer_and_fee(people, client):
    d = people.dossier(S.IN_REVIEW, due_at=timezone.now() - dt.timedelta(hours=2))
    DossierFee.objects.create(
        dossier=d, amount=50000, base_amount=50000, status="unpaid", due_on="submission"
    )
    row = page(people, "all").rows[0]
    assert (row.time_left, row.time_left_vi, row.fee_label) == (
        "overdue",
        "Quá hạn",
        "chưa thanh toán",
    )
    html = login(client, people.reception).get(officer_url("queue", slug="all")).content.decode()
    assert "Quá hạn" in html and "time-left-overdue" in html and "chưa thanh toán" in html
    assert people.specialist.full_name in html


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (S.COMPLETED, "Đã kết thúc"),
        (S.REJECTED, "Đã kết thúc"),
        (S.SUPPLEMENT_REQUESTED, "Tạm dừng"),
    ],
)
def test_a_closed_or_paused_dossier_is_not_shown_as_on_track_or_late(people, client, status, words):
    d = people.dossier(status, due_at=timezone.now() + dt.timedelta(days=3))
    overdue = people.dossier(status, due_at=timezone.now() - dt.timedelta(days=3))
    rows = {row.pk: row for row in page(people, "all").rows}
    assert rows[d.pk].time_left == rows[overdue.pk].time_left != "on_track"
    assert rows[d.pk].time_left_vi.startswith(words)
    html = login(client, people.reception).get(officer_url("detail", d)).content.decode()
    assert words in html and "Còn hạn" not in html
    # The time-left filter agrees with the rows: neither is found as on track or overdue.
    for value in ("on_track", "overdue"):
        found = page(people, "all", filters=queues.QueueFilters(time_left=value)).rows
        assert {d.pk, overdue.pk}.isdisjoint({row.pk for row in found}), value


def _queue_queries(client, url):
    client.get(url)  # warm caches (calendar, session)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), ctx


@pytest.mark.parametrize("slug", ["reception", "all"])
def test_a_queue_page_makes_the_same_number_of_queries_for_1_and_40_dossiers(people, client, slug):
    login(client, people.reception)
    people.dossier(S.SUBMITTED)
    one, _ = _queue_queries(client, officer_url("queue", slug=slug))
    for i in range(39):
        d = people.dossier(S.SUBMITTED if i % 2 else S.IN_REVIEW)
        if i % 3 == 0:
            DossierFee.objects.create(
                dossier=d,
                amount=1,
                base_amount=1,
                status="paid",
                due_on="submission",
                paid_at=timezone.now(),
            )
    forty, ctx = _queue_queries(client, officer_url("queue", slug=slug))
    assert one == forty, "\n".join(q["sql"] for q in ctx.captured_queries)
    assert forty <= 3, "\n".join(q["sql"] for q in ctx.captured_queries)  # user, rows, counts


def test_filters_and_more_rows_are_htmx_partials_and_plain_urls(people, client):
    for _ in range(25):
        people.dossier(S.SUBMITTED)
    login(client, people.reception)
    url = officer_url("queue", slug="reception")
    full = client.get(url)
    assert b"<html" in full.content and b"Xem th" in full.content
    partial = client.get(url, headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b'id="queue-results"' in partial.content
    next_url = html.unescape(
        re.search(
            r'<tr class="more-row">\s*<td colspan="8"><a href="([^"]+)"', full.content.decode()
        ).group(1)
    )
    more = client.get(next_url, headers={"HX-Request": "true"})
    assert b"<html" not in more.content and more.content.count(b"<tr") == 5
    assert client.get(next_url).status_code == 200  # the same link without JS


@pytest.mark.django_db(transaction=True)
def test_each_queue_query_uses_an_index_on_20000_rows(people):
    """EXPLAIN of every queue's row query and of the counts: no sequential scan of dossiers."""
    other = people.foreign_officer.officer_profile.agency
    now = timezone.now()
    statuses = [
        S.SUBMITTED,
        S.RECEIVED,
        S.IN_REVIEW,
        S.AWAITING_APPROVAL,
        S.RESULT_READY,
        S.COMPLETED,
    ]
    rows = []
    for i in range(20000):
        agency = people.agency if i % 20 == 0 else other
        status = statuses[i % len(statuses)]
        rows.append(
            Dossier(
                version=people.version,
                applicant=people.applicant,
                agency=agency,
                status=status,
                code=f"B-{i:06d}",
                due_at=None if status == S.SUBMITTED else now + dt.timedelta(minutes=i),
                assigned_to=people.specialist if status == S.IN_REVIEW else None,
            )
        )
    Dossier.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
    table = Dossier._meta.db_table
    checked = []
    for slug, user in [
        ("reception", people.reception),
        ("mine", people.specialist),
        ("approval", people.approver),
        ("results", people.reception),
        ("unassigned", people.reception),
        ("all", people.reception),
    ]:
        first = page(people, slug, user)
        for after in (None, queues.cursor_decode(first.next_cursor)):
            with CaptureQueriesContext(connection) as ctx:
                page(people, slug, user, after=after)
            for query in ctx.captured_queries:
                if table not in query["sql"]:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN " + query["sql"])
                    plan = "\n".join(r[0] for r in cursor.fetchall())
                assert f"Seq Scan on {table}" not in plan, plan
                if slug in ("reception", "all"):  # the long queues here (a few hundred rows)
                    # The page's rows are read in index order: PostgreSQL sorts nothing. (For a
                    # queue of a few dozen rows it may rightly prefer to sort them.)
                    assert "Sort" not in plan, plan
                checked.append(slug)
    with CaptureQueriesContext(connection) as ctx:
        queues.queue_counts(agency=people.agency, user=people.specialist)
    for query in ctx.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(r[0] for r in cursor.fetchall())
        assert f"Seq Scan on {table}" not in plan, plan
    assert len(checked) >= 12


def test_the_procedure_index_is_cached_and_follows_catalog_changes(people, client):
    """Queue pages read the agency's procedures from the cache; a change to the catalog (a
    procedure renamed, an agency added to a procedure) shows on the next page."""
    from tests.factories.procedures import published_version

    people.dossier(S.SUBMITTED)
    login(client, people.reception)
    url = officer_url("queue", slug="reception")
    assert client.get(url).status_code == 200  # builds the index
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert people.version.procedure.name in html
    assert not [q for q in ctx.captured_queries if "procedures_" in q["sql"]]

    procedure = people.version.procedure
    procedure.name = "Đăng ký khai sinh (đã đổi tên)"
    procedure.save()
    newcomer = published_version(agencies=[people.foreign_officer.officer_profile.agency])
    newcomer.procedure.agencies.add(people.agency)
    html = client.get(url).content.decode()
    assert "Đăng ký khai sinh (đã đổi tên)" in html  # in the row and in the filter
    assert f'<option value="{newcomer.procedure.pk}">' in html


def test_a_row_of_a_procedure_the_agency_no_longer_receives_still_shows_its_name(people):
    people.dossier(S.SUBMITTED)
    people.version.procedure.agencies.remove(people.agency)
    index = queues.procedure_index(people.agency)
    assert people.version.pk not in index.versions
    row = page(people, "reception", index=index).rows[0]
    assert row.procedure_name == people.version.procedure.name


class _Controls(HTMLParser):
    """The form controls of a page: (tag, attributes) of each input, select and option, with
    each option's text, in document order."""

    def __init__(self):
        super().__init__()
        self.found, self._option = [], None

    def handle_starttag(self, tag, attrs):
        if tag in {"input", "select", "option"}:
            entry = [tag, sorted((k, "" if v is None else v) for k, v in attrs), ""]
            self.found.append(entry)
            self._option = entry if tag == "option" else None

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data.strip()

    def handle_endtag(self, tag):
        if tag == "option":
            self._option = None


def _controls(markup: str) -> list:
    parser = _Controls()
    parser.feed(markup)
    return [
        entry
        for entry in parser.found
        if entry[1] and ("name", "csrfmiddlewaretoken") not in entry[1]
    ]


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"q": 'Nguyễn "A" <b>', "channel": "counter", "received_from": "2026-11-02"},
        {"procedure": "PROC", "status": "received", "time_left": "overdue"},
        {"channel": "fax", "received_to": "not a date", "procedure": "999999"},  # invalid
    ],
)
def test_the_filter_controls_are_written_as_djangos_widgets_would(people, client, query):
    from dossiers.officer_forms import QueueFilterForm

    query = {k: str(people.version.procedure.pk) if v == "PROC" else v for k, v in query.items()}
    response = login(client, people.reception).get(officer_url("queue", slug="all"), query)
    assert response.status_code == 200
    form = QueueFilterForm(
        query or None,
        procedures=queues.procedure_index(people.agency).choices,
        show_status=True,
    )
    form.is_valid()
    expected = _controls("".join(str(field) for field in form))
    page = response.content.decode()
    filters = page[page.index('class="queue-filters"') : page.index('id="queue-results"')]
    assert _controls(filters) == expected
    assert len(expected) > 20  # the selects' options are compared too


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared on PostgreSQL only")
@pytest.mark.parametrize("kind", ["first", "undated", "dated"])
@pytest.mark.parametrize("slug", list(queues.QUEUES))
def test_a_prepared_row_query_is_the_orms_query_with_the_requests_values(people, slug, kind):
    """PreparedRows: the same SQL, the same parameters and the same rows as the ORM's query."""
    now = timezone.now()
    fee_paid = people.dossier(S.SUBMITTED, applicant_data={"full_name": "Lê Văn Bình", "n": 1})
    DossierFee.objects.create(
        dossier=fee_paid, amount=1, base_amount=1, status="paid", due_on="submission", paid_at=now
    )
    for status in (S.SUBMITTED, S.RECEIVED, S.IN_REVIEW, S.AWAITING_APPROVAL, S.RESULT_READY):
        for i in range(3):
            people.dossier(status, due_at=now + dt.timedelta(days=i % 2) if i else None)
    people.dossier(S.RECEIVED, claimed_by=people.reception, due_at=now)
    people.dossier(S.SUBMITTED, agency=people.foreign_officer.officer_profile.agency)
    after = {"first": None, "undated": (None, 1), "dated": (now, 1)}[kind]
    queue = queues.QUEUES[slug]
    user = people.specialist.pk if queue.mine else None

    prepared = queues.prepare_rows(queue, kind, 20, "default")
    (orm,) = queues.row_queries(
        queue=queue,
        agency=people.agency.pk,
        user=user,
        filters=queues.QueueFilters(),
        after=after,
        size=20,
        now=now,
        soon=None,
    )
    sql, params = orm.query.sql_with_params()
    assert prepared.sql == sql
    assert prepared.bind(agency=people.agency.pk, user=user, after=after) == list(params)
    expected = list(orm)
    assert expected, "the case has rows"
    assert prepared.run(agency=people.agency.pk, user=user, after=after) == expected
    assert all(isinstance(row[5], dict) for row in expected)  # applicant_data, converted


def test_an_unfiltered_page_runs_the_prepared_query_and_a_filtered_one_the_orms(people):
    if connection.vendor != "postgresql":
        pytest.skip("prepared on PostgreSQL only")
    people.dossier(S.SUBMITTED)
    queues._prepared_rows.cache_clear()
    page(people, "reception")
    page(people, "reception")
    assert queues._prepared_rows.cache_info().hits == 1
    page(people, "reception", filters=queues.QueueFilters(q="Nguyễn"))
    assert queues._prepared_rows.cache_info().misses == 1


def test_a_row_query_that_cannot_be_prepared_runs_through_the_orm(people, monkeypatch, caplog):
    if connection.vendor != "postgresql":
        pytest.skip("prepared on PostgreSQL only")
    submitted = people.dossier(S.SUBMITTED)
    # Same value in both sets: the agency's parameter no longer shows where the value goes
    monkeypatch.setitem(queues.OTHER_PLACEHOLDERS, "agency", queues.PLACEHOLDERS["agency"])
    with pytest.raises(queues.PreparationError):
        queues.prepare_rows(queues.QUEUES["reception"], "first", 20, "default")
    queues._prepared_rows.cache_clear()
    try:
        assert [r.pk for r in page(people, "reception").rows] == [submitted.pk]
        assert "run on every request" in caplog.text
    finally:
        queues._prepared_rows.cache_clear()


@pytest.mark.parametrize("filters", [None, queues.QueueFilters(q="Nguyễn")])
def test_my_work_without_a_user_is_empty_on_both_paths(people, filters):
    people.dossier(S.IN_REVIEW, assigned_to=None)
    result = queues.queue_page(
        queue=queues.QUEUES["mine"], agency=people.agency, user=None, filters=filters
    )
    assert result.rows == []


def test_a_bad_filter_value_is_shown_as_an_error_next_to_its_field(people, client):
    response = login(client, people.reception).get(
        officer_url("queue", slug="all"), {"received_to": "not a date"}
    )
    page = response.content.decode()
    error = re.search(r'<span class="field-error" id="(id_\w+_error)">([^<]+)</span>', page)
    assert error is not None, "the error is not written with the field-error style"
    assert error.group(1) == "id_received_to_error"
    assert re.search(rf'aria-describedby="[^"]*{error.group(1)}[^"]*"', page)
