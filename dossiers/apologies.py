"""Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04): one apology per lateness episode.

The deadline sweep (``dossiers/sweep.py``) creates the rows set-based; an officer gives the new
appointment (:func:`apology_set_new_date`) or issues one by hand before the due date
(:func:`apology_issue`). An issued apology is delivered once (:func:`apology_deliver`): the PDF
is a ``DossierOutput`` (unique per dossier, kind, key=episode) and the e-mail is claimed by a
conditional update of ``emailed_at`` in the transaction that sends it and logs it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from dossiers.deadlines import CLOCK_RUNNING
from dossiers.models import (
    Apology,
    ApologyState,
    Dossier,
    DossierEvent,
    DossierStatus,
    EmailLog,
    Handover,
    OutputKind,
    SyncOutbox,
)
from portal.roles import OFFICER_ROLES, role_names

log = logging.getLogger(__name__)


def _check_officer(dossier: Dossier, actor) -> None:
    from dossiers.workflow import NotAllowed, _officer_agency_id

    if (
        actor is None
        or not role_names(actor) & OFFICER_ROLES
        or _officer_agency_id(actor) != dossier.agency_id
    ):
        raise NotAllowed(
            "Chỉ cán bộ của cơ quan tiếp nhận mới hẹn lại ngày trả kết quả "
            "(only an officer of the dossier's agency).",
            code="not_allowed",
        )


def apology_set_new_date(
    *, apology: Apology, actor, new_appointment: datetime, reason: str
) -> Apology:
    """The officer gives the reason and the new appointment: the apology is issued, the dossier's
    due date moves to the new appointment (a later slip is a new episode) and the letter is
    rendered and e-mailed on commit."""
    from dossiers.workflow import WorkflowError

    reason = (reason or "").strip()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=apology.dossier_id)
        locked = Apology.objects.select_for_update().get(pk=apology.pk)
        _check_officer(dossier, actor)
        now = timezone.now()
        if locked.state != ApologyState.WAITING_FOR_DATE:
            raise WorkflowError(
                "Thư xin lỗi của lần trễ hạn này đã được phát hành (already issued).",
                code="already_issued",
            )
        if dossier.status not in CLOCK_RUNNING:
            raise WorkflowError(
                "Hồ sơ không còn đang giải quyết (the dossier is not being processed).",
                code="wrong_state",
            )
        if not reason:
            raise WorkflowError("Vui lòng ghi rõ lý do chậm trễ (give the reason).", code="reason")
        if new_appointment is None or new_appointment <= now:
            raise WorkflowError(
                "Ngày hẹn mới phải sau thời điểm hiện tại (the new date must be in the future).",
                code="bad_date",
            )
        if dossier.due_at is not None and new_appointment <= dossier.due_at:
            # An apology gives more time; it never shortens the appointment in force.
            raise WorkflowError(
                "Ngày hẹn mới phải sau ngày hẹn hiện tại "
                f"({timezone.localtime(dossier.due_at):%H:%M %d/%m/%Y}) "
                "(the new date must be after the current appointment).",
                code="bad_date",
            )
        old_due = dossier.due_at
        locked.reason = reason
        locked.new_appointment = new_appointment
        locked.state = ApologyState.ISSUED
        locked.issued_at = now
        locked.original_due_at = locked.original_due_at or old_due
        locked.save(
            update_fields=["reason", "new_appointment", "state", "issued_at", "original_due_at"]
        )
        dossier.due_at = new_appointment
        dossier.late_episodes = max(dossier.late_episodes, locked.episode)
        dossier.overdue_at = None
        dossier.expected_result_at = None
        dossier.save(
            update_fields=[
                "due_at",
                "late_episodes",
                "overdue_at",
                "expected_result_at",
                "updated_at",
            ]
        )
        event = DossierEvent.objects.create(
            dossier=dossier,
            action="apology",
            from_status=dossier.status,
            to_status=dossier.status,
            actor=actor,
            note=reason,
            data={
                "episode": locked.episode,
                "old_due_at": timezone.localtime(old_due).isoformat() if old_due else None,
                "new_due_at": new_appointment.isoformat(),
            },
        )
        SyncOutbox.objects.create(
            event=event,
            payload={
                "code": dossier.code,
                "procedure_version": dossier.version_id,
                "action": "apology",
                "from": dossier.status,
                "to": dossier.status,
                "new_due_at": new_appointment.isoformat(),
                "at": now.isoformat(),
            },
        )
        from dossiers.tasks import apology_deliver_batch
        from portal.tasks import enqueue_on_commit

        enqueue_on_commit(apology_deliver_batch, [locked.pk])
    apology.__dict__.update({f.attname: getattr(locked, f.attname) for f in Apology._meta.fields})
    return locked


def apology_issue(*, dossier: Dossier, actor, new_appointment: datetime, reason: str) -> Apology:
    """An officer foresees the delay and issues the current episode's apology by hand."""
    _check_officer(dossier, actor)
    episode = Dossier.objects.values_list("late_episodes", flat=True).get(pk=dossier.pk) + 1
    try:
        with transaction.atomic():
            apology, _ = Apology.objects.get_or_create(
                dossier=dossier,
                episode=episode,
                defaults={"original_due_at": dossier.due_at, "created_by": actor},
            )
    except IntegrityError:  # the sweep created it at the same moment
        apology = Apology.objects.get(dossier=dossier, episode=episode)
    return apology_set_new_date(
        apology=apology, actor=actor, new_appointment=new_appointment, reason=reason
    )


