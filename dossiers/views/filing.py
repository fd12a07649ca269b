"""Filing a dossier: the multi-step form, autosave and uploads (issue 5).

Every step is a real form post ("Tiếp tục" / "Quay lại" / "Lưu nháp"), so the flow works without
JavaScript; htmx adds autosave as the citizen types. Views parse input, check access (a draft is
only ever found through its owner: 404 for anybody else) and call ``dossiers.filing``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from dossiers import filing, selectors, workflow
from dossiers.forms import AgencyForm, DeclarationForm, UploadForm, reuse_label
from dossiers.models import Dossier, DossierStatus
from dossiers.uploads import MB, max_total_bytes
from payments.selectors import fee_summary
from payments.services import form_units
from portal.models import Agency
from procedures.forms_builder import field_label
from procedures.models import FeeKind
from procedures.schema import Kind, schema_fields
from procedures.selectors import procedure_published_version
from procedures.services import fee_quote
from procedures.text import search_normalize, vi_sort_key

NAV_NEXT, NAV_BACK, NAV_SAVE = "next", "back", "save"


# --- helpers ---------------------------------------------------------------------------------
def _own_dossier(request, public_id) -> Dossier:
    """The citizen's own dossier, or 404 (never 403: another's dossier does not exist for them)."""
    return get_object_or_404(
        Dossier.objects.select_related("version__procedure", "agency").filter(
            selectors.owner_filter(request.user)
        ),
        public_id=public_id,
    )


def _own_draft(request, public_id) -> Dossier:
    dossier = _own_dossier(request, public_id)
    if dossier.status != DossierStatus.DRAFT:
        raise _AlreadyFiled(dossier)
    return dossier


class _AlreadyFiled(Exception):
    def __init__(self, dossier):
        self.dossier = dossier


def _draft_view(view):
    """Login required; a filed dossier's draft pages send the citizen to its confirmation."""

    @login_required
    def wrapper(request, public_id, *args, **kwargs):
        try:
            return view(request, public_id, *args, **kwargs)
        except _AlreadyFiled as exc:
            if request.htmx:
                return HttpResponse(
                    gettext("Hồ sơ đã được nộp (already filed)."),
                    status=409,
                    content_type="text/plain",
                )
            return redirect("dossiers:file_done", public_id=exc.dossier.public_id)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _step_url(dossier: Dossier, step: str) -> str:
    return reverse("dossiers:file_step", kwargs={"public_id": dossier.public_id, "step": step})


def _context(dossier: Dossier, step: str, **extra) -> dict:
    index = filing.STEP_SLUGS.index(step)
    return {
        "dossier": dossier,
        "version": dossier.version,
        "procedure": dossier.version.procedure,
        "steps": filing.STEPS,
        "step": filing.STEPS[index],
        "step_number": index + 1,
        "step_count": len(filing.STEPS),
        "is_first": index == 0,
        "is_last": index == len(filing.STEPS) - 1,
        "autosave": step in filing.RAW_STEPS or step == "agency",
        "saved_version": filing.saved_version(dossier, step),
        **extra,
    }


def _stamp(request) -> filing.Stamp | None:
    """When the browser sent this save (static/js/filing.js); older saves are ignored."""
    return filing.parse_stamp(request.POST.get("_stamp"))


def _nav(request) -> str:
    nav = request.POST.get("_nav", NAV_NEXT)
    return nav if nav in (NAV_NEXT, NAV_BACK, NAV_SAVE) else NAV_NEXT


def _after_save(request, dossier: Dossier, step: str, nav: str):
    if nav == NAV_SAVE:
        messages.success(request, gettext("Đã lưu bản nháp (draft saved)."))
    return redirect(_step_url(dossier, _target_step(step, nav)))


def _target_step(step: str, nav: str) -> str:
    if nav == NAV_BACK:
        return filing.step_before(step)
    if nav == NAV_NEXT:
        return filing.step_after(step)
    return step


