"""The dossier state machine (DESIGN §4). Every status change of a dossier happens here.

Each transition is one function call that, in one transaction: locks the dossier row, refuses a
wrong starting state or actor with a clear :class:`WorkflowError` (nothing changes), saves with
``update_fields``, appends a :class:`DossierEvent`, writes a :class:`SyncOutbox` row and queues
the citizen's notification on commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from dossiers.models import (
    Channel,
    Dossier,
    DossierCodeCounter,
    DossierEvent,
    DossierStatus,
    LogbookCounter,
    QueueCount,
    SyncOutbox,
)
from dossiers.selectors import status_words
from portal.bilingual import vi_en
from portal.roles import Role, role_names

S = DossierStatus
APPLICANT = "applicant"


class WorkflowError(Exception):
    """A transition that cannot happen; the message is for the person who tried: Vietnamese with
    an English gloss, or English alone in English pages (translated when raised)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class WrongState(WorkflowError):
    pass


class NotAllowed(WorkflowError):
    pass


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: back to the dossier's resume_status
    actors: frozenset[str]  # APPLICANT and/or role names (officers of the dossier's agency)
    note_required: bool = False
    label: str = ""


def _t(action, sources, target, actors, *, note_required=False, label=""):
    return Transition(action, frozenset(sources), target, frozenset(actors), note_required, label)


OPEN_BEFORE_RESULT = {
    S.DRAFT,
    S.SUBMITTED,
    S.RECEIVED,
    S.IN_REVIEW,
    S.AWAITING_APPROVAL,
    S.SUPPLEMENT_REQUESTED,
}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t(
            "submit",
            {S.DRAFT},
            S.SUBMITTED,
            {APPLICANT, Role.RECEPTION},
            label=gettext_noop("Nộp hồ sơ"),
        ),
        _t(
            "receive",
            {S.SUBMITTED},
            S.RECEIVED,
            {Role.RECEPTION},
            label=gettext_noop("Tiếp nhận hồ sơ"),
        ),
        _t(
            "refuse",
            {S.SUBMITTED},
            S.REFUSED,
            {Role.RECEPTION},
            note_required=True,
            label=gettext_noop("Từ chối tiếp nhận"),
        ),
        _t(
            "request_supplement",
            {S.SUBMITTED, S.IN_REVIEW},
            S.SUPPLEMENT_REQUESTED,
            {Role.RECEPTION, Role.SPECIALIST},
            note_required=True,
            label=gettext_noop("Yêu cầu bổ sung"),
        ),
        _t(
            "resubmit",
            {S.SUPPLEMENT_REQUESTED},
            None,
            {APPLICANT, Role.RECEPTION},
            label=gettext_noop("Nộp bổ sung"),
        ),
        _t(
            "assign",
            {S.RECEIVED, S.IN_REVIEW},
            S.IN_REVIEW,
            {Role.RECEPTION, Role.APPROVER},
            label=gettext_noop("Phân công xử lý"),
        ),
        _t(
            "propose",
            {S.IN_REVIEW},
            S.AWAITING_APPROVAL,
            {Role.SPECIALIST},
            label=gettext_noop("Trình phê duyệt"),
        ),
        _t(
            "approve",
            {S.AWAITING_APPROVAL},
            S.RESULT_READY,
            {Role.APPROVER},
            label=gettext_noop("Phê duyệt"),
        ),
        _t(
            "reject",
            {S.AWAITING_APPROVAL},
            S.REJECTED,
            {Role.APPROVER},
            note_required=True,
            label=gettext_noop("Không giải quyết"),
        ),
        _t(
            "return_result",
            {S.RESULT_READY},
            S.COMPLETED,
            {Role.RECEPTION},
            label=gettext_noop("Trả kết quả"),
        ),
        _t(
            "withdraw",
            OPEN_BEFORE_RESULT,
            S.WITHDRAWN,
            {APPLICANT},
            label=gettext_noop("Rút hồ sơ"),
        ),
    ]
}


