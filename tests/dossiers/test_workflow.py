"""The state machine: every (state, transition, persona) combination, allowed and forbidden."""

import ast
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from dossiers import workflow
from dossiers.models import Dossier, DossierEvent, DossierStatus, SyncOutbox
from dossiers.workflow import NotAllowed, WorkflowError, WrongState
from tests.dossiers.parallel import in_parallel

S = DossierStatus
OPEN = {S.DRAFT, S.SUBMITTED, S.RECEIVED, S.IN_REVIEW, S.AWAITING_APPROVAL, S.SUPPLEMENT_REQUESTED}

# Written by hand from DESIGN §4 (not derived from workflow.TRANSITIONS):
# action -> (states it may start from, personas who may take it, resulting state)
EXPECTED = {
    "submit": ({S.DRAFT}, {"applicant", "reception"}, S.SUBMITTED),
    "receive": ({S.SUBMITTED}, {"reception"}, S.RECEIVED),
    "refuse": ({S.SUBMITTED}, {"reception"}, S.REFUSED),
    "request_supplement": (
        {S.SUBMITTED, S.IN_REVIEW},
        {"reception", "specialist"},
        S.SUPPLEMENT_REQUESTED,
    ),
    "resubmit": ({S.SUPPLEMENT_REQUESTED}, {"applicant", "reception"}, S.IN_REVIEW),
    "assign": ({S.RECEIVED, S.IN_REVIEW}, {"reception", "approver"}, S.IN_REVIEW),
    "propose": ({S.IN_REVIEW}, {"specialist"}, S.AWAITING_APPROVAL),
    "approve": ({S.AWAITING_APPROVAL}, {"approver"}, S.RESULT_READY),
    "reject": ({S.AWAITING_APPROVAL}, {"approver"}, S.REJECTED),
    "return_result": ({S.RESULT_READY}, {"reception"}, S.COMPLETED),
    "withdraw": (OPEN, {"applicant"}, S.WITHDRAWN),
}
PERSONAS = ["applicant", "other_citizen", "reception", "specialist", "approver", "foreign_officer"]


def call(action, dossier, actor, people):
    fn = workflow.ACTION_FUNCTIONS[action]
    kwargs = {"dossier": dossier, "actor": actor}
    if action in ("refuse", "reject"):
        kwargs["reasons"] = "Thiếu chữ ký (missing signature)"
    elif action == "withdraw":
        kwargs["reason"] = "Không còn nhu cầu"
    elif action == "request_supplement":
        kwargs["items"] = [{"what": "Giấy chứng sinh", "reason": "Bản chụp mờ"}]
    elif action == "assign":
        kwargs["assignee"] = people.specialist
    return fn(**kwargs)


@pytest.mark.django_db
def test_every_state_transition_and_persona(people):
    assert set(EXPECTED) == set(workflow.TRANSITIONS)
    mismatches = []
    cases = 0
    for state in S.values:
        for action, (sources, who, target) in EXPECTED.items():
            for persona in PERSONAS:
                cases += 1
                dossier = people.dossier(state)
                events_before = DossierEvent.objects.count()
                allowed = state in sources and persona in who
                try:
                    call(action, dossier, getattr(people, persona), people)
                except WorkflowError as exc:
                    dossier.refresh_from_db()
                    if allowed:
                        mismatches.append((state, action, persona, "refused", exc.message))
                    elif dossier.status != state or DossierEvent.objects.count() != events_before:
                        mismatches.append((state, action, persona, "changed despite refusal"))
                    elif state not in sources and not isinstance(exc, WrongState):
                        mismatches.append(
                            (state, action, persona, f"expected WrongState, {exc.code}")
                        )
                    elif state in sources and not isinstance(exc, NotAllowed):
                        mismatches.append(
                            (state, action, persona, f"expected NotAllowed, {exc.code}")
                        )
                else:
                    dossier.refresh_from_db()
                    if not allowed:
                        mismatches.append((state, action, persona, "allowed"))
                    elif dossier.status != target:
                        mismatches.append((state, action, persona, f"went to {dossier.status}"))
                    else:
                        event = dossier.events.get()
                        assert (event.action, event.from_status, event.to_status) == (
                            action,
                            state,
                            target,
                        )
                        assert event.actor == getattr(people, persona)
                        assert SyncOutbox.objects.filter(event=event).exists()
    assert cases == len(S.values) * len(EXPECTED) * len(PERSONAS) == 726
    assert mismatches == []