# --- start and resume -----------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def file_start(request, code: str):
    """Nộp hồ sơ: explains the steps, offers the citizen's open drafts, starts a new draft."""
    version = procedure_published_version(code=code)
    if version is None or not version.procedure.is_online:
        raise Http404("Thủ tục không nộp trực tuyến được (not available online).")
    if request.method == "POST":
        dossier = filing.dossier_create_draft(version=version, applicant=request.user)
        return redirect(_step_url(dossier, filing.STEPS[0].slug))
    drafts = list(
        Dossier.objects.filter(
            applicant=request.user,
            status=DossierStatus.DRAFT,
            version__procedure=version.procedure,
        ).order_by("-updated_at")[:5]
    )
    context = {
        "version": version,
        "procedure": version.procedure,
        "documents": list(version.documents.all()),
        "steps": filing.STEPS,
        "drafts": drafts,
    }
    return render(request, "dossiers/file_start.html", context)


@_draft_view
def file_resume(request, public_id):
    """Back where the citizen left off (the draft's step)."""
    dossier = _own_draft(request, public_id)
    step = dossier.draft_step if dossier.draft_step in filing.STEP_SLUGS else "applicant"
    return redirect(_step_url(dossier, step))


# --- the steps ----------------------------------------------------------------------------------
@_draft_view
@require_http_methods(["GET", "POST"])
def file_step(request, public_id, step: str):
    if step not in filing.STEP_SLUGS:
        raise Http404("Không có bước này (no such step).")
    dossier = _own_draft(request, public_id)
    return STEP_VIEWS[step](request, dossier)


def _raw_step(request, dossier: Dossier, step: str, make_form, template: str):
    """Applicant / details: raw values saved on every post, validated on "next"."""
    if request.method == "POST":
        nav = _nav(request)
        form = make_form(dossier, data=request.POST)
        valid = nav != NAV_NEXT or form.is_valid()
        filing.draft_save_values(
            stamp=_stamp(request),
            dossier=dossier,
            step=step,
            values=filing.raw_values(request.POST),
            draft_step=_target_step(step, nav) if valid else step,
        )
        if valid:
            return _after_save(request, dossier, step, nav)
    else:
        form = make_form(dossier)
        filing.hide_untouched_errors(form)
    return render(request, template, _context(dossier, step, form=form))


def step_applicant(request, dossier):
    return _raw_step(
        request, dossier, "applicant", filing.applicant_form, "dossiers/file_applicant.html"
    )


def step_details(request, dossier):
    return _raw_step(request, dossier, "details", filing.details_form, "dossiers/file_details.html")


def _documents_context(request, dossier: Dossier, *, errors=None, slot_errors=None) -> dict:
    slots = list(dossier.version.documents.all())
    docs = list(dossier.documents.all())
    reusable, seen = [], set()
    for d in filing.reusable_documents(user=request.user, exclude_dossier=dossier)[:50]:
        if d.sha256 not in seen:  # the same file attached twice is offered once (the newest)
            seen.add(d.sha256)
            reusable.append((d.pk, reuse_label(d)))
    answers = {}
    if dossier.draft_values.get("details") is not None:
        details = filing.details_form(dossier)
        if details.is_valid():
            answers = details.answers()
    specs = schema_fields(dossier.version.form_schema)
    slot_errors = slot_errors or {}
    rows = [
        {
            "slot": slot,
            "required": filing.slot_required(slot, specs, answers),
            "documents": [d for d in docs if d.slot == slot.key],
            "accept": ",".join(f".{t}" for t in slot.accepted_types),
            "error": slot_errors.get(slot.key),
        }
        for slot in slots
    ]
    return {
        "rows": rows,
        "reusable": reusable,
        "errors": errors or [],
        "total_mb": sum(d.size for d in docs) / MB,
        "max_total_mb": max_total_bytes() // MB,
    }


def step_documents(request, dossier):
    if request.method == "POST":
        nav = _nav(request)
        if nav == NAV_NEXT:
            check = filing.draft_check(dossier)
            missing = check.problems.get("documents", [])
            if missing:
                filing.draft_set_step(dossier=dossier, step="documents")
                context = _context(
                    dossier, "documents", **_documents_context(request, dossier, errors=missing)
                )
                return render(request, "dossiers/file_documents.html", context)
        filing.draft_set_step(dossier=dossier, step=_target_step("documents", nav))
        return _after_save(request, dossier, "documents", nav)
    context = _context(dossier, "documents", **_documents_context(request, dossier))
    return render(request, "dossiers/file_documents.html", context)


