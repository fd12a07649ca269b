"""Following a dossier: my dossiers, the dossier page, downloads, the public look-up (issue 5).

Views are thin: they check who is asking (``dossiers.selectors``), call the workflow for any
change of status and render. A dossier that the viewer may not see is a 404, never a 403.
"""

from __future__ import annotations

import hmac
import logging
import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from dossiers import deadlines, held_uploads, queues, selectors, workflow
from dossiers.filing import documents_store, documents_unstore
from dossiers.models import Dossier, DossierDocument, DossierStatus, OutputKind
from dossiers.outputs import download_filename
from dossiers.uploads import form_uploads_check
from payments.models import FeeStatus
from payments.selectors import fee_summary
from payments.services import receipts_send_waiting
from portal.forms import error_summary_items
from procedures.forms_builder import build_form
from procedures.schema import Kind, schema_document_fields, schema_fields

logger = logging.getLogger(__name__)
CITIZEN_ACTIONS = ("resubmit", "withdraw")


def _draft_url(dossier: Dossier) -> str:
    """A draft is continued in the filing form, where the citizen left it."""
    return reverse("dossiers:file_resume", kwargs={"public_id": dossier.public_id})


def _attach_row_info(rows: list[Dossier]) -> None:
    for row in rows:
        row.status_text = selectors.status_label(row.status)
        row.is_draft = row.status == DossierStatus.DRAFT
        row.url = (
            _draft_url(row) if row.is_draft else reverse("dossiers:detail", args=[row.public_id])
        )


# -- Hồ sơ của tôi ---------------------------------------------------------------------------
@login_required
@require_GET
def my_dossiers(request):
    after_raw = request.GET.get("after")
    after = selectors.cursor_decode(after_raw)
    page = selectors.my_dossiers_page(user=request.user, after=after)
    _attach_row_info(page.rows)
    context = {"page": page, "is_continuation": after is not None}
    if request.htmx:
        return render(request, "dossiers/_my_dossiers_rows.html", context)
    return render(request, "dossiers/my_dossiers.html", context)


# -- the dossier page -----------------------------------------------------------------------
def _citizen_actions(dossier: Dossier, user) -> list[str]:
    if dossier.applicant_id != user.pk:
        return []
    allowed = workflow.allowed_actions(dossier=dossier, actor=user)
    return [a for a in CITIZEN_ACTIONS if a in allowed]


@login_required
@require_GET
def detail(request, public_id):
    dossier = selectors.dossier_for_viewer(public_id=public_id, user=request.user)
    view = selectors.dossier_view(dossier)
    context = {
        "dossier": dossier,
        "view": view,
        "status_text": selectors.status_label(dossier.status),
        "actions": _citizen_actions(dossier, request.user),
        "is_applicant": dossier.applicant_id == request.user.pk,
        "draft_url": _draft_url(dossier) if dossier.status == DossierStatus.DRAFT else "",
        "fee": fee_summary(dossier=dossier),
        "time_left": deadlines.dossier_time_left(dossier),
    }
    # A fee still unpaid holds the result back from its applicant, as it holds back handing it
    # over at the counter (payments.selectors.fee_blocking_message): the download waits for it.
    fee = context["fee"]
    if fee is not None and fee.status == FeeStatus.UNPAID and context["is_applicant"]:
        held = [o for o in view.outputs if o.kind == OutputKind.RESULT]
        view.outputs = [o for o in view.outputs if o.kind != OutputKind.RESULT]
        context["result_held_for_fee"] = bool(held)
    if context["time_left"]:  # the same words as the officers' queues, in the page's language
        context["time_left_text"] = queues.TIME_LEFT[context["time_left"]][0]
    return render(request, "dossiers/detail.html", context)


