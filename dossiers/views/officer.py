"""The officers' back office (issue 7): queues, one dossier, the processing actions, counter
intake and the officers' downloads. Every URL is under ``/officer/`` (the MFA guard applies).

Views are thin: they check who is asking (an officer of the dossier's agency — any other
dossier is a **404**; a role without the right to an action is a **403**), parse the form, call
``dossiers.workflow`` and render. Errors of the workflow are shown to the officer; nothing changes.

Counter intake (walk-in citizens): the applicant is the account with the e-mail the citizen gives
(created, without a usable password, if there is none: the citizen can later set a password
through "forgot password" and follow the dossier online). An existing account is used only when
its CCCD is the one on the form; otherwise the form asks the officer to check the address. A
dossier filed under an account made now stays hidden from it (``owner_check_pending``) until its
holder types the CCCD given at the counter (``citizen.owner_check``): whoever owns a mistyped
address gets an account, not the walk-in's dossier. A citizen without e-mail is filed under
one placeholder account per agency (``quay-<agency code>@counter.invalid``); their contact details
are in the dossier's ``applicant_data`` as for any dossier.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dossiers import apologies, held_uploads, logbook, queues, selectors, workflow
from dossiers.deadlines import CLOCK_RUNNING
from dossiers.forms import ApplicantForm, DeliveryForm
from dossiers.models import (
    Apology,
    ApologyState,
    Channel,
    Dossier,
    DossierDocument,
    DossierOutput,
    DossierStatus,
)
from dossiers.officer_forms import (
    ApologyForm,
    AssignForm,
    CounterProcedureForm,
    HandoverForm,
    LogbookMonthForm,
    NoteForm,
    ProposeForm,
    QueueFilterForm,
    ReasonsForm,
    ReturnResultForm,
    SupplementFormSet,
)
from dossiers.outputs import download_filename
from dossiers.selectors import COUNTER_PLACEHOLDER_DOMAIN
from dossiers.signing import RESULT_DRAFT_SLOT
from dossiers.uploads import form_uploads_check
from dossiers.views.citizen import file_attachment
from payments.selectors import fee_summary
from payments.services import CLOSED_STATUSES as FEE_CLOSED_STATUSES
from payments.services import PaymentError, online_attempt_open, payment_record_counter
from payments.text import format_vnd
from portal.client_ip import client_ip
from portal.forms import error_summary_items
from portal.reverse import cached_reverse
from portal.roles import Role, role_names
from procedures.schema import schema_document_fields


# -- access ---------------------------------------------------------------------------------
def officer_view(view):
    """Signed in, an officer (reception, specialist or approver) with an agency; else 403."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not (role_names(request.user) & queues.OFFICER_ROLES) or (
            queues.officer_agency(request.user) is None
        ):
            raise PermissionDenied(_("Trang này chỉ dành cho cán bộ (officers only)."))
        return view(request, *args, **kwargs)

    return wrapper


def _dossier(request, public_id) -> Dossier:
    return queues.dossier_for_officer(public_id=public_id, user=request.user)


def _require_role_for(request, action: str) -> None:
    """403 when none of the officer's roles may ever take ``action`` (the state is checked by
    the workflow, whose refusal is shown as a message)."""
    if not (role_names(request.user) & workflow.TRANSITIONS[action].actors):
        raise PermissionDenied(
            _("Vai trò của bạn không được thực hiện thao tác này (your role may not do this).")
        )


