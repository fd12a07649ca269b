"""Reads of the officers' back office (issue 7): the queues of an agency, their counts, one
dossier as an officer of its agency sees it.

Every query is scoped to the officer's agency (``officer_agency``); a dossier of another agency
does not exist here (404). Queue pages use **keyset pagination** on ``(due_at, id)`` with NULL
due dates last (a submitted dossier has no due date until it is received): no OFFSET and no
COUNT(*) over the table. The rows of a page are one SQL query that walks the queue's index in its
order, whatever the page number (see ``queue_page``). Queue counts are the agency's rows of ``QueueCount``, kept by triggers
on the dossier table (a few rows read, whatever the number of dossiers).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import uuid
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dossiers import deadlines
from dossiers.models import FINAL_STATUSES, Channel, Dossier, DossierStatus
from portal.reverse import cached_reverse
from portal.roles import Role, role_names
from procedures.text import vi_sort_key

S = DossierStatus
logger = logging.getLogger(__name__)
PAGE_SIZE = 20


@dataclass(frozen=True)
class Queue:
    slug: str
    title: str  # translated: English pages show title_en alone
    title_en: str
    roles: frozenset[str]
    status: str | None = None  # None: every status (the "all dossiers" queue)
    mine: bool = False


QUEUES: dict[str, Queue] = {
    q.slug: q
    for q in [
        Queue(
            "reception",
            pgettext_lazy("queue", "Tiếp nhận"),
            "Reception",
            frozenset({Role.RECEPTION}),
            status=S.SUBMITTED,
        ),
        Queue(
            "unassigned",
            pgettext_lazy("queue", "Chờ phân công"),
            "To assign",
            frozenset({Role.RECEPTION, Role.SPECIALIST, Role.APPROVER}),
            status=S.RECEIVED,
        ),
        Queue(
            "mine",
            pgettext_lazy("queue", "Việc của tôi"),
            "My work",
            frozenset({Role.SPECIALIST}),
            status=S.IN_REVIEW,
            mine=True,
        ),
        Queue(
            "approval",
            pgettext_lazy("queue", "Chờ phê duyệt"),
            "Approval",
            frozenset({Role.APPROVER}),
            status=S.AWAITING_APPROVAL,
        ),
        Queue(
            "results",
            pgettext_lazy("queue", "Trả kết quả"),
            "Results to hand back",
            frozenset({Role.RECEPTION}),
            status=S.RESULT_READY,
        ),
        Queue(
            "all",
            pgettext_lazy("queue", "Tất cả hồ sơ"),
            "All dossiers",
            frozenset({Role.RECEPTION, Role.SPECIALIST, Role.APPROVER}),
        ),
    ]
}
OFFICER_ROLES = frozenset({Role.RECEPTION, Role.SPECIALIST, Role.APPROVER})


def officer_agency(user):
    """The agency of an officer (None for anybody without an officer profile).

    The first call of a request loads the profile with its agency in one query and leaves it
    in ``user.officer_profile``'s cache, where the workflow and the views find it."""
    from portal.models import OfficerProfile, User

    if not getattr(user, "is_authenticated", False):
        return None
    cache = User.officer_profile.related
    if not cache.is_cached(user):
        profile = OfficerProfile.objects.select_related("agency").filter(user=user).first()
        cache.set_cached_value(user, profile)
    profile = getattr(user, "officer_profile", None)
    return profile.agency if profile is not None else None


def queues_for(user) -> list[Queue]:
    roles = role_names(user)
    return [q for q in QUEUES.values() if q.roles & roles]


# -- time left ------------------------------------------------------------------------------
# (Vietnamese, English): the first is translated, so English pages show the English alone.
TIME_LEFT = {
    "overdue": (_("Quá hạn"), "Overdue"),
    "due_soon": (_("Sắp đến hạn"), "Due soon"),
    "on_track": (_("Còn hạn"), "On track"),
    "none": (_("Chưa tính hạn"), "No due date yet"),
    "paused": (_("Tạm dừng tính hạn"), "Clock paused"),
    "closed": (_("Đã kết thúc"), "Closed"),
}