def _own_dossier(request, public_id) -> Dossier:
    """The dossier for an action of its applicant (others who may see it cannot act here)."""
    dossier = selectors.dossier_for_viewer(public_id=public_id, user=request.user)
    if dossier.applicant_id != request.user.pk:
        raise Http404
    return dossier


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do rút hồ sơ (Reason for withdrawing)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Vui lòng cho biết lý do rút hồ sơ (give a reason).")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, public_id):
    dossier = _own_dossier(request, public_id)
    if "withdraw" not in _citizen_actions(dossier, request.user):
        messages.error(
            request,
            _(
                "Không thể rút hồ sơ đang ở trạng thái “%(status)s” "
                "(this dossier can no longer be withdrawn)."
            )
            % {"status": selectors.status_label(dossier.status)},
        )
        return redirect("dossiers:detail", public_id=dossier.public_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.dossier_withdraw(
                dossier=dossier, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except workflow.WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã rút hồ sơ (the dossier was withdrawn)."))
            return redirect("dossiers:detail", public_id=dossier.public_id)
    return render(
        request,
        "dossiers/withdraw.html",
        {"dossier": dossier, "form": form, "status_text": selectors.status_label(dossier.status)},
        status=400 if form.errors else 200,
    )


# -- answering a supplement request ---------------------------------------------------------
def schema_initial(schema: dict, form_data: dict) -> dict:
    """Stored answers as the schema form's initial values (addresses split, yes/no as words;
    a group's rows likewise, one dict of initial values a row)."""
    return _initial_values(schema_fields(schema), form_data or {})


def _initial_values(specs: list[dict], values: dict) -> dict:
    initial: dict = {}
    for spec in specs:
        name = spec.get("name")
        if name not in values or spec.get("kind") == Kind.DOCUMENT:
            continue
        value = values[name]
        if spec["kind"] == Kind.ADDRESS and isinstance(value, dict):
            for part in ("province", "ward", "street"):
                initial[f"{name}__{part}"] = value.get(part, "")
        elif spec["kind"] == Kind.YES_NO and isinstance(value, bool):
            initial[name] = "yes" if value else "no"
        elif spec["kind"] == Kind.GROUP and isinstance(value, list):
            fields = spec.get("fields") or []
            initial[name] = [_initial_values(fields, row) for row in value if isinstance(row, dict)]
        else:
            initial[name] = value
    return initial


class SupplementNoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú gửi cán bộ (Note to the officer)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Không bắt buộc: cho biết những gì đã bổ sung, sửa đổi (optional)."),
    )


def _supplement_forms(dossier: Dossier, data=None, files=None):
    version = dossier.version
    required_docs = list(version.documents.all())
    form = build_form(
        version.form_schema,
        documents=required_docs,
        data=data,
        files=files,
        prefix="f",
        initial=schema_initial(version.form_schema, dossier.form_data),
    )
    # The dossier already holds its documents: a new file is optional, it is added beside them.
    for spec in schema_fields(version.form_schema):
        if spec.get("kind") == Kind.DOCUMENT and spec["name"] in form.fields:
            form.fields[spec["name"]].required = False
    return form, SupplementNoteForm(data, prefix="n"), {d.key: d for d in required_docs}


def _changes(old: dict, new: dict) -> dict:
    """The answers a supplement changed, old and new, for the resubmit event (its history)."""
    return {
        name: {"old": old.get(name), "new": new.get(name)}
        for name in sorted(set(old) | set(new))
        if old.get(name) != new.get(name)
    }


def _new_form_data(dossier: Dossier, answers: dict) -> dict:
    specs = schema_fields(dossier.version.form_schema)
    document_fields = {s["name"] for s in specs if s.get("kind") == Kind.DOCUMENT}
    schema_names = {s["name"] for s in specs}
    kept = {
        k: v
        for k, v in (dossier.form_data or {}).items()
        if k not in schema_names or k in document_fields
    }
    return {**kept, **{k: v for k, v in answers.items() if k not in document_fields}}


@login_required
@require_http_methods(["GET", "POST"])
def supplement(request, public_id):
    dossier = _own_dossier(request, public_id)
    if "resubmit" not in _citizen_actions(dossier, request.user):
        messages.error(
            request,
            _(
                "Hồ sơ không ở trạng thái chờ bổ sung (no supplement is requested for this dossier)."
            ),
        )
        return redirect("dossiers:detail", public_id=dossier.public_id)
    view = selectors.dossier_view(dossier)
    held: dict[str, tuple[str, str]] = {}
    if request.method == "POST":
        scope = f"dossier:{dossier.pk}"
        fields = schema_document_fields(dossier.version.form_schema)
        files, released = held_uploads.files_with_held(
            request.POST, request.FILES, scope=scope, fields=fields.values()
        )
        form, note_form, slots = _supplement_forms(dossier, request.POST, files)
        valid = form.is_valid() and note_form.is_valid()
        # Every file is checked, even when another field is wrong: one that passes is kept.
        checked = form_uploads_check(form, slots, dossier=dossier)
        if valid and not form.errors:
            stored: list[DossierDocument] = []
            try:
                with transaction.atomic():
                    new_data = _new_form_data(dossier, form.answers())
                    Dossier.objects.filter(pk=dossier.pk).update(form_data=new_data)
                    stored = documents_store(dossier=dossier, checked=checked, user=request.user)
                    workflow.dossier_resubmit(
                        dossier=dossier,
                        actor=request.user,
                        note=note_form.cleaned_data["note"],
                        changes=_changes(dossier.form_data or {}, new_data),
                    )
            except BaseException as exc:
                documents_unstore(stored)  # the rollback removed their rows
                if not isinstance(exc, workflow.WorkflowError):
                    raise
                form.add_error(None, exc.message)
            else:
                held_uploads.forget(path for _token, path in released.values())
                messages.success(
                    request, _("Đã nộp bổ sung hồ sơ (the supplement was sent to the agency).")
                )
                return redirect("dossiers:detail", public_id=dossier.public_id)
        held = held_uploads.hold_checked(
            form, {fields[key]: upload for key, upload in checked}, released, scope=scope
        )
        form.note_files_not_kept(kept=held)
        status = 400
    else:
        form, note_form, _slots = _supplement_forms(dossier)
        status = 200
    return render(
        request,
        "dossiers/supplement.html",
        {
            "dossier": dossier,
            "view": view,
            "form": form,
            "note_form": note_form,
            "request_entry": view.supplement_request,
            # The summary lists the rows' errors and the note's beside the form's own.
            "summary_more": form.group_errors() + error_summary_items(note_form),
            # Files kept for the next post of the page (dossiers/held_uploads.py).
            "held": [(f"held-{name}", token) for name, (token, _path) in held.items()],
        },
        status=status,
    )


# -- downloads -------------------------------------------------------------------------------
def file_attachment(file, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def document_download(request, public_id, document_id: int):
    document = selectors.document_for_viewer(
        public_id=public_id, document_id=document_id, user=request.user
    )
    return file_attachment(
        document.file,
        filename=document.original_name,
        content_type=document.content_type or "application/octet-stream",
    )


@login_required
@require_GET
def output_download(request, public_id, output_id: int):
    output = selectors.output_for_viewer(
        public_id=public_id, output_id=output_id, user=request.user
    )
    return file_attachment(
        output.file, filename=download_filename(output), content_type="application/pdf"
    )


# -- public look-up ---------------------------------------------------------------------------
LOOKUP_NOT_FOUND = _(
    "Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối đã nhập. Vui lòng kiểm tra lại "
    "(no dossier matches this code and these digits)."
)
LOOKUP_LIMITED = _(
    "Bạn đã tra cứu quá nhiều lần trong một phút. Vui lòng chờ một phút rồi thử lại "
    "(too many look-ups; please wait a minute and try again)."
)
# Besides the 10 a minute per address: tries on one dossier code, from any address, so that
# many addresses cannot guess the 4 digits of one code (1 in 5,000 a try: phone or CCCD).
LOOKUP_CODE_RATE = "20/h"
LOOKUP_CODE_LIMITED = _(
    "Mã hồ sơ này đã được tra cứu quá nhiều lần trong một giờ. Vui lòng thử lại sau, hoặc đăng "
    "nhập để xem hồ sơ của mình (this dossier code was looked up too often in the last hour; "
    "please try again later, or sign in to see your own dossiers)."
)
_NO_DIGITS = "\x00" * 4
# <agency code>-<yymmdd>-<4-digit daily sequence> (dossiers.workflow), e.g. X26740-260115-0001;
# the agency part as the catalog has it (TTHCC-01-…).
LOOKUP_CODE_FORMAT = re.compile(r".+-\d{6}-\d{4}")
LOOKUP_CODE_MALFORMED = _(
    "Mã hồ sơ gồm mã cơ quan, ngày nộp (năm tháng ngày) và số thứ tự, cách nhau bởi dấu gạch "
    "ngang, ví dụ X26740-260115-0001 (a dossier code looks like X26740-260115-0001)."
)


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ (Dossier code)"),
        max_length=32,
        help_text=_("Ví dụ X26740-260115-0001, in trên giấy xác nhận và thư điện tử."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Vui lòng nhập mã hồ sơ (enter the dossier code).")},
    )
    last4 = forms.RegexField(
        regex=r"^\d{4}$",
        label=_("4 số cuối số điện thoại hoặc số CCCD (last 4 digits of phone or citizen ID)"),
        help_text=_("Của người nộp hồ sơ, như đã khai khi nộp."),
        max_length=4,
        min_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Vui lòng nhập 4 chữ số (enter 4 digits)."),
            "invalid": _("Vui lòng nhập đúng 4 chữ số (enter exactly 4 digits)."),
            "min_length": _("Vui lòng nhập đúng 4 chữ số (enter exactly 4 digits)."),
            "max_length": _("Vui lòng nhập đúng 4 chữ số (enter exactly 4 digits)."),
        },
    )

    def clean_code(self):
        # Spaces are forgiven ("X26740 - 260115 - 0001"); a code that cannot be one is said so:
        # that tells nothing about which dossiers exist.
        code = re.sub(r"\s", "", self.cleaned_data["code"]).upper()
        if not LOOKUP_CODE_FORMAT.fullmatch(code):
            raise forms.ValidationError(LOOKUP_CODE_MALFORMED, code="format")
        return code


def _last4(value) -> str:
    digits = re.sub(r"\D", "", str(value or ""))
    return digits[-4:] if len(digits) >= 4 else _NO_DIGITS


def _lookup_code_key(group, request) -> str:
    return re.sub(r"\s", "", request.POST.get("code", "")).upper()[:32]


def lookup_matches(dossier: Dossier | None, last4: str) -> bool:
    """Whether ``last4`` ends the applicant's phone or citizen ID; constant-time comparisons,
    and the same work for an unknown code as for a known one."""
    data = (dossier.applicant_data or {}) if dossier is not None else {}
    given = last4.encode()
    phone = hmac.compare_digest(_last4(data.get("phone")).encode(), given)
    citizen_id = hmac.compare_digest(_last4(data.get("citizen_id")).encode(), given)
    return dossier is not None and (phone | citizen_id)


@ratelimit(key="ip", rate="10/m", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def lookup(request):
    result = None
    error = ""
    status = 200
    if request.method == "POST":
        form = LookupForm(request.POST)
        if getattr(request, "limited", False):
            error, status = LOOKUP_LIMITED, 429
        elif is_ratelimited(
            request,
            group="dossiers.lookup.code",
            key=_lookup_code_key,
            rate=LOOKUP_CODE_RATE,
            method="POST",
            increment=True,
        ):
            error, status = LOOKUP_CODE_LIMITED, 429
        elif form.is_valid():
            dossier = selectors.dossier_for_lookup(form.cleaned_data["code"])
            if lookup_matches(dossier, form.cleaned_data["last4"]):
                result = {
                    "code": dossier.code,
                    "status_text": selectors.status_label(dossier.status),
                    "status": dossier.status,
                    "agency": dossier.agency.name if dossier.agency else "",
                    "due_at": dossier.due_at,
                    "apology_new_date": selectors.apology_new_date(dossier),
                }
            else:
                error = LOOKUP_NOT_FOUND
            # The digits are not echoed back; the code stays for another try.
            form = LookupForm(initial={"code": form.cleaned_data["code"]})
    else:
        form = LookupForm(initial={"code": request.GET.get("code", "")[:32]})
    return render(
        request,
        "dossiers/lookup.html",
        {"form": form, "result": result, "error": error},
        status=status,
    )


# -- counter dossiers waiting for their owner's CCCD -------------------------------------------
class OwnerCheckForm(forms.Form):
    citizen_id = forms.CharField(
        label=_("Số CCCD đã khai khi nộp tại quầy (Citizen ID given at the counter)"),
        max_length=12,
        error_messages={"required": _("Vui lòng nhập số CCCD (enter the citizen ID).")},
        help_text=_("12 chữ số, như trên Giấy tiếp nhận hồ sơ (12 digits, as on the receipt)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


OWNER_CHECK_FAILED = _(
    "Số CCCD này không khớp với hồ sơ nào đang chờ xác nhận (this citizen ID matches none of "
    "the dossiers waiting)."
)
OWNER_CHECK_LIMITED = _(
    "Bạn đã thử quá nhiều lần. Vui lòng thử lại sau (too many tries; please try again later)."
)


def _profile_from_counter(user, data: dict) -> None:
    """The holder proved to be the walk-in: the profile takes the details given at the counter
    where it has none (the account was made with the e-mail alone)."""
    fields = ("citizen_id", "full_name", "phone", "address")
    changed = [f for f in fields if not getattr(user, f) and data.get(f)]
    for name in changed:
        setattr(user, name, data[name])
    if changed:
        user.save(update_fields=changed)


@login_required
@ratelimit(key="user", rate="5/m", method="POST", block=False)
@ratelimit(key="user", rate="20/d", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def owner_check(request):
    """A dossier filed at the counter under an account made for the e-mail the citizen gave
    stays hidden from that account until its holder types the CCCD given at the counter: a
    mistyped address must not show a walk-in's dossier to whoever owns it."""
    pending = Dossier.objects.filter(applicant=request.user, owner_check_pending=True)
    count = pending.count()
    if not count:
        return redirect("dossiers:my_dossiers")
    form = OwnerCheckForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            form.add_error(None, OWNER_CHECK_LIMITED)
            status = 429
        elif form.is_valid():
            cccd = form.cleaned_data["citizen_id"].strip()
            matched = list(pending.filter(applicant_data__citizen_id=cccd).order_by("-id"))
            shown = pending.filter(pk__in=[d.pk for d in matched]).update(owner_check_pending=False)
            if shown:
                _profile_from_counter(request.user, matched[0].applicant_data)
                receipts_send_waiting(dossier_ids=[d.pk for d in matched])
                logger.info(
                    "owner check: user %s confirmed %d counter dossier(s)", request.user.pk, shown
                )
                messages.success(
                    request,
                    _(
                        "Đã xác nhận; hồ sơ đã hiện trong danh sách (confirmed; the dossier is listed)."
                    ),
                )
                return redirect("dossiers:my_dossiers")
            form.add_error("citizen_id", OWNER_CHECK_FAILED)
        if status == 200:
            status = 400
    return render(
        request, "dossiers/owner_check.html", {"form": form, "count": count}, status=status
    )


urlpatterns = [
    path("my/dossiers/", my_dossiers, name="my_dossiers"),
    path("my/dossiers/xac-nhan/", owner_check, name="owner_check"),
    path("dossiers/<uuid:public_id>/", detail, name="detail"),
    path("dossiers/<uuid:public_id>/withdraw/", withdraw, name="withdraw"),
    path("dossiers/<uuid:public_id>/supplement/", supplement, name="supplement"),
    path(
        "dossiers/<uuid:public_id>/documents/<int:document_id>/",
        document_download,
        name="document_download",
    ),
    path(
        "dossiers/<uuid:public_id>/outputs/<int:output_id>/",
        output_download,
        name="output_download",
    ),
    path("lookup/", lookup, name="lookup"),
]