# -- queues ---------------------------------------------------------------------------------
def _queue_context(request, queue: queues.Queue) -> dict:
    agency = queues.officer_agency(request.user)
    index = queues.procedure_index(agency)
    form = QueueFilterForm(
        request.GET or None, procedures=index.choices, show_status=queue.status is None
    )
    filters = form.filters() if request.GET else queues.QueueFilters()
    after = queues.cursor_decode(request.GET.get("after"))
    page = queues.queue_page(
        queue=queue, agency=agency, user=request.user, filters=filters, after=after, index=index
    )
    params = {k: v for k, v in request.GET.items() if k != "after" and v}
    base_url = cached_reverse("dossiers:officer:queue", args=[queue.slug])
    next_url = (
        base_url + "?" + urlencode({**params, "after": page.next_cursor})
        if page.next_cursor
        else ""
    )
    counts = queues.queue_counts(agency=agency, user=request.user)
    return {
        "agency": agency,
        "queue": queue,
        "nav": [(q, counts[q.slug]) for q in queues.queues_for(request.user)],
        "page": page,
        "form": form,
        "base_url": base_url,
        "next_url": next_url,
        "first_url": base_url + ("?" + urlencode(params) if params else ""),
        "is_continuation": after is not None,
        "can_take_next": queue.slug in workflow.CLAIM_QUEUES
        and workflow.CLAIM_QUEUES[queue.slug][1] in role_names(request.user),
    }


def _render_queue(request, queue: queues.Queue):
    """The queue page: its body is a Jinja2 template (portal/jinja.py says why) put into the
    Django page ``queue.html``; htmx requests get the results or the next rows alone."""
    context = _queue_context(request, queue)
    if request.htmx:
        template = (
            "dossiers/officer/queue_rows.html"
            if context["is_continuation"]
            else "dossiers/officer/queue_results.html"
        )
        return render(request, template, context, using="jinja2")
    body = engines["jinja2"].get_template("dossiers/officer/queue_body.html")
    return render(
        request,
        "dossiers/officer/queue.html",
        {
            "queue": queue,
            "body": mark_safe(body.render(context, request)),  # noqa: S308
        },
    )


@officer_view
@require_GET
def home(request):
    """Trang cán bộ: the first queue of the officer's roles."""
    return _render_queue(request, queues.queues_for(request.user)[0])


@officer_view
@require_GET
def queue(request, slug: str):
    q = queues.QUEUES.get(slug)
    if q is None:
        raise Http404
    if not (q.roles & role_names(request.user)):
        raise PermissionDenied(_("Hàng đợi này không dành cho vai trò của bạn (not your queue)."))
    return _render_queue(request, q)


@officer_view
@require_POST
def take_next(request, slug: str):
    if slug not in workflow.CLAIM_QUEUES:
        raise Http404
    if workflow.CLAIM_QUEUES[slug][1] not in role_names(request.user):
        raise PermissionDenied(_("Hàng đợi này không dành cho vai trò của bạn (not your queue)."))
    try:
        dossier = workflow.dossier_take_next(
            agency=queues.officer_agency(request.user), actor=request.user, queue=slug
        )
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("dossiers:officer:queue", slug=slug)
    if dossier is None:
        messages.info(request, _("Không còn hồ sơ nào chờ trong hàng đợi (the queue is empty)."))
        return redirect("dossiers:officer:queue", slug=slug)
    messages.success(
        request,
        _("Đã nhận xử lý hồ sơ %(code)s (you took this dossier).") % {"code": dossier.code},
    )
    return redirect("dossiers:officer:detail", public_id=dossier.public_id)


# -- one dossier ----------------------------------------------------------------------------
ACTION_FORMS = {
    "receive": lambda d, data, files: NoteForm(data, prefix="receive"),
    "refuse": lambda d, data, files: ReasonsForm(data, prefix="refuse"),
    "request_supplement": lambda d, data, files: SupplementFormSet(data, prefix="items"),
    "assign": lambda d, data, files: AssignForm(
        data, prefix="assign", specialists=queues.agency_specialists(d.agency)
    ),
    "propose": lambda d, data, files: ProposeForm(data, files, prefix="propose"),
    "approve": lambda d, data, files: NoteForm(data, prefix="approve"),
    "reject": lambda d, data, files: ReasonsForm(data, prefix="reject"),
    "return_result": lambda d, data, files: ReturnResultForm(
        data, prefix="return", initial={"method": d.result_delivery}
    ),
}
OFFICER_ACTIONS = list(ACTION_FORMS)