def due_soon_cutoff(*, agency_id: int | None, now: dt.datetime | None = None) -> dt.datetime:
    """Due at or before this moment (and not yet overdue) is "due soon" (dossiers/deadlines.py)."""
    return deadlines.due_soon_threshold(now=now or timezone.now(), agency_id=agency_id)


def time_left(
    due_at: dt.datetime | None,
    *,
    now: dt.datetime,
    soon: dt.datetime | None,
    status: str | None = None,
) -> str:
    """:func:`dossiers.deadlines.time_left_status` with the threshold computed once per page
    (``soon`` may be None when ``due_at`` is). A closed dossier (completed, refused, rejected,
    withdrawn) is ``closed`` and a received one waiting for a supplement ``paused``: only a
    dossier whose clock runs (``deadlines.CLOCK_RUNNING``) is late or on track, as the filter
    below and the citizen's page have it."""
    if status in FINAL_STATUSES:
        return "closed"
    if due_at is None:
        return "none"
    if status is not None and status not in deadlines.CLOCK_RUNNING:
        return "paused"
    if due_at < now:
        return "overdue"
    if due_at <= soon:
        return "due_soon"
    return "on_track"


def time_left_filter(value: str, *, now: dt.datetime, soon: dt.datetime) -> Q | None:
    running = Q(status__in=deadlines.CLOCK_RUNNING)  # as time_left() labels the rows
    return {
        "overdue": running & Q(due_at__lt=now),
        "due_soon": running & Q(due_at__gte=now, due_at__lte=soon),
        "on_track": running & Q(due_at__gt=soon),
        "none": Q(due_at__isnull=True),
    }.get(value)


# -- filters and search ----------------------------------------------------------------------
@dataclass
class QueueFilters:
    q: str = ""
    procedure: int | None = None
    status: str = ""
    time_left: str = ""
    channel: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None

    def is_empty(self) -> bool:
        return not any(
            [
                self.q,
                self.procedure,
                self.status,
                self.time_left,
                self.channel,
                self.received_from,
                self.received_to,
            ]
        )


CITIZEN_ID_RE = re.compile(r"^\d{9,12}$")


def search_filter(q: str) -> Q:
    """Code (exact, or its beginning), citizen ID number (exact), or applicant name (contains)."""
    q = q.strip()
    if CITIZEN_ID_RE.match(q):
        return Q(applicant_data__citizen_id=q)
    if "-" in q and " " not in q:
        return Q(code__startswith=q.upper())
    return Q(applicant_data__full_name__icontains=q)


def _local_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def apply_filters(qs: QuerySet, f: QueueFilters, *, now, soon) -> QuerySet:
    if f.q:
        qs = qs.filter(search_filter(f.q))
    if f.procedure:
        qs = qs.filter(version__procedure_id=f.procedure)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel in Channel.values:
        qs = qs.filter(channel=f.channel)
    if f.time_left:
        condition = time_left_filter(f.time_left, now=now, soon=soon)
        if condition is not None:
            qs = qs.filter(condition)
    if f.received_from:
        qs = qs.filter(received_at__gte=_local_start(f.received_from))
    if f.received_to:
        qs = qs.filter(received_at__lt=_local_start(f.received_to + dt.timedelta(days=1)))
    return qs


# -- keyset pages ----------------------------------------------------------------------------
Cursor = tuple[dt.datetime | None, int]
NULL_MARK = "-"


def cursor_encode(row) -> str:
    return f"{row.due_at.isoformat() if row.due_at else NULL_MARK},{row.pk}"


def cursor_decode(value: str | None) -> Cursor | None:
    """``"<due_at ISO or ->,<id>"`` → (due_at or None, id); None when missing or malformed."""
    if not value:
        return None
    stamp, _, pk = value.rpartition(",")
    try:
        number = int(pk)
        due = None if stamp == NULL_MARK else dt.datetime.fromisoformat(stamp.replace(" ", "+"))
    except ValueError:
        return None
    if number < 1 or (due is not None and due.tzinfo is None):
        return None
    return due, number