@pytest.mark.django_db
def test_supplement_round_trip_returns_to_where_it_was_requested(people):
    at_reception = people.dossier(S.SUBMITTED)
    workflow.dossier_request_supplement(
        dossier=at_reception,
        actor=people.reception,
        items=[{"what": "Tờ khai", "reason": "Thiếu chữ ký"}],
    )
    assert at_reception.resume_status == S.SUBMITTED
    workflow.dossier_resubmit(dossier=at_reception, actor=people.applicant)
    at_reception.refresh_from_db()
    assert (at_reception.status, at_reception.resume_status) == (S.SUBMITTED, "")
    event = at_reception.events.get(action="request_supplement")
    assert event.data["items"] == [{"what": "Tờ khai", "reason": "Thiếu chữ ký"}]


@pytest.mark.django_db
def test_it_refuses_without_a_reason_and_an_incomplete_supplement_list(people):
    dossier = people.dossier(S.SUBMITTED)
    with pytest.raises(WorkflowError, match="lý do"):
        workflow.dossier_refuse(dossier=dossier, actor=people.reception, reasons="  ")
    with pytest.raises(WorkflowError, match="Liệt kê"):
        workflow.dossier_request_supplement(
            dossier=dossier, actor=people.reception, items=[{"what": "Tờ khai", "reason": ""}]
        )
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED and not dossier.events.exists()


@pytest.mark.django_db
def test_only_the_assigned_specialist_proposes_and_only_specialists_are_assigned(people):
    from tests.factories import make_officer

    dossier = people.dossier(S.IN_REVIEW)
    colleague = make_officer(agency=people.agency, roles=["specialist"], with_totp=False)
    with pytest.raises(NotAllowed):
        workflow.dossier_propose(dossier=dossier, actor=colleague)
    with pytest.raises(WorkflowError, match="chuyên viên"):
        workflow.dossier_assign(dossier=dossier, actor=people.reception, assignee=people.approver)
    workflow.dossier_assign(dossier=dossier, actor=people.reception, assignee=colleague)
    workflow.dossier_propose(dossier=dossier, actor=colleague)
    assert dossier.status == S.AWAITING_APPROVAL