def _offering_agencies(dossier: Dossier):
    return Agency.objects.filter(
        procedures=dossier.version.procedure_id, is_active=True
    ).select_related("admin_unit")


def step_agency(request, dossier):
    agencies = _offering_agencies(dossier)
    query = (request.GET.get("q") or "").strip()[:100]
    if request.method == "POST":
        nav = _nav(request)
        form = AgencyForm(request.POST, agencies=agencies)
        if form.is_valid():
            filing.draft_set_agency(
                stamp=_stamp(request),
                dossier=dossier,
                agency=form.cleaned_data["agency"],
                draft_step=_target_step("agency", nav),
            )
            return _after_save(request, dossier, "agency", nav)
        if nav != NAV_NEXT:
            filing.draft_set_step(dossier=dossier, step=_target_step("agency", nav))
            return _after_save(request, dossier, "agency", nav)
    else:
        form = AgencyForm(initial={"agency": dossier.agency_id}, agencies=agencies)
    choices = sorted(agencies, key=lambda a: (a.kind, vi_sort_key(a.name)))
    if query:
        needle = search_normalize(query)
        shown = [
            a for a in choices if needle in search_normalize(a.name) or a.pk == dossier.agency_id
        ]
    else:
        shown = choices
    form.fields["agency"].choices = [
        ("", form.fields["agency"].empty_label),
        *[(a.pk, a.name) for a in shown],
    ]
    context = _context(
        dossier, "agency", form=form, query=query, shown_count=len(shown), total=len(choices)
    )
    return render(request, "dossiers/file_agency.html", context)


def step_delivery(request, dossier):
    if request.method == "POST":
        nav = _nav(request)
        values = filing.raw_values(request.POST)
        form = filing.delivery_form(dossier, data=request.POST)
        valid = form.is_valid()
        filing.draft_set_delivery(
            stamp=_stamp(request),
            dossier=dossier,
            values=values,
            cleaned=form.cleaned_data if valid else None,
            draft_step=_target_step("delivery", nav) if valid or nav != NAV_NEXT else "delivery",
        )
        if valid or nav != NAV_NEXT:
            return _after_save(request, dossier, "delivery", nav)
    else:
        form = filing.delivery_form(dossier)
        filing.hide_untouched_errors(form)
    return render(request, "dossiers/file_delivery.html", _context(dossier, "delivery", form=form))


def _answer_rows(form) -> list[tuple[str, str]]:
    """(label, value as the citizen reads it) for the review page."""
    rows = []
    cleaned = form.cleaned_data
    for item in form.layout:
        kind, spec = item[0], item[1]
        name = spec["name"]
        label = field_label(spec) or name
        if kind == "group":
            formset = item[2]
            lines = []
            for row in formset.forms:
                if row.has_changed() and getattr(row, "cleaned_data", None):
                    lines.append(
                        ", ".join(
                            f"{row.fields[k].label}: {_display(row[k], v)}"
                            for k, v in row.cleaned_data.items()
                            if v not in (None, "", [])
                        )
                    )
            rows.append((label, "; ".join(lines) or "—"))
        elif kind == "address":
            value = cleaned.get(name)
            if name in cleaned:
                text = (
                    ", ".join(
                        p
                        for p in (
                            value.get("street"),
                            value.get("ward_name"),
                            value.get("province_name"),
                        )
                        if p
                    )
                    if value
                    else "—"
                )
                rows.append((label, text))
        elif name in cleaned and spec["kind"] != Kind.DOCUMENT:
            rows.append((item[2].label, _display(item[2], cleaned[name])))
    return rows