# The actions in English words, for the English part of the refusals.
_VERBS = {
    "submit": "submit",
    "receive": "receive",
    "refuse": "refuse",
    "request_supplement": "ask for a supplement to",
    "resubmit": "resubmit",
    "assign": "assign",
    "propose": "propose for approval",
    "approve": "approve",
    "reject": "reject",
    "return_result": "hand back the result of",
    "withdraw": "withdraw",
}
assert set(_VERBS) == set(TRANSITIONS)


def allowed_actions(*, dossier: Dossier, actor) -> list[str]:
    """Actions ``actor`` may take on ``dossier`` now (for showing buttons; the guard still runs)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if dossier.status in t.sources and _actor_capacity(t, dossier, actor) is not None
    ]


def _officer_agency_id(actor) -> int | None:
    profile = getattr(actor, "officer_profile", None)
    return profile.agency_id if profile is not None else None


def _actor_capacity(t: Transition, dossier: Dossier, actor) -> str | None:
    """The capacity in which ``actor`` may take ``t`` on ``dossier`` (None: not at all)."""
    if actor is None or not actor.is_authenticated:
        return None
    if APPLICANT in t.actors and dossier.applicant_id == actor.pk:
        # A counter dossier waiting for its owner's CCCD is not yet theirs to act on.
        return None if dossier.owner_check_pending else APPLICANT
    roles = role_names(actor) & t.actors
    if roles and dossier.agency_id is not None and _officer_agency_id(actor) == dossier.agency_id:
        return sorted(roles)[0]
    return None


def _counter_next(model, *, agency_id: int, period: str, value) -> int:
    """The next value of a per-agency sequence (``model``: agency, ``period`` column, ``last``):
    one atomic upsert, no race; the counter row stays locked until the transaction commits."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, {period}, last) VALUES (%s, %s, 1) "  # noqa: S608
            f"ON CONFLICT (agency_id, {period}) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency_id, value],
        )
        (number,) = cursor.fetchone()
    return number


def next_dossier_code(*, agency, day) -> str:
    """``<agency code>-<yymmdd>-<4-digit daily sequence>``."""
    number = _counter_next(DossierCodeCounter, agency_id=agency.pk, period="day", value=day)
    return f"{agency.code}-{day:%y%m%d}-{number:04d}"


def next_logbook_number(*, agency_id: int, year: int) -> int:
    """The next number of the agency's logbook for ``year`` (numbers follow the order in which
    receptions commit)."""
    return _counter_next(LogbookCounter, agency_id=agency_id, period="year", value=year)