@dataclass(slots=True)
class QueueRow:
    """One row of a queue page: the columns the row query reads (``ROW_COLUMNS``, in this
    order), then what ``decorate_rows`` adds for the template. Plain objects rather than
    ``Dossier`` instances: a page builds 21 of them per request, and a model instance with
    deferred fields and two related users cost more to build than the row query took to run."""

    pk: int
    public_id: uuid.UUID
    code: str
    status: str
    channel: str
    applicant_data: dict | None
    received_at: dt.datetime | None
    submitted_at: dt.datetime | None
    due_at: dt.datetime | None
    version_id: int
    assigned_to_id: int | None
    assigned_name: str | None
    claimed_by_id: int | None
    claimed_name: str | None
    claimed_status: str
    fee_status: str | None
    # decorate_rows
    procedure_name: str = ""
    procedure_code: str = ""
    claimed_now: bool = False
    time_left: str = ""
    time_left_vi: str = ""
    time_left_en: str = ""
    status_text: str = ""
    applicant_name: str = ""
    detail_url: str = ""
    shown_on: tuple[str, str] | None = None
    due_on: tuple[str, str] | None = None
    fee_label: str = ""


# What the row query selects, in QueueRow's order: the dossier's columns, the officers' names
# through their foreign keys (LEFT JOINs by primary key) and the fee status (a subquery).
ROW_COLUMNS = (
    "pk",
    "public_id",
    "code",
    "status",
    "channel",
    "applicant_data",
    "received_at",
    "submitted_at",
    "due_at",
    "version_id",
    "assigned_to_id",
    "assigned_name",
    "claimed_by_id",
    "claimed_name",
    "claimed_status",
    "fee_status",
)


@dataclass
class QueuePage:
    queue: Queue
    rows: list[QueueRow]
    next_cursor: str | None
    filters: QueueFilters = field(default_factory=QueueFilters)


@functools.cache
def _row_annotations() -> dict:
    """The row query's computed columns, built once per process (expressions are immutable:
    each query resolves its own copy)."""
    from payments.models import DossierFee

    return {
        "assigned_name": F("assigned_to__full_name"),
        "claimed_name": F("claimed_by__full_name"),
        "fee_status": Subquery(
            DossierFee.objects.filter(dossier=OuterRef("pk")).values("status")[:1]
        ),
    }


def queue_queryset(*, queue: Queue, agency, user) -> QuerySet:
    qs = Dossier.objects.filter(agency=agency)
    # "All": every filed dossier (a code), not drafts nor drafts withdrawn before filing.
    qs = qs.filter(code__isnull=False) if queue.status is None else qs.filter(status=queue.status)
    if queue.mine:
        qs = qs.filter(assigned_to=user)
    return qs


def row_queries(
    *, queue: Queue, agency: int, user: int | None, filters, after, size, now, soon
) -> list[QuerySet]:
    """The row query of a page as the ORM writes it (``values_list`` of ``ROW_COLUMNS``): one
    queryset, or two on SQLite for a cursor inside the dated part (see ``queue_page``)."""
    base = (
        apply_filters(
            queue_queryset(queue=queue, agency=agency, user=user), filters, now=now, soon=soon
        )
        .annotate(**_row_annotations())
        .values_list(*ROW_COLUMNS)
    )
    if after is None:
        return [base.order_by(*dossier_due_order())[: size + 1]]
    if after[0] is None:
        # Ordered as the index is (not by id alone, which PostgreSQL would sort): one walk.
        undated = base.filter(due_at__isnull=True, id__gt=after[1])
        return [undated.order_by(*dossier_due_order())[: size + 1]]
    if connection.vendor == "postgresql":  # a row comparison: one index range
        dated = base.extra(  # noqa: S610 — parameters bound
            where=['("dossiers_dossier"."due_at", "dossiers_dossier"."id") > (%s, %s)'],
            params=[after[0], after[1]],
        )
    else:  # SQLite (the demo) stores datetimes as text: let the ORM convert the cursor
        dated = base.filter(Q(due_at__gt=after[0]) | Q(due_at=after[0], id__gt=after[1]))
    dated = dated.order_by("due_at", "id")[: size + 1]
    undated = base.filter(due_at__isnull=True).order_by(*dossier_due_order())[: size + 1]
    if connection.features.supports_slicing_ordering_in_compound:
        return [dated.union(undated, all=True)]
    return [dated, undated]  # SQLite (the demo) refuses LIMIT inside UNION ALL: two queries