def _apology_waiting(dossier: Dossier) -> Apology | None:
    """The apology of the current lateness episode that waits for an officer's new date."""
    return (
        Apology.objects.filter(dossier=dossier, state=ApologyState.WAITING_FOR_DATE)
        .order_by("-episode")
        .first()
    )


def _detail(request, dossier: Dossier, *, bound: dict | None = None, status: int = 200):
    allowed = workflow.allowed_actions(dossier=dossier, actor=request.user)
    forms = {
        action: (bound or {}).get(action) or ACTION_FORMS[action](dossier, None, None)
        for action in OFFICER_ACTIONS
        if action in allowed
    }
    handovers = [
        (
            a,
            (bound or {}).get(f"handover-{a.episode}")
            or HandoverForm(prefix=f"handover-{a.episode}"),
        )
        for a in apologies.apologies_to_hand_over(dossier)
    ]
    apology_waiting = None
    if dossier.status in CLOCK_RUNNING and dossier.due_at is not None:
        # Mẫu 04: set the date the sweep waits for, or apologise ahead of a foreseen delay.
        apology_waiting = _apology_waiting(dossier)
        forms["apology"] = (bound or {}).get("apology") or ApologyForm(
            prefix="apology", agency_id=dossier.agency_id
        )
    claim_role = workflow.CLAIM_ROLES.get(dossier.status)
    now = timezone.now()
    claimed_now = dossier.claimed_by_id is not None and dossier.claimed_status == dossier.status
    payments = list(dossier.payments.order_by("created_at"))
    time_left_key = queues.time_left(
        dossier.due_at,
        now=now,
        soon=queues.due_soon_cutoff(agency_id=dossier.agency_id, now=now),
        status=dossier.status,
    )
    context = {
        "dossier": dossier,
        "view": selectors.dossier_view(dossier, internal=True),
        "status_text": selectors.status_label(dossier.status),
        "fee": fee_summary(dossier=dossier),
        "payments": payments,
        "can_take_payment": Role.RECEPTION in role_names(request.user)
        and dossier.status not in FEE_CLOSED_STATUSES,
        # An online attempt the gateway may still settle: no cash meanwhile (paid twice).
        "online_attempt": online_attempt_open(payments, now=now),
        "forms": forms,
        "claimed_now": claimed_now,
        "can_claim": claim_role in role_names(request.user)
        and not (claimed_now and dossier.claimed_by_id == request.user.pk)
        and not (dossier.status == DossierStatus.RECEIVED and dossier.assigned_to_id),
        "applicant": dossier.applicant_data or {},
        "time_left_key": time_left_key,
        "time_left": queues.TIME_LEFT[time_left_key],
        "apology_waiting": apology_waiting,
        "handovers": handovers,
    }
    return render(request, "dossiers/officer/detail.html", context, status=status)


@officer_view
@require_GET
def detail(request, public_id):
    return _detail(request, _dossier(request, public_id))


@officer_view
@require_POST
def claim(request, public_id):
    dossier = _dossier(request, public_id)
    try:
        workflow.dossier_claim(dossier=dossier, actor=request.user)
    except workflow.NotAllowed as exc:
        raise PermissionDenied(exc.message) from exc
    except workflow.WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Bạn đã nhận xử lý hồ sơ này (you are handling this dossier)."))
    return redirect("dossiers:officer:detail", public_id=dossier.public_id)


def _action(action: str, perform, *, success: str):
    """One POST-only view per action: 404 outside the agency, 403 without the role, the form
    validated, the workflow called; its refusal is shown on the page and nothing changes."""

    @officer_view
    @require_POST
    def view(request, public_id):
        dossier = _dossier(request, public_id)
        _require_role_for(request, action)
        form = ACTION_FORMS[action](dossier, request.POST, request.FILES)
        if form.is_valid():
            try:
                with transaction.atomic():
                    perform(request, dossier, form)
            except workflow.WorkflowError as exc:
                messages.error(request, exc.message)
                form = ACTION_FORMS[action](dossier, request.POST, None)
                form.is_valid()
                if hasattr(form, "add_error"):
                    form.add_error(None, exc.message)
                else:
                    form.non_form_errors().append(exc.message)
            except ValidationError as exc:
                form.add_error("draft", exc)
            else:
                messages.success(request, success)
                return redirect("dossiers:officer:detail", public_id=dossier.public_id)
        dossier.refresh_from_db()
        return _detail(request, dossier, bound={action: form}, status=400)

    view.__name__ = action
    return view