def _display(bound_field, value) -> str:
    if value in (None, "", []):
        return "—"
    if value is True:
        return gettext("Có (Yes)")
    if value is False:
        return gettext("Không (No)")
    choices = dict(getattr(bound_field.field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(choices.get(value, value))


def step_review(request, dossier):
    error = None
    if request.method == "POST":
        nav = _nav(request)
        if nav == NAV_BACK:
            filing.draft_set_step(dossier=dossier, step=filing.step_before("review"))
            return _after_save(request, dossier, "review", nav)
        declaration = DeclarationForm(request.POST)
        try:
            filing.dossier_file_submit(
                dossier=dossier, actor=request.user, declared=declaration.is_valid()
            )
        except workflow.WorkflowError as exc:
            error = exc.message
        else:
            return redirect("dossiers:file_done", public_id=dossier.public_id)
    else:
        declaration = DeclarationForm()
        if dossier.draft_step != "review":
            filing.draft_set_step(dossier=dossier, step="review")
    documents = list(dossier.documents.all())
    check = filing.draft_check(dossier, documents=documents)
    details = filing.details_form(dossier)
    answer_rows = _answer_rows(details) if details.is_bound and details.is_valid() else []
    born = parse_date((check.applicant or {}).get("date_of_birth") or "")
    # The fee the dossier will owe (filed online, today), before the citizen commits to it.
    fee = None
    if dossier.version.fee_kind != FeeKind.FREE:
        units = form_units(dossier.version, check.answers)
        fee = fee_quote(version=dossier.version, units=units)
    problems = [
        {"step": s, "url": _step_url(dossier, s.slug), "messages": check.problems[s.slug]}
        for s in filing.STEPS
        if s.slug in check.problems
    ]
    slots = {d.key: d.name for d in dossier.version.documents.all()}
    context = _context(
        dossier,
        "review",
        check=check,
        problems=problems,
        answer_rows=answer_rows,
        applicant_born=born,
        fee_quote=fee,
        documents=[(slots.get(d.slot, d.slot), d) for d in documents],
        declaration=declaration,
        error=error,
    )
    return render(request, "dossiers/file_review.html", context, status=400 if error else 200)


STEP_VIEWS = {
    "applicant": step_applicant,
    "details": step_details,
    "documents": step_documents,
    "agency": step_agency,
    "delivery": step_delivery,
    "review": step_review,
}


# --- autosave -----------------------------------------------------------------------------------
@_draft_view
@require_POST
def file_autosave(request, public_id, step: str):
    """htmx: store what is typed so far (valid or not); answers with a short status line."""
    if step not in filing.RAW_STEPS and step != "agency":
        raise Http404("Không tự lưu bước này (no autosave here).")
    dossier = _own_draft(request, public_id)
    base = request.POST.get("_base") or None  # the version of the step this page last saw
    try:
        if step == "delivery":
            form = filing.delivery_form(dossier, data=request.POST)
            valid = form.is_valid()
            filing.draft_set_delivery(
                stamp=_stamp(request),
                dossier=dossier,
                values=filing.raw_values(request.POST),
                cleaned=form.cleaned_data if valid else None,
                draft_step=step,
                autosave=True,
                base=base,
            )
        elif step == "agency":
            form = AgencyForm(request.POST, agencies=_offering_agencies(dossier))
            if form.is_valid():
                filing.draft_set_agency(
                    stamp=_stamp(request),
                    dossier=dossier,
                    agency=form.cleaned_data["agency"],
                    draft_step=step,
                    autosave=True,
                    base=base,
                )
        else:
            filing.draft_save_values(
                stamp=_stamp(request),
                dossier=dossier,
                step=step,
                values=filing.raw_values(request.POST),
                draft_step=step,
                autosave=True,
                base=base,
            )
    except filing.DraftConflict as exc:
        # Another tab or device saved this step since: nothing is stored over it.
        return HttpResponse(str(exc), status=412, content_type="text/plain; charset=utf-8")
    response = render(
        request, "dossiers/_file_saved.html", {"saved_at": timezone.localtime(timezone.now())}
    )
    saved = Dossier.objects.only("draft_values", "agency_id").get(pk=dossier.pk)
    response["X-Saved-Version"] = filing.saved_version(saved, step)
    return response


# --- documents ----------------------------------------------------------------------------------
def _slot(dossier: Dossier, key: str):
    slot = dossier.version.documents.filter(key=key).first()
    if slot is None:
        raise Http404("Không có thành phần hồ sơ này (no such document slot).")
    return slot


def _documents_error(request, dossier, slot, message: str):
    context = _context(
        dossier,
        "documents",
        **_documents_context(request, dossier, slot_errors={slot.key: message}),
    )
    return render(request, "dossiers/file_documents.html", context, status=400)


@_draft_view
@require_POST
def file_upload(request, public_id, slot: str):
    dossier = _own_draft(request, public_id)
    slot = _slot(dossier, slot)
    form = UploadForm(request.POST, request.FILES, prefix=f"upload-{slot.key}")
    if not form.is_valid():
        return _documents_error(request, dossier, slot, " ".join(form.errors["file"]))
    try:
        doc = filing.document_add(
            dossier=dossier, slot=slot, file=form.cleaned_data["file"], user=request.user
        )
    except ValidationError as exc:
        return _documents_error(request, dossier, slot, " ".join(exc.messages))
    filing.draft_set_step(dossier=dossier, step="documents")
    messages.success(
        request, gettext("Đã tải lên «%(name)s» (uploaded).") % {"name": doc.original_name}
    )
    return redirect(_step_url(dossier, "documents") + f"#slot-{slot.key}")


@_draft_view
@require_POST
def file_reuse(request, public_id, slot: str):
    dossier = _own_draft(request, public_id)
    slot = _slot(dossier, slot)
    source_id = request.POST.get(f"reuse-{slot.key}-source", "")
    try:
        doc = filing.document_reuse(
            dossier=dossier, slot=slot, source_id=source_id, user=request.user
        )
    except ValidationError as exc:
        return _documents_error(request, dossier, slot, " ".join(exc.messages))
    filing.draft_set_step(dossier=dossier, step="documents")
    messages.success(
        request, gettext("Đã đính kèm «%(name)s» (attached).") % {"name": doc.original_name}
    )
    return redirect(_step_url(dossier, "documents") + f"#slot-{slot.key}")


@_draft_view
@require_POST
def file_document_delete(request, public_id, document_id: int):
    dossier = _own_draft(request, public_id)
    document = get_object_or_404(dossier.documents, pk=document_id)
    name = document.original_name
    filing.document_remove(dossier=dossier, document=document)
    messages.success(request, gettext("Đã xóa «%(name)s» (removed).") % {"name": name})
    return redirect(_step_url(dossier, "documents") + f"#slot-{document.slot}")


# --- after submission ---------------------------------------------------------------------------
@login_required
def file_done(request, public_id):
    """Đã nộp: the dossier code, what happens next, where to follow it."""
    dossier = _own_dossier(request, public_id)
    if dossier.status == DossierStatus.DRAFT:
        return redirect("dossiers:file_resume", public_id=dossier.public_id)
    return render(
        request,
        "dossiers/file_done.html",
        {
            "dossier": dossier,
            "procedure": dossier.version.procedure,
            "version": dossier.version,
            "fee": fee_summary(dossier=dossier),
            "status_text": selectors.status_label(dossier.status),
        },
    )


urlpatterns = [
    path("nop-ho-so/<str:code>/", file_start, name="file_start"),
    path("nop-ho-so/nhap/<uuid:public_id>/", file_resume, name="file_resume"),
    path("nop-ho-so/nhap/<uuid:public_id>/da-nop/", file_done, name="file_done"),
    path(
        "nop-ho-so/nhap/<uuid:public_id>/giay-to/<slug:slot>/tai-len/",
        file_upload,
        name="file_upload",
    ),
    path(
        "nop-ho-so/nhap/<uuid:public_id>/giay-to/<slug:slot>/dung-lai/",
        file_reuse,
        name="file_reuse",
    ),
    path(
        "nop-ho-so/nhap/<uuid:public_id>/giay-to/xoa/<int:document_id>/",
        file_document_delete,
        name="file_document_delete",
    ),
    path("nop-ho-so/nhap/<uuid:public_id>/<slug:step>/", file_step, name="file_step"),
    path(
        "nop-ho-so/nhap/<uuid:public_id>/<slug:step>/tu-luu/",
        file_autosave,
        name="file_autosave",
    ),
]