# Values the prepared row queries are written with, then replaced by each request's: no real
# agency, user or dossier has a negative id, and no cursor is dated 1901.
PLACEHOLDERS = {
    "agency": -730_001,
    "user": -730_002,
    "after_id": -730_003,
    "after_due": dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC),
}
# A second set: the query written with each must differ only where a placeholder was put.
OTHER_PLACEHOLDERS = {
    "agency": -730_011,
    "user": -730_012,
    "after_id": -730_013,
    "after_due": dt.datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC),
}


def _cursor_kind(after: Cursor | None) -> str:
    return "first" if after is None else ("undated" if after[0] is None else "dated")


@dataclass(frozen=True)
class PreparedRows:
    """A page's row query without filters, written by the ORM once and run with new values.

    An unfiltered queue page (most requests) runs one of a few row queries (a queue, and its
    first page, a cursor in the undated tail or one in the dated part) that differ only in
    their values. Building the queryset and compiling it cost about 1.7 ms a request, more than
    PostgreSQL took to run it. Here the ORM writes each once per process, with ``PLACEHOLDERS``
    for the values; a request puts its values where the placeholders were and converts the
    columns with the ORM's own database converters. The SQL is the ORM's, to the character:
    ``tests/dossiers/test_officer_queues.py`` compares it, its parameters and its rows with the
    ORM's for every queue and kind of cursor."""

    sql: str
    params: tuple
    slots: tuple[tuple[int, str], ...]  # (position in params, name in PLACEHOLDERS)
    converters: tuple[tuple[int, tuple, object], ...]  # (column, converters, expression)

    def bind(self, *, agency: int, user: int | None, after: Cursor | None) -> list:
        values = {"agency": agency, "user": user}
        if after is not None:
            values.update(after_due=after[0], after_id=after[1])
        params = list(self.params)
        for index, name in self.slots:
            params[index] = values[name]
        return params

    def run(self, *, agency: int, user: int | None, after: Cursor | None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.bind(agency=agency, user=user, after=after))
            rows = cursor.fetchall()
        if self.converters:
            converted = []
            for row in rows:
                row = list(row)
                for index, converters, expression in self.converters:
                    for convert in converters:
                        row[index] = convert(row[index], expression, connection)
                converted.append(tuple(row))
            rows = converted
        return rows


@functools.cache
def _prepared_rows(slug: str, kind: str, size: int, alias: str) -> PreparedRows | None:
    try:
        return prepare_rows(QUEUES[slug], kind, size, alias)
    except PreparationError:
        logger.exception("queue %s/%s: the ORM's row query is run on every request", slug, kind)
        return None


class PreparationError(RuntimeError):
    """The ORM wrote a row query whose values could not be told apart from its SQL."""


def _written(queue: Queue, kind: str, size: int, alias: str, values: dict):
    after = {
        "first": None,
        "undated": (None, values["after_id"]),
        "dated": (values["after_due"], values["after_id"]),
    }[kind]
    (query,) = row_queries(
        queue=queue,
        agency=values["agency"],
        user=values["user"] if queue.mine else None,
        filters=QueueFilters(),
        after=after,
        size=size,
        now=None,  # unused without filters
        soon=None,
    )
    compiler = query.query.get_compiler(using=alias)
    sql, params = compiler.as_sql()
    return compiler, sql, list(params)