def _receive(request, dossier, form):
    workflow.dossier_receive(dossier=dossier, actor=request.user, note=form.cleaned_data["note"])


def _refuse(request, dossier, form):
    workflow.dossier_refuse(
        dossier=dossier, actor=request.user, reasons=form.cleaned_data["reasons"]
    )


def _supplement(request, dossier, formset):
    workflow.dossier_request_supplement(dossier=dossier, actor=request.user, items=formset.items())


def _assign(request, dossier, form):
    workflow.dossier_assign(
        dossier=dossier,
        actor=request.user,
        assignee=form.cleaned_data["assignee"],
        note=form.cleaned_data["note"],
    )


def result_draft_slot():
    """The slot the draft result is checked against (PDF, 10 MB) — not a citizen's document."""
    from procedures.models import RequiredDocument

    return RequiredDocument(
        key=RESULT_DRAFT_SLOT, name="Dự thảo kết quả", file_types=["pdf"], max_size_mb=10
    )


def _propose(request, dossier, form):
    from dossiers.filing import document_store
    from dossiers.uploads import upload_check

    checked = upload_check(file=form.cleaned_data["draft"], slot=result_draft_slot())
    workflow.dossier_propose(dossier=dossier, actor=request.user, note=form.cleaned_data["note"])
    document_store(dossier=dossier, slot_key=RESULT_DRAFT_SLOT, checked=checked, user=request.user)


def _approve(request, dossier, form):
    # The signed result is issued on commit (dossiers/outputs.py → dossiers/signing.py).
    workflow.dossier_approve(dossier=dossier, actor=request.user, note=form.cleaned_data["note"])


def _reject(request, dossier, form):
    workflow.dossier_reject(
        dossier=dossier, actor=request.user, reasons=form.cleaned_data["reasons"]
    )


def _return_result(request, dossier, form):
    workflow.dossier_return_result(dossier=dossier, actor=request.user, data=form.delivery_data())


receive = _action(
    "receive", _receive, success=_("Đã tiếp nhận hồ sơ, Mẫu 01 đang được in (received).")
)
refuse = _action(
    "refuse", _refuse, success=_("Đã từ chối tiếp nhận, Mẫu 03 đang được in (refused).")
)
request_supplement = _action(
    "request_supplement",
    _supplement,
    success=_("Đã gửi yêu cầu bổ sung, Mẫu 02 đang được in (supplement requested)."),
)
assign = _action("assign", _assign, success=_("Đã phân công chuyên viên xử lý (assigned)."))
propose = _action("propose", _propose, success=_("Đã trình phê duyệt (proposed for approval)."))
approve = _action(
    "approve",
    _approve,
    success=_("Đã phê duyệt, kết quả đã được ban hành (approved, result issued)."),
)
reject = _action("reject", _reject, success=_("Đã quyết định không giải quyết (rejected)."))
return_result = _action(
    "return_result", _return_result, success=_("Đã trả kết quả, hồ sơ hoàn thành (completed).")
)


def _apology_record(request, dossier: Dossier, data: dict) -> None:
    """The date of the apology the sweep keeps waiting; without one, a new episode's apology."""
    waiting = _apology_waiting(dossier)
    if waiting is not None:
        apologies.apology_set_new_date(
            apology=waiting,
            actor=request.user,
            new_appointment=data["new_appointment"],
            reason=data["reason"],
        )
    else:
        apologies.apology_issue(
            dossier=dossier,
            actor=request.user,
            new_appointment=data["new_appointment"],
            reason=data["reason"],
        )