def agency_counters_lock(*, agency_id: int, statuses: list[str]) -> None:
    """Lock, in one fixed order, the rows a transaction of several transitions will update (the
    day's code counter, the year's logbook counter, then the queue counts of ``statuses`` in
    sorted order), before it makes the first one.

    A single transition takes them in that order by itself (a counter in ``mutate``, then the
    queue-count trigger's one statement, sorted). Two in one transaction (counter intake:
    submit, then receive) would otherwise hold the "submitted" count while a concurrent online
    reception holds the logbook counter or the "received" count and waits for it: a deadlock.
    PostgreSQL only (SQLite serialises writers with BEGIN IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    now = timezone.localtime()
    codes, logbook = DossierCodeCounter._meta.db_table, LogbookCounter._meta.db_table
    counts = QueueCount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {codes} (agency_id, day, last) VALUES (%s, %s, 0) "  # noqa: S608
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {codes}.last",
            [agency_id, now.date()],
        )
        cursor.execute(
            f"INSERT INTO {logbook} (agency_id, year, last) VALUES (%s, %s, 0) "  # noqa: S608
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {logbook}.last",
            [agency_id, now.year],
        )
        for status in sorted(statuses):
            cursor.execute(
                f"INSERT INTO {counts} (agency_id, status, n) VALUES (%s, %s, 0) "  # noqa: S608
                f"ON CONFLICT (agency_id, status) DO UPDATE SET n = {counts}.n",
                [agency_id, status],
            )


Mutator = Callable[[Dossier], set[str]]


def _check_fee(dossier: Dossier, action: str) -> None:
    """An unpaid fee holds back reception (fee due on submission) and handing back the result.

    A dossier filed at the counter pays at the counter, so its reception is not held back.
    """
    from payments.selectors import fee_blocking_message

    if action == "receive" and dossier.channel == Channel.COUNTER:
        return
    message = fee_blocking_message(dossier=dossier, action=action)
    if message:
        raise WorkflowError(message, code="fee_unpaid")


@transaction.atomic
def _apply(
    *,
    dossier: Dossier,
    actor,
    action: str,
    note: str = "",
    data: dict | None = None,
    mutate: Mutator | None = None,
    check: Callable[[Dossier], None] | None = None,
) -> Dossier:
    t = TRANSITIONS[action]
    locked = (
        Dossier.objects.select_for_update(of=("self",)).select_related("agency").get(pk=dossier.pk)
    )
    if locked.status not in t.sources:
        vietnamese, english = status_words(locked.status)
        raise WrongState(
            vi_en(
                f"Không thể “{t.label}” khi hồ sơ đang ở trạng thái “{vietnamese}”.",
                f"You cannot {_VERBS[action]} a dossier that is “{english}”.",
            ),
            code="wrong_state",
        )
    capacity = _actor_capacity(t, locked, actor)
    if capacity is None:
        raise NotAllowed(
            vi_en(
                f"Bạn không có quyền “{t.label}” đối với hồ sơ này.",
                f"You may not {_VERBS[action]} this dossier.",
            ),
            code="not_allowed",
        )
    note = (note or "").strip()
    if t.note_required and not note:
        raise WorkflowError(
            vi_en(
                f"Vui lòng ghi rõ lý do khi “{t.label}”.",
                f"Please give the reason: it is required to {_VERBS[action]} a dossier.",
            ),
            code="note_required",
        )
    if check is not None:
        check(locked)
    _check_fee(locked, action)
    from_status = locked.status
    target = t.target or locked.resume_status or S.SUBMITTED
    fields = {"status", "updated_at"}
    if mutate is not None:
        fields |= mutate(locked)
    locked.status = target
    locked.save(update_fields=sorted(fields))
    event = DossierEvent.objects.create(
        dossier=locked,
        action=action,
        from_status=from_status,
        to_status=locked.status,
        actor=actor,
        note=note,
        data={"capacity": capacity, **(data or {})},
    )
    SyncOutbox.objects.create(
        event=event,
        payload={
            "code": locked.code,
            "procedure_version": locked.version_id,
            "agency": locked.agency.code if locked.agency else None,
            "action": action,
            "from": from_status,
            "to": locked.status,
            "at": timezone.now().isoformat(),
        },
    )
    from dossiers.tasks import notify_status_change
    from portal.tasks import enqueue_on_commit

    enqueue_on_commit(notify_status_change, event.pk)
    dossier.__dict__.update(
        {f.attname: getattr(locked, f.attname) for f in Dossier._meta.concrete_fields}
    )
    return locked


# --- the transitions ---------------------------------------------------------------------


def dossier_submit(
    *, dossier: Dossier, actor, validate: Callable[[Dossier], None] | None = None
) -> Dossier:
    """Nộp hồ sơ: the dossier gets its code; ``validate`` re-checks the form on the server."""

    def check(d: Dossier) -> None:
        if d.agency_id is None:
            raise WorkflowError(
                gettext("Vui lòng chọn cơ quan tiếp nhận (choose a receiving agency)."),
                code="no_agency",
            )
        if validate is not None:
            validate(d)

    def mutate(d: Dossier) -> set[str]:
        now = timezone.now()
        d.submitted_at = now
        d.code = next_dossier_code(agency=d.agency, day=timezone.localdate(now))
        return {"submitted_at", "code"}

    from payments.services import dossier_fee_assess

    with transaction.atomic():
        submitted = _apply(
            dossier=dossier, actor=actor, action="submit", mutate=mutate, check=check
        )
        dossier_fee_assess(dossier=submitted)  # the fee and the rule that produced it
    return submitted


def dossier_receive(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    """Tiếp nhận: the clock starts; the appointment (due date) is set (Mẫu 01)."""

    def mutate(d: Dossier) -> set[str]:
        from dossiers.deadlines import due_at_for

        d.received_at = timezone.now()
        d.due_at = due_at_for(dossier=d, start=d.received_at)
        d.logbook_number = next_logbook_number(
            agency_id=d.agency_id, year=timezone.localtime(d.received_at).year
        )
        return {"received_at", "due_at", "logbook_number"}

    return _apply(dossier=dossier, actor=actor, action="receive", note=note, mutate=mutate)


def dossier_refuse(*, dossier: Dossier, actor, reasons: str) -> Dossier:
    """Từ chối tiếp nhận (Mẫu 03), with the specific reasons."""
    return _apply(dossier=dossier, actor=actor, action="refuse", note=reasons)


def dossier_request_supplement(
    *, dossier: Dossier, actor, items: list[dict], note: str = ""
) -> Dossier:
    """Yêu cầu bổ sung (Mẫu 02): everything missing at once, each with its reason."""
    items = [
        {"what": str(i.get("what", "")).strip(), "reason": str(i.get("reason", "")).strip()}
        for i in items
    ]
    if not items or any(not i["what"] or not i["reason"] for i in items):
        raise WorkflowError(
            gettext(
                "Liệt kê đầy đủ từng nội dung cần bổ sung và lý do (list each item with its reason)."
            ),
            code="items_required",
        )
    summary = note.strip() or "; ".join(f"{i['what']}: {i['reason']}" for i in items)

    def mutate(d: Dossier) -> set[str]:
        d.resume_status = d.status
        if d.received_at is None or d.due_at is None:
            return {"resume_status"}  # asked at reception: no clock yet
        d.clock_paused_at = timezone.now()  # the clock stops while the citizen supplements
        return {"resume_status", "clock_paused_at"}

    return _apply(
        dossier=dossier,
        actor=actor,
        action="request_supplement",
        note=summary,
        data={"items": items},
        mutate=mutate,
    )


def dossier_resubmit(
    *,
    dossier: Dossier,
    actor,
    note: str = "",
    validate: Callable[[Dossier], None] | None = None,
    changes: dict | None = None,
) -> Dossier:
    """Nộp bổ sung: back to where the supplement was requested (reception or review).

    ``changes``: the answers the citizen changed, ``{field: {"old": …, "new": …}}``, recorded
    in the event (the dossier keeps only the new ones)."""

    clock: dict = {}  # filled by mutate, recorded in the event's data (why the due date moved)
    if changes:
        clock["changes"] = changes

    def mutate(d: Dossier) -> set[str]:
        from dossiers.deadlines import due_at_after_resume

        d.resume_status = ""
        if d.clock_paused_at is None:
            return {"resume_status"}
        now = timezone.now()
        old_due = d.due_at
        d.due_at = due_at_after_resume(dossier=d, now=now)
        clock.update(
            clock=d.version.supplement_clock,
            paused_at=d.clock_paused_at.isoformat(),
            old_due_at=timezone.localtime(old_due).isoformat() if old_due else None,
            new_due_at=timezone.localtime(d.due_at).isoformat(),
        )
        d.clock_paused_at = None
        if d.overdue_at is not None and d.due_at > now:
            d.overdue_at = None
        return {"resume_status", "due_at", "clock_paused_at", "overdue_at"}

    return _apply(
        dossier=dossier,
        actor=actor,
        action="resubmit",
        note=note,
        check=validate,
        mutate=mutate,
        data=clock,
    )


def dossier_assign(*, dossier: Dossier, actor, assignee, note: str = "") -> Dossier:
    """Phân công: hand the dossier to a specialist of the same agency."""

    def check(d: Dossier) -> None:
        if (
            Role.SPECIALIST not in role_names(assignee)
            or _officer_agency_id(assignee) != d.agency_id
        ):
            raise WorkflowError(
                gettext(
                    "Chỉ phân công cho chuyên viên của cùng cơ quan (assign to a specialist of this agency)."
                ),
                code="bad_assignee",
            )

    def mutate(d: Dossier) -> set[str]:
        d.assigned_to = assignee
        return {"assigned_to"}

    return _apply(
        dossier=dossier,
        actor=actor,
        action="assign",
        note=note,
        check=check,
        mutate=mutate,
        data={"assignee": assignee.pk},
    )


def dossier_propose(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    """Trình phê duyệt: only the specialist the dossier is assigned to."""

    def check(d: Dossier) -> None:
        if d.assigned_to_id != actor.pk:
            raise NotAllowed(
                gettext(
                    "Chỉ chuyên viên được phân công mới trình phê duyệt (only the assigned specialist)."
                ),
                code="not_assigned",
            )

    return _apply(dossier=dossier, actor=actor, action="propose", note=note, check=check)


def _decided(d: Dossier) -> set[str]:
    d.decided_at = timezone.now()
    return {"decided_at"}


def dossier_approve(*, dossier: Dossier, actor, note: str = "") -> Dossier:
    return _apply(dossier=dossier, actor=actor, action="approve", note=note, mutate=_decided)


def dossier_reject(*, dossier: Dossier, actor, reasons: str) -> Dossier:
    return _apply(dossier=dossier, actor=actor, action="reject", note=reasons, mutate=_decided)


def dossier_return_result(
    *, dossier: Dossier, actor, note: str = "", data: dict | None = None
) -> Dossier:
    """Trả kết quả: online, at the counter (who collected it) or by post (tracking number)."""

    def mutate(d: Dossier) -> set[str]:
        from dossiers.deadlines import returned_late

        d.completed_at = timezone.now()
        d.completed_late = returned_late(dossier=d, at=d.completed_at)  # set once, never edited
        return {"completed_at", "completed_late"}

    return _apply(
        dossier=dossier, actor=actor, action="return_result", note=note, data=data, mutate=mutate
    )


def dossier_withdraw(*, dossier: Dossier, actor, reason: str) -> Dossier:
    """Rút hồ sơ: the applicant, before a result exists; a filed dossier needs a reason."""

    def check(d: Dossier) -> None:
        if d.status != S.DRAFT and not (reason or "").strip():
            raise WorkflowError(
                gettext("Vui lòng cho biết lý do rút hồ sơ (give a reason)."), code="note_required"
            )

    return _apply(dossier=dossier, actor=actor, action="withdraw", note=reason, check=check)


ACTION_FUNCTIONS = {
    "submit": dossier_submit,
    "receive": dossier_receive,
    "refuse": dossier_refuse,
    "request_supplement": dossier_request_supplement,
    "resubmit": dossier_resubmit,
    "assign": dossier_assign,
    "propose": dossier_propose,
    "approve": dossier_approve,
    "reject": dossier_reject,
    "return_result": dossier_return_result,
    "withdraw": dossier_withdraw,
}
assert set(ACTION_FUNCTIONS) == set(TRANSITIONS)


# --- back office: taking a dossier from a queue (issue 7) ------------------------------------
# Claiming never changes a status by itself, except a specialist taking a received dossier,
# which is the ``assign`` transition to themself. Other claims set the "being handled by" marker
# (``claimed_by``, valid while the dossier stays in ``claimed_status``). Rows are taken with
# ``select_for_update(skip_locked=True)``: of two officers claiming one dossier at once, one wins
# and the other is told at once (no waiting on the lock).

# queue -> (the status it lists, the role that takes dossiers from it)
CLAIM_QUEUES: dict[str, tuple[str, str]] = {
    "reception": (S.SUBMITTED, Role.RECEPTION),
    "unassigned": (S.RECEIVED, Role.SPECIALIST),
    "approval": (S.AWAITING_APPROVAL, Role.APPROVER),
    "results": (S.RESULT_READY, Role.RECEPTION),
}
CLAIM_ROLES: dict[str, str] = {status: role for status, role in CLAIM_QUEUES.values()}
CLAIMED_BY_OTHER = gettext_noop(
    "Hồ sơ đang được cán bộ khác nhận xử lý, vui lòng chọn hồ sơ khác "
    "(another officer is handling this dossier; choose another one)."
)


def _claim_locked(locked: Dossier, actor) -> Dossier:
    """Claim an already locked dossier for ``actor`` (checks state, role, agency, marker)."""
    role = CLAIM_ROLES.get(locked.status)
    if role is None:
        vietnamese, english = status_words(locked.status)
        raise WrongState(
            vi_en(
                f"Không thể nhận xử lý hồ sơ đang ở trạng thái “{vietnamese}”.",
                f"A dossier that is “{english}” cannot be claimed.",
            ),
            code="wrong_state",
        )
    if role not in role_names(actor) or _officer_agency_id(actor) != locked.agency_id:
        raise NotAllowed(
            gettext("Bạn không có quyền nhận xử lý hồ sơ này (you may not claim this dossier)."),
            code="not_allowed",
        )
    if locked.status == S.RECEIVED:
        # A specialist takes a received dossier: the ``assign`` transition to themself.
        from_status = locked.status
        locked.assigned_to = actor
        locked.status = S.IN_REVIEW
        locked.save(update_fields=["assigned_to", "status", "updated_at"])
        event = DossierEvent.objects.create(
            dossier=locked,
            action="assign",
            from_status=from_status,
            to_status=locked.status,
            actor=actor,
            note="Chuyên viên nhận xử lý (claimed by the specialist)",
            data={"capacity": Role.SPECIALIST.value, "assignee": actor.pk, "claimed": True},
        )
        SyncOutbox.objects.create(
            event=event,
            payload={
                "code": locked.code,
                "procedure_version": locked.version_id,
                "agency": locked.agency.code if locked.agency else None,
                "action": "assign",
                "from": from_status,
                "to": locked.status,
                "at": timezone.now().isoformat(),
            },
        )
        from dossiers.tasks import notify_status_change
        from portal.tasks import enqueue_on_commit

        enqueue_on_commit(notify_status_change, event.pk)
        return locked
    if locked.claimed_by_id not in (None, actor.pk) and locked.claimed_status == locked.status:
        raise WorkflowError(gettext(CLAIMED_BY_OTHER), code="claimed")
    locked.claimed_by = actor
    locked.claimed_at = timezone.now()
    locked.claimed_status = locked.status
    locked.save(update_fields=["claimed_by", "claimed_at", "claimed_status"])
    return locked


@transaction.atomic
def dossier_claim(*, dossier: Dossier, actor) -> Dossier:
    """Nhận xử lý: take one dossier (a row locked by another officer is refused at once)."""
    locked = (
        Dossier.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("agency")
        .filter(pk=dossier.pk)
        .first()
    )
    if locked is None:
        raise WorkflowError(gettext(CLAIMED_BY_OTHER), code="claimed")
    claimed = _claim_locked(locked, actor)
    dossier.__dict__.update(
        {f.attname: getattr(claimed, f.attname) for f in Dossier._meta.concrete_fields}
    )
    return claimed


@transaction.atomic
def dossier_take_next(*, agency, actor, queue: str) -> Dossier | None:
    """Lấy hồ sơ tiếp theo: the unclaimed dossier of ``queue`` due first (None: queue empty)."""
    from django.db.models import F, Q

    if queue not in CLAIM_QUEUES:
        raise WorkflowError(gettext("Hàng đợi không hợp lệ (unknown queue)."), code="bad_queue")
    status, role = CLAIM_QUEUES[queue]
    if role not in role_names(actor) or _officer_agency_id(actor) != agency.pk:
        raise NotAllowed(
            gettext(
                "Bạn không có quyền nhận hồ sơ từ hàng đợi này (you may not take from this queue)."
            ),
            code="not_allowed",
        )
    free = Q(claimed_by__isnull=True) | ~Q(claimed_status=status) | Q(claimed_by=actor)
    if status == S.RECEIVED:
        free = Q(assigned_to__isnull=True)
    locked = (
        Dossier.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("agency")
        .filter(free, agency=agency, status=status)
        .order_by(F("due_at").asc(nulls_last=True), "id")
        .first()
    )
    if locked is None:
        return None
    return _claim_locked(locked, actor)