@pytest.mark.django_db
def test_submit_gives_a_code_and_mails_the_applicant_on_commit(
    people, django_capture_on_commit_callbacks
):
    dossier = people.dossier(S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    assert dossier.code.startswith(f"{people.agency.code}-") and dossier.code.endswith("-0001")
    assert dossier.submitted_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert dossier.code in message.subject and message.to == [people.applicant.email]
    assert "Mới nộp" in message.body
    assert message.alternatives and "Mới nộp" in message.alternatives[0][0]


@pytest.mark.django_db
def test_receive_sets_the_appointment(people):
    dossier = people.dossier(S.SUBMITTED)
    workflow.dossier_receive(dossier=dossier, actor=people.reception)
    assert dossier.received_at is not None
    assert dossier.due_at > dossier.received_at


def test_no_other_code_writes_dossier_status():
    """Only dossiers/workflow.py assigns or updates a dossier's status."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for app in ("portal", "procedures", "dossiers", "payments"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts or path == root / "dossiers" / "workflow.py":
                continue
            source = path.read_text()
            if app != "dossiers" and "dossiers" not in source:
                continue  # the catalog's own version status is another model
            for node in ast.walk(ast.parse(source)):
                targets = []
                if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, ast.Attribute) and target.attr == "status":
                        offenders.append(f"{path.relative_to(root)}:{node.lineno}")
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in {"update", "bulk_update", "update_or_create"}
                    and any(k.arg == "status" for k in node.keywords)
                ):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


@pytest.mark.django_db(transaction=True)
def test_fifty_parallel_submissions_get_fifty_consecutive_codes(people):
    assert connection.vendor == "postgresql"
    drafts = [people.dossier(S.DRAFT) for _ in range(50)]

    def submit(dossier):
        workflow.dossier_submit(dossier=dossier, actor=people.applicant)

    assert in_parallel(submit, drafts) == []
    codes = sorted(
        Dossier.objects.filter(pk__in=[d.pk for d in drafts]).values_list("code", flat=True)
    )
    assert len(set(codes)) == 50
    assert [int(c.rsplit("-", 1)[1]) for c in codes] == list(range(1, 51))


@pytest.mark.django_db
def test_an_unpaid_fee_holds_back_reception_but_not_at_the_counter(people):
    from tests.factories.procedures import published_version

    paid = published_version(agencies=[people.agency], fee=50_000)
    online = people.dossier(S.DRAFT, version=paid)
    workflow.dossier_submit(dossier=online, actor=people.applicant)
    with pytest.raises(WorkflowError, match="chưa thanh toán") as refused:
        workflow.dossier_receive(dossier=online, actor=people.reception)
    assert refused.value.code == "fee_unpaid"
    online.refresh_from_db()
    assert online.status == S.SUBMITTED
    counter = people.dossier(S.DRAFT, version=paid, channel="counter")
    workflow.dossier_submit(dossier=counter, actor=people.reception)
    workflow.dossier_receive(dossier=counter, actor=people.reception)
    assert counter.status == S.RECEIVED


@pytest.mark.django_db
def test_a_fee_due_on_the_result_holds_back_handing_back_not_reception(people):
    from procedures.models import ProcedureVersion, RequiredDocument
    from procedures.services import version_publish
    from tests.procedures.factories import ProcedureFactory

    version = ProcedureVersion.objects.create(
        procedure=ProcedureFactory(agencies=[people.agency]),
        number=1,
        processing_days=3,
        form_schema={"fields": [{"name": "x", "kind": "text", "label": "X"}]},
        fee_kind="fixed",
        fee_amount=30_000,
        fee_due_on="result",
    )
    RequiredDocument.objects.create(version=version, key="don", name="Đơn")
    version_publish(version=version)
    dossier = people.dossier(S.DRAFT, version=version)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    workflow.dossier_receive(dossier=dossier, actor=people.reception)  # not held back
    assert dossier.status == S.RECEIVED
    ready = people.dossier(S.RESULT_READY, version=version)
    from payments.services import dossier_fee_assess

    dossier_fee_assess(dossier=ready)
    with pytest.raises(WorkflowError, match="chưa thanh toán"):
        workflow.dossier_return_result(dossier=ready, actor=people.reception)


@pytest.mark.django_db
def test_refusals_read_vietnamese_with_an_english_gloss_or_english_alone(people):
    """A refusal is written when raised, in the language of the page: Vietnamese pages keep the
    English gloss; English pages get the English sentence alone, with the status in English."""
    from django.utils import translation

    received = people.dossier(S.RECEIVED)
    submitted = people.dossier(S.SUBMITTED)

    with pytest.raises(WrongState) as vi_state:
        workflow.dossier_receive(dossier=received, actor=people.reception)
    assert vi_state.value.message == (
        "Không thể “Tiếp nhận hồ sơ” khi hồ sơ đang ở trạng thái “Đã tiếp nhận” "
        "(you cannot receive a dossier that is “Received”)."
    )
    with translation.override("en"):
        with pytest.raises(WrongState) as en_state:
            workflow.dossier_receive(dossier=received, actor=people.reception)
        with pytest.raises(NotAllowed) as en_role:
            workflow.dossier_request_supplement(
                dossier=submitted,
                actor=people.approver,
                items=[{"what": "Tờ khai", "reason": "Thiếu chữ ký"}],
            )
        with pytest.raises(WorkflowError) as en_reason:
            workflow.dossier_refuse(dossier=submitted, actor=people.reception, reasons=" ")
        with pytest.raises(WrongState) as en_claim:
            workflow.dossier_claim(dossier=people.dossier(S.COMPLETED), actor=people.reception)
    assert en_state.value.message == "You cannot receive a dossier that is “Received”."
    assert en_role.value.message == "You may not ask for a supplement to this dossier."
    assert en_reason.value.message == "Please give the reason: it is required to refuse a dossier."
    assert en_claim.value.message == "A dossier that is “Completed” cannot be claimed."
    # Nothing changed: refusals are raised before any write.
    received.refresh_from_db()
    submitted.refresh_from_db()
    assert (received.status, submitted.status) == (S.RECEIVED, S.SUBMITTED)