@officer_view
@require_POST
def apology(request, public_id):
    """Mẫu 04: the officer gives the new appointment and the reason, for the apology the sweep
    keeps waiting, or ahead of a delay they foresee; the letter is issued and mailed on commit."""
    dossier = _dossier(request, public_id)
    form = ApologyForm(request.POST, prefix="apology", agency_id=dossier.agency_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused apology leaves no row behind
                _apology_record(request, dossier, data)
        except workflow.NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except workflow.WorkflowError as exc:
            messages.error(request, exc.message)
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _(
                    "Đã hẹn lại ngày trả kết quả; Phiếu xin lỗi (Mẫu 04) đang được gửi "
                    "(new appointment set, apology letter on its way)."
                ),
            )
            return redirect("dossiers:officer:detail", public_id=dossier.public_id)
    dossier.refresh_from_db()
    return _detail(request, dossier, bound={"apology": form}, status=400)


@officer_view
@require_POST
def apology_handed_over(request, public_id, episode: int):
    """The officer records how a Mẫu 04 the applicant could not be e-mailed reached them."""
    dossier = _dossier(request, public_id)
    form = HandoverForm(request.POST, prefix=f"handover-{episode}")
    if form.is_valid():
        try:
            apologies.apology_hand_over(
                dossier=dossier,
                episode=episode,
                actor=request.user,
                method=form.cleaned_data["method"],
            )
        except workflow.NotAllowed as exc:
            raise PermissionDenied(exc.message) from exc
        except workflow.WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi nhận việc trao Phiếu xin lỗi (handover recorded)."))
            return redirect("dossiers:officer:detail", public_id=dossier.public_id)
    dossier.refresh_from_db()
    return _detail(request, dossier, bound={f"handover-{episode}": form}, status=400)


@officer_view
@require_POST
def counter_payment(request, public_id):
    """Thu phí tại quầy: the reception officer records the fee paid in cash at the counter."""
    dossier = _dossier(request, public_id)
    if Role.RECEPTION not in role_names(request.user):
        raise PermissionDenied(
            _("Vai trò của bạn không được thực hiện thao tác này (your role may not do this).")
        )
    if request.POST.get("received") != "yes":
        messages.error(
            request,
            _(
                "Vui lòng đánh dấu ô xác nhận đã nhận đủ tiền trước khi ghi nhận "
                "(confirm that you received the cash)."
            ),
        )
        return redirect("dossiers:officer:detail", public_id=dossier.public_id)
    try:
        payment = payment_record_counter(
            dossier=dossier, officer=request.user, client_ip=client_ip(request)
        )
    except PaymentError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Đã ghi nhận thu %(amount)s đồng tại quầy; biên lai đang được in (recorded).")
            % {"amount": format_vnd(payment.amount)},
        )
    return redirect("dossiers:officer:detail", public_id=dossier.public_id)


# -- downloads ------------------------------------------------------------------------------
@officer_view
@require_GET
def document_download(request, public_id, document_id: int):
    dossier = _dossier(request, public_id)
    document = DossierDocument.objects.filter(pk=document_id, dossier=dossier).first()
    if document is None:
        raise Http404
    return file_attachment(
        document.file,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )


@officer_view
@require_GET
def output_download(request, public_id, output_id: int):
    dossier = _dossier(request, public_id)
    output = DossierOutput.objects.filter(pk=output_id, dossier=dossier).first()
    if output is None:
        raise Http404
    output.dossier = dossier
    return file_attachment(
        output.file, filename=download_filename(output), content_type="application/pdf"
    )