def prepare_rows(queue: Queue, kind: str, size: int, alias: str) -> PreparedRows:
    """The row query of ``queue`` for a ``kind`` of cursor, written by the ORM with placeholders.

    Written twice, with two sets of placeholders: the SQL must be the same and the parameters
    must differ exactly where a placeholder was put, each name expected being found — else the
    values are not all parameters and ``PreparationError`` is raised."""
    compiler, sql, params = _written(queue, kind, size, alias, PLACEHOLDERS)
    _, other_sql, other_params = _written(queue, kind, size, alias, OTHER_PLACEHOLDERS)
    slots = tuple(
        (index, name)
        for index, value in enumerate(params)
        for name, placeholder in PLACEHOLDERS.items()
        if type(value) is type(placeholder) and value == placeholder
    )
    expected = {"agency"} | ({"user"} if queue.mine else set())
    expected |= {"first": set(), "undated": {"after_id"}, "dated": {"after_id", "after_due"}}[kind]
    pairs = zip(params, other_params, strict=False)  # lengths compared below
    changed = {index for index, (a, b) in enumerate(pairs) if a != b}
    if (
        sql != other_sql
        or len(params) != len(other_params)
        or changed != {index for index, _ in slots}
        or any(other_params[index] != OTHER_PLACEHOLDERS[name] for index, name in slots)
        or {name for _, name in slots} != expected
    ):
        raise PreparationError(f"the row query of {queue.slug}/{kind} keeps values in its SQL")
    columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
    converters = tuple(
        (index, tuple(found), expression)
        for index, (found, expression) in compiler.get_converters(columns).items()
    )
    # values_list selects its columns in the order it names them (Django 5.2): rows as they come
    return PreparedRows(sql=sql, params=tuple(params), slots=slots, converters=converters)


def queue_page(
    *,
    queue: Queue,
    agency,
    user,
    filters: QueueFilters | None = None,
    after: Cursor | None = None,
    size: int = PAGE_SIZE,
    now: dt.datetime | None = None,
    index: ProcedureIndex | None = None,
) -> QueuePage:
    """One page of a queue, due first (undated last), ``size`` rows after ``after``.

    The row query reads the dossier table in the order of the queue's index
    (``due_at ASC NULLS LAST, id`` — how PostgreSQL's B-tree stores it), so PostgreSQL walks the
    index and stops after ``size + 1`` rows. It joins only the officers' names (primary keys)
    and reads the fee status in a subquery: joining the procedure through the version as well
    made PostgreSQL spend more time planning the query (≈1.3 ms) than running it (≈0.2 ms), so
    the procedures' names come from the agency's cached ``procedure_index`` (a query by primary
    key only for versions it lacks, in ``decorate_rows``). A cursor inside the undated tail is
    one range (``due_at IS NULL AND id > …``); only a cursor inside the dated part needs the
    rest of the dated rows UNION ALL the first undated ones. Without filters, on PostgreSQL,
    the row query is the ORM's written once per process (``PreparedRows``).
    """
    filters = filters or QueueFilters()
    now = now or timezone.now()
    # The "due soon" cutoff needs the agency's calendar: computed only when a filter or a dated
    # row needs it (the reception queue's dossiers have no due date yet).
    soon = due_soon_cutoff(agency_id=agency.pk, now=now) if filters.time_left else None
    user_pk = getattr(user, "pk", None)
    prepared = None
    if filters == QueueFilters() and connection.vendor == "postgresql":
        prepared = _prepared_rows(queue.slug, _cursor_kind(after), size, connection.alias)
    if queue.mine and user_pk is None:
        found = []  # nobody's own work
    elif prepared is not None:
        found = prepared.run(agency=agency.pk, user=user_pk, after=after)
    else:
        found = [
            row
            for query in row_queries(
                queue=queue,
                agency=agency.pk,
                user=user_pk,
                filters=filters,
                after=after,
                size=size,
                now=now,
                soon=soon,
            )
            for row in query
        ]
    rows = [QueueRow(*values) for values in found]
    if after is not None and after[0] is not None:
        rows.sort(key=lambda r: (r.due_at is None, r.due_at or now, r.pk))
    more = len(rows) > size
    rows = rows[:size]
    if soon is None and any(row.due_at is not None for row in rows):
        soon = due_soon_cutoff(agency_id=agency.pk, now=now)
    decorate_rows(rows, now=now, soon=soon, index=index)
    return QueuePage(
        queue=queue,
        rows=rows,
        next_cursor=cursor_encode(rows[-1]) if more else None,
        filters=filters,
    )