def apology_output_context(*, dossier: Dossier, key: str) -> dict:
    """The Mẫu 04 fields of the episode ``key`` (an issued apology)."""
    apology = Apology.objects.get(dossier=dossier, episode=int(key), state=ApologyState.ISSUED)
    return {
        "episode": apology.episode,
        "issued_at": apology.issued_at,
        "reason": apology.reason or "Hồ sơ đang được xem xét, giải quyết.",
        "original_due_at": apology.original_due_at,
        "new_appointment": apology.new_appointment,
        "foreseen": apology.original_due_at is not None
        and apology.issued_at < apology.original_due_at,
        "agency_head": dossier.agency.head_name if dossier.agency else "",
    }


def _recipient(dossier: Dossier) -> str:
    from dossiers.selectors import deliverable_email

    return deliverable_email((dossier.applicant_data or {}).get("email"), dossier.applicant.email)


def apology_deliver(*, apology_id: int) -> bool:
    """Render the letter (once) and e-mail it to the citizen (once). True when mailed now."""
    from dossiers import outputs

    apology = (
        Apology.objects.select_related("dossier__applicant", "dossier__agency")
        .filter(pk=apology_id, state=ApologyState.ISSUED)
        .first()
    )
    if apology is None or apology.emailed_at is not None:
        return False
    output = outputs.output_render(
        dossier_id=apology.dossier_id, kind=OutputKind.APOLOGY_04, key=str(apology.episode)
    )
    dossier = apology.dossier
    if dossier.owner_check_pending:
        return False  # the address may be mistyped: the letter waits on the dossier, unclaimed
    recipient = _recipient(dossier) if dossier.status != DossierStatus.WITHDRAWN else ""
    with transaction.atomic():
        # The claim, the mail and its log commit together: a worker killed before the commit
        # leaves the apology unclaimed for the next try; a second worker finds it claimed.
        claimed = Apology.objects.filter(pk=apology.pk, emailed_at=None).update(
            emailed_at=timezone.now(), emailed_to=recipient
        )
        if claimed != 1:
            return False
        if not recipient:
            # No address (a counter filer): an officer hands it over or posts it, and records it
            # (apology_hand_over); a withdrawn dossier's applicant is owed nothing more.
            return False
        subject = f"Thư xin lỗi và hẹn lại ngày trả kết quả – hồ sơ {dossier.code}"
        new_date = timezone.localtime(apology.new_appointment)
        body = (
            f"Kính gửi {(dossier.applicant_data or {}).get('full_name') or ''},\n\n"
            f"{dossier.agency.name if dossier.agency else ''} thành thật xin lỗi Ông/Bà vì chưa "
            f"trả kết quả hồ sơ {dossier.code} đúng hẹn. Thời gian hẹn lại trả kết quả: "
            f"{new_date:%H:%M %d/%m/%Y}.\n\nPhiếu xin lỗi (Mẫu 04) được đính kèm và có trong "
            f"trang hồ sơ của Ông/Bà:\n{outputs.dossier_url(dossier)}\n\n"
            "Thư này được gửi tự động, vui lòng không trả lời.\n"
        )
        message = EmailMessage(subject=subject, body=body, to=[recipient])
        if output is not None:
            with output.file.open("rb") as fh:
                message.attach(outputs.download_filename(output), fh.read(), "application/pdf")
        message.send()
        EmailLog.objects.create(
            kind="apology", ref=f"apology:{apology.pk}", to=recipient, subject=subject
        )
    return True


def apologies_to_hand_over(dossier: Dossier) -> list[Apology]:
    """Issued letters the applicant has not had: no e-mail address, not yet handed over."""
    if dossier.status == DossierStatus.WITHDRAWN:
        return []
    return list(
        Apology.objects.filter(
            dossier=dossier,
            state=ApologyState.ISSUED,
            emailed_at__isnull=False,
            emailed_to="",
            handed_over_at__isnull=True,
        ).order_by("episode")
    )


def apology_hand_over(*, dossier: Dossier, episode: int, actor, method: str) -> Apology:
    """An officer records that a letter that could not be e-mailed was handed over or posted."""
    from dossiers.workflow import WorkflowError

    with transaction.atomic():
        locked = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier.pk)
        _check_officer(locked, actor)
        apology = next((a for a in apologies_to_hand_over(locked) if a.episode == episode), None)
        if apology is None:
            raise WorkflowError(
                "Phiếu xin lỗi này không cần trao (đã gửi thư điện tử hoặc đã trao) "
                "(nothing to hand over).",
                code="nothing_to_hand_over",
            )
        apology.handed_over_at = timezone.now()
        apology.handed_over_by = actor
        apology.handover = method
        apology.save(update_fields=["handed_over_at", "handed_over_by", "handover"])
        DossierEvent.objects.create(
            dossier=locked,
            action="apology_handed_over",
            from_status=locked.status,
            to_status=locked.status,
            actor=actor,
            note=Handover(method).label,
            data={"episode": episode, "method": method},
        )
    return apology