# -- counter intake -------------------------------------------------------------------------
class CounterApplicantForm(ApplicantForm):
    """The walk-in citizen; e-mail optional (without it, the agency's counter account)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = False
        self.fields["email"].help_text = _(
            "Không bắt buộc; nếu có, công dân theo dõi hồ sơ trực tuyến bằng địa chỉ này "
            "(optional; lets the citizen follow the dossier online)."
        )

    def clean_email(self) -> str:
        email = self.cleaned_data.get("email") or ""
        if email.lower().endswith(COUNTER_PLACEHOLDER_DOMAIN):  # the counters' own accounts
            raise ValidationError(
                _("Địa chỉ này dành riêng cho hệ thống (this address is reserved).")
            )
        return email

    def clean(self):
        """An e-mail that already has an account files the dossier under that account only when
        the account's CCCD is the one typed: a mistyped address must not show a walk-in's
        dossier to a stranger."""
        cleaned = super().clean()
        email, cccd = cleaned.get("email"), cleaned.get("citizen_id")
        if not email or not cccd or self.has_error("citizen_id"):
            return cleaned
        if counter_account_state(email=email, citizen_id=cccd) is None:
            self.add_error("email", COUNTER_ACCOUNT_MISMATCH)
        return cleaned


# One message whether the account's CCCD differs or is missing: the officer learns nothing
# about the account beyond "not this citizen's".
COUNTER_ACCOUNT_MISMATCH = _(
    "Thư điện tử này đã có tài khoản, nhưng số CCCD của tài khoản không phải số đã nhập (hoặc "
    "chưa khai). Kiểm tra lại địa chỉ với công dân, hoặc để trống ô này (this e-mail has an "
    "account whose citizen ID is not the one typed: check the address with the citizen, or "
    "leave it empty)."
)


def counter_account_state(*, email: str, citizen_id: str) -> str | None:
    """How a counter dossier may go to the account with ``email``:

    - ``"new"``: there is none; it is made now and the dossier waits for the CCCD check;
    - ``"confirmed"``: its CCCD is ``citizen_id``;
    - ``"unconfirmed"``: made at the counter, its holder has not yet typed the CCCD, and its
      waiting dossiers were filed with ``citizen_id`` (the same walk-in again): it waits too;
    - ``None``: another person's account; the officer checks the address.
    """
    from portal.models import User

    account = User.objects.filter(email__iexact=email).only("citizen_id").first()
    if account is None:
        return "new"
    if not citizen_id:
        return None
    # While dossiers wait, they say whose account it is (not a CCCD typed into the profile).
    waiting = Dossier.objects.filter(applicant=account, owner_check_pending=True)
    if waiting.exists():
        same = not waiting.exclude(applicant_data__citizen_id=citizen_id).exists()
        return "unconfirmed" if same else None
    if account.citizen_id:
        return "confirmed" if account.citizen_id == citizen_id else None
    return None


def counter_applicant_user(*, agency, data: dict):
    """(the account a counter dossier is filed under, whether the dossier waits for the CCCD
    check): see the module docstring. An account made here holds the e-mail alone: the
    walk-in's details stay in the dossier until the holder types the CCCD."""
    from allauth.account.models import EmailAddress

    from portal.models import User

    email = (data.get("email") or "").strip().lower()
    if not email:
        email = f"quay-{agency.code.lower()}{COUNTER_PLACEHOLDER_DOMAIN}"
        user, _created = User.objects.get_or_create(
            email=email, defaults={"full_name": f"Người nộp tại quầy — {agency.name}"[:150]}
        )
        return user, False  # nobody signs in to the counter's own account
    state = counter_account_state(email=email, citizen_id=data.get("citizen_id", ""))
    if state is None:
        raise ValidationError(COUNTER_ACCOUNT_MISMATCH)  # the form checks it first; a race
    if state != "new":
        return User.objects.get(email__iexact=email), state == "unconfirmed"
    user = User(email=email)
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    from portal.roles import role_group

    user.groups.add(role_group(Role.CITIZEN))
    return user, True


def _counter_version(request, code: str):
    from procedures.selectors import procedure_published_version

    agency = queues.officer_agency(request.user)
    version = procedure_published_version(code=code)
    if version is None or not version.procedure.agencies.filter(pk=agency.pk).exists():
        raise Http404(_("Cơ quan không tiếp nhận thủ tục này (not received by this agency)."))
    return agency, version