FEE_LABELS = {  # translated: English pages show English words
    "unpaid": _("chưa thanh toán"),
    "paid": _("đã thanh toán"),
    "not_required": _("không thu phí"),
}


def decorate_rows(rows: list[QueueRow], *, now, soon, index: ProcedureIndex | None = None) -> None:
    """What a row shows besides its own columns, in words beside colours: the procedure, time
    left, status and fee. Procedures come from the agency's ``procedure_index``; a query only
    for versions it lacks."""
    from dossiers.selectors import status_label
    from procedures.models import ProcedureVersion

    if not rows:
        return
    # One reverse() for the page: the dossiers' URLs differ only by their public id.
    detail_url = cached_reverse("dossiers:officer:detail", args=[_URL_PLACEHOLDER])
    placeholder = str(_URL_PLACEHOLDER)
    tz = timezone.get_current_timezone()
    procedures = index.versions if index is not None else {}
    missing = {row.version_id for row in rows} - procedures.keys()
    if missing:  # a procedure the agency no longer receives, or no index given
        procedures = {
            **procedures,
            **{
                pk: (name, code)
                for pk, name, code in ProcedureVersion.objects.filter(pk__in=missing)
                .order_by()
                .values_list("pk", "procedure__name", "procedure__code")
            },
        }
    for row in rows:
        row.procedure_name, row.procedure_code = procedures.get(row.version_id, ("", ""))
        row.claimed_now = row.claimed_by_id is not None and row.claimed_status == row.status
        row.time_left = time_left(row.due_at, now=now, soon=soon, status=row.status)
        row.time_left_vi, row.time_left_en = TIME_LEFT[row.time_left]
        row.status_text = status_label(row.status)
        row.applicant_name = (row.applicant_data or {}).get("full_name", "")
        row.detail_url = detail_url.replace(placeholder, str(row.public_id))
        # Dates as the row prints them, formatted here rather than by template filters (the
        # page prints 20 rows × 3 dates: filters were a measurable part of its time).
        row.shown_on = _stamp(row.received_at or row.submitted_at, "%d/%m/%Y", tz)
        row.due_on = _stamp(row.due_at, "%H:%M %d/%m/%Y", tz)
        # The same words as payments.selectors.fee_summary(...).officer_label, in the row query.
        row.fee_label = FEE_LABELS.get(row.fee_status or "", "—")


_URL_PLACEHOLDER = uuid.UUID(int=0)


def _stamp(moment: dt.datetime | None, pattern: str, tz) -> tuple[str, str] | None:
    """(ISO 8601 for ``<time datetime>``, local time as ``pattern``) or None."""
    if moment is None:
        return None
    local = moment.astimezone(tz)
    return local.isoformat(), local.strftime(pattern)