def _counter_forms(version, data=None, files=None):
    from dossiers.filing import online_result
    from procedures.forms_builder import build_form

    documents = list(version.documents.all())
    return (
        CounterApplicantForm(data, prefix="a"),
        build_form(version.form_schema, documents=documents, data=data, files=files, prefix="f"),
        DeliveryForm(data, prefix="d", online_result=online_result(version)),
        {d.key: d for d in documents},
    )


@officer_view
@require_http_methods(["GET", "POST"])
def counter_start(request):
    """Tiếp nhận tại quầy: choose the procedure."""
    if Role.RECEPTION not in role_names(request.user):
        raise PermissionDenied(_("Chỉ cán bộ một cửa tiếp nhận tại quầy (reception only)."))
    procedures = queues.agency_procedures(queues.officer_agency(request.user))
    form = CounterProcedureForm(request.GET or None, procedures=procedures)
    if request.GET and form.is_valid():
        return redirect("dossiers:officer:counter_intake", code=form.cleaned_data["procedure"])
    return render(request, "dossiers/officer/counter_start.html", {"form": form})


@officer_view
@require_http_methods(["GET", "POST"])
def counter_intake(request, code: str):
    """A paper dossier of a walk-in citizen: filed, received and Mẫu 01 queued at once."""
    if Role.RECEPTION not in role_names(request.user):
        raise PermissionDenied(_("Chỉ cán bộ một cửa tiếp nhận tại quầy (reception only)."))
    agency, version = _counter_version(request, code)
    status = 200
    held: dict[str, tuple[str, str]] = {}
    if request.method == "POST":
        scope = f"counter:{request.user.pk}:{version.pk}"
        fields = schema_document_fields(version.form_schema)
        files, released = held_uploads.files_with_held(
            request.POST, request.FILES, scope=scope, fields=fields.values()
        )
        applicant_form, form, delivery, slots = _counter_forms(version, request.POST, files)
        if applicant_form.is_valid() and form.is_valid() and delivery.is_valid():
            try:
                dossier = counter_dossier_file(
                    agency=agency,
                    version=version,
                    officer=request.user,
                    applicant=applicant_form.snapshot(),
                    answers=form.answers(),
                    uploads=form.uploaded_files(),
                    slots=slots,
                    delivery=delivery.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            except workflow.WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Đã tiếp nhận hồ sơ %(code)s; Mẫu 01 đang được in "
                        "(received; the receipt is being printed)."
                    )
                    % {"code": dossier.code},
                )
                held_uploads.forget(path for _token, path in released.values())
                return redirect("dossiers:officer:detail", public_id=dossier.public_id)
        # The scans that pass their checks are kept for the next post (the page came back).
        checked = {fields[key]: upload for key, upload in form_uploads_check(form, slots)}
        held = held_uploads.hold_checked(form, checked, released, scope=scope)
        form.note_files_not_kept(kept=held)
        status = 400
    else:
        applicant_form, form, delivery, slots = _counter_forms(version)
    return render(
        request,
        "dossiers/officer/counter_intake.html",
        {
            "version": version,
            "procedure": version.procedure,
            "applicant_form": applicant_form,
            "form": form,
            "delivery": delivery,
            # One summary for the page's three forms (the procedure's form's own errors and
            # its rows', the applicant's, the delivery's).
            "summary_more": form.group_errors() + error_summary_items(applicant_form, delivery),
            "held": [(f"held-{name}", token) for name, (token, _path) in held.items()],
        },
        status=status,
    )


def counter_dossier_file(
    *, agency, version, officer, applicant: dict, answers: dict, uploads: dict, slots, delivery
) -> Dossier:
    """File and receive a counter dossier in one transaction (submit, then receive). Every file
    is checked before any is stored, the files together against the dossier's size limit; if
    anything fails, nothing stays (rows or files)."""
    from dossiers.filing import documents_store, documents_unstore
    from dossiers.uploads import upload_check

    stored = []
    try:
        with transaction.atomic():
            user, waits = counter_applicant_user(agency=agency, data=applicant)
            dossier = Dossier.objects.create(
                version=version,
                applicant=user,
                owner_check_pending=waits,
                agency=agency,
                channel=Channel.COUNTER,
                applicant_data=applicant,
                form_data=answers,
                result_delivery=delivery["result_delivery"],
                delivery_address=delivery.get("delivery_address", ""),
            )
            checked, already = [], 0
            for key, upload in uploads.items():
                result = upload_check(
                    file=upload, slot=slots[key], dossier=dossier, already=already
                )
                checked.append((key, result))
                already += result.size
            stored = documents_store(dossier=dossier, checked=checked, user=officer)
            workflow.agency_counters_lock(
                agency_id=agency.pk, statuses=[DossierStatus.SUBMITTED, DossierStatus.RECEIVED]
            )
            workflow.dossier_submit(dossier=dossier, actor=officer)
            workflow.dossier_receive(dossier=dossier, actor=officer, note="Tiếp nhận tại quầy")
    except BaseException:
        documents_unstore(stored)  # the rollback removed their rows, not the files
        raise
    return dossier


D = "dossiers/<uuid:public_id>/"
# -- Mẫu 06: the logbook -------------------------------------------------------------------


@officer_view
@require_GET
def logbook_month(request):
    """Sổ theo dõi hồ sơ (Mẫu 06) of the officer's agency, a month at a time (this month unless
    ``?month=YYYY-MM``); ``&format=csv`` downloads it."""
    agency = queues.officer_agency(request.user)
    today = timezone.localdate()
    form = LogbookMonthForm(request.GET or {"month": f"{today:%Y-%m}"})
    if not form.is_valid():
        context = {"agency": agency, "form": form, "rows": None}
        return render(request, "dossiers/officer/logbook.html", context, status=400)
    year, month = form.cleaned_data["month"]
    rows = logbook.logbook_rows(agency=agency, year=year, month=month)
    if request.GET.get("format") == "csv":
        response = HttpResponse(logbook.logbook_csv(rows), content_type="text/csv; charset=utf-8")
        name = f"so-theo-doi-ho-so-{agency.code}-{year}-{month:02d}.csv"
        response["Content-Disposition"] = content_disposition_header(True, name)
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"  # citizens' names, addresses, phones
        return response
    context = {
        "agency": agency,
        "form": form,
        "rows": rows,
        "month_value": f"{year}-{month:02d}",
        "columns": logbook.COLUMNS,
    }
    return render(request, "dossiers/officer/logbook.html", context)


urlpatterns = [
    path("queues/", home, name="home"),
    path("logbook/", logbook_month, name="logbook"),
    path("queues/<slug:slug>/", queue, name="queue"),
    path("queues/<slug:slug>/take-next/", take_next, name="take_next"),
    path("counter/", counter_start, name="counter_start"),
    path("counter/<str:code>/", counter_intake, name="counter_intake"),
    path(D, detail, name="detail"),
    path(D + "claim/", claim, name="claim"),
    path(D + "receive/", receive, name="receive"),
    path(D + "refuse/", refuse, name="refuse"),
    path(D + "supplement/", request_supplement, name="request_supplement"),
    path(D + "assign/", assign, name="assign"),
    path(D + "propose/", propose, name="propose"),
    path(D + "approve/", approve, name="approve"),
    path(D + "reject/", reject, name="reject"),
    path(D + "return/", return_result, name="return_result"),
    path(D + "apology/", apology, name="apology"),
    path(
        D + "apology/<int:episode>/handed-over/",
        apology_handed_over,
        name="apology_handed_over",
    ),
    path(D + "counter-payment/", counter_payment, name="counter_payment"),
    path(D + "documents/<int:document_id>/", document_download, name="document"),
    path(D + "outputs/<int:output_id>/", output_download, name="output"),
]