# -- counts ----------------------------------------------------------------------------------
def queue_counts(*, agency, user) -> dict[str, int]:
    """Dossiers in each queue of the agency: its rows of ``QueueCount``, which triggers keep
    (migration 0005), plus — for a specialist, the one role with "my work" — one grouped scan
    of their own dossiers on the assigned-queue index (0 for anybody else)."""
    from dossiers.models import QueueCount

    by_status = dict(QueueCount.objects.filter(agency=agency).values_list("status", "n"))
    mine = {}
    if any(queue.mine for queue in queues_for(user)):
        mine = dict(
            Dossier.objects.filter(agency=agency, assigned_to=user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
    counts = {}
    for queue in QUEUES.values():
        if queue.mine:
            counts[queue.slug] = mine.get(queue.status, 0)
        elif queue.status is None:
            counts[queue.slug] = sum(n for s, n in by_status.items() if s != S.DRAFT)
        else:
            counts[queue.slug] = by_status.get(queue.status, 0)
    return counts


# -- one dossier -----------------------------------------------------------------------------
def dossier_for_officer(*, public_id, user) -> Dossier:
    """A dossier of the officer's own agency; 404 for any other (its existence is not shown)."""
    agency = officer_agency(user)
    dossier = (
        Dossier.objects.filter(public_id=public_id, agency=agency, code__isnull=False)
        .select_related("version__procedure", "agency", "assigned_to", "claimed_by", "applicant")
        .first()
        if agency is not None
        else None
    )
    if dossier is None:
        raise Http404("Không tìm thấy hồ sơ (dossier not found).")
    return dossier


def agency_specialists(agency) -> QuerySet:
    from portal.models import User

    return (
        User.objects.filter(
            officer_profile__agency=agency, groups__name=Role.SPECIALIST, is_active=True
        )
        .order_by("full_name", "id")
        .distinct()
    )


def agency_procedures(agency) -> list:
    """Procedures the agency receives (with a published version): filter and counter intake."""
    from procedures.models import Procedure, VersionStatus

    return sorted(
        Procedure.objects.filter(agencies=agency, versions__status=VersionStatus.PUBLISHED)
        .distinct()
        .only("code", "name"),
        key=lambda procedure: vi_sort_key(procedure.name),
    )


# -- the catalog as queue pages need it, cached ---------------------------------------------
CATALOG_GENERATION_KEY = "catalog:generation"
PROCEDURE_INDEX_TIMEOUT = 60 * 60


@dataclass(frozen=True)
class ProcedureIndex:
    """What queue pages show of the catalog for one agency: the filter's procedures (id, name)
    and, for every version of those procedures, its procedure's (name, code)."""

    generation: str
    choices: tuple[tuple[int, str], ...]
    versions: dict[int, tuple[str, str]]


def _new_catalog_generation() -> None:
    from django.core.cache import cache

    cache.set(CATALOG_GENERATION_KEY, uuid.uuid4().hex, None)


def bump_catalog_generation(**_kwargs) -> None:
    """Any change to procedures, versions or who receives them makes every index stale
    (signals connected in ``dossiers.apps``): a new random generation now, and again after the
    change commits, so that an index rebuilt in between from the old data does not stay."""
    from django.db import transaction

    _new_catalog_generation()
    transaction.on_commit(_new_catalog_generation)


def procedure_index(agency) -> ProcedureIndex:
    """The agency's ``ProcedureIndex`` from the cache (one round trip), rebuilt by two queries
    when the catalog has changed since it was stored."""
    from django.core.cache import cache

    from procedures.models import ProcedureVersion

    key = f"officer:procedure-index:{agency.pk}"
    found = cache.get_many([CATALOG_GENERATION_KEY, key])
    generation = found.get(CATALOG_GENERATION_KEY)
    if generation is None:  # first use, or evicted: a new one (never a number seen before)
        cache.add(CATALOG_GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(CATALOG_GENERATION_KEY)
    index = found.get(key)
    if index is not None and index.generation == generation:
        return index
    choices = tuple((p.pk, p.name) for p in agency_procedures(agency))
    versions = {
        pk: (name, code)
        for pk, name, code in ProcedureVersion.objects.filter(
            procedure_id__in=[pk for pk, _name in choices]
        )
        .order_by()
        .values_list("pk", "procedure__name", "procedure__code")
    }
    index = ProcedureIndex(generation=generation, choices=choices, versions=versions)
    cache.set(key, index, PROCEDURE_INDEX_TIMEOUT)
    return index


def dossier_due_order():
    return [F("due_at").asc(nulls_last=True), "id"]
