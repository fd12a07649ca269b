"""Forms of the officers' back office (issue 7). They only parse input; the workflow decides."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers.models import Channel, DossierStatus, Handover, ResultDelivery
from dossiers.queues import QueueFilters
from dossiers.selectors import status_label
from portal.workdays import is_working_day, office_closes_at, office_opens_at, office_timezone

REQUIRED = {"required": _("Vui lòng nhập thông tin này (this field is required).")}


class QueueFilterForm(forms.Form):
    """Search and filters of a queue (GET; every combination is a plain URL). The queue page
    writes its controls with a Jinja2 macro (``control`` in
    templates/jinja2/dossiers/officer/queue_body.html), as Django's widgets would."""

    q = forms.CharField(
        label=_("Tìm kiếm (Search)"),
        required=False,
        max_length=100,
        help_text=_("Mã hồ sơ, tên người nộp hoặc số CCCD (code, applicant name or ID number)."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    procedure = forms.TypedChoiceField(
        label=_("Thủ tục (Procedure)"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Trạng thái (Status)"), required=False)
    time_left = forms.ChoiceField(
        label=_("Thời hạn (Time left)"),
        required=False,
        choices=[
            ("", _("Tất cả (All)")),
            ("overdue", _("Quá hạn (Overdue)")),
            ("due_soon", _("Sắp đến hạn (Due soon)")),
            ("on_track", _("Còn hạn (On track)")),
            ("none", _("Chưa tính hạn (No due date yet)")),
        ],
    )
    channel = forms.ChoiceField(
        label=_("Kênh nộp (Channel)"),
        required=False,
        choices=[("", _("Tất cả (All)")), *Channel.choices],
    )
    received_from = forms.DateField(
        label=_("Tiếp nhận từ ngày (Received from)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = forms.DateField(
        label=_("đến ngày (to)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, procedures=(), show_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("Tất cả (All)")), *procedures]  # (id, name)
        if show_status:
            self.fields["status"].choices = [("", _("Tất cả (All)"))] + [
                (value, status_label(value))  # in the page's language, as in the rows
                for value in DossierStatus.values
                if value != DossierStatus.DRAFT
            ]
        else:
            del self.fields["status"]

    def filters(self) -> QueueFilters:
        if not self.is_valid():
            return QueueFilters()
        data = self.cleaned_data
        return QueueFilters(
            q=data.get("q", ""),
            procedure=data.get("procedure"),
            status=data.get("status", ""),
            time_left=data.get("time_left", ""),
            channel=data.get("channel", ""),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú (Note)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonsForm(forms.Form):
    reasons = forms.CharField(
        label=_("Lý do cụ thể (Specific reasons)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Vui lòng ghi rõ lý do (a reason is required).")},
    )


class SupplementItemForm(forms.Form):
    what = forms.CharField(
        label=_("Nội dung cần bổ sung (What is missing)"), max_length=300, error_messages=REQUIRED
    )
    reason = forms.CharField(label=_("Lý do (Why)"), max_length=1000, error_messages=REQUIRED)


class _SupplementBaseFormSet(forms.BaseFormSet):
    # Django's own messages ("Please submit at least 1 form.") have no Vietnamese translation;
    # BaseFormSet merges default_error_messages along the MRO (formset_factory takes none).
    default_error_messages = {
        "too_few_forms": _(
            "Vui lòng ghi ít nhất %(num)d nội dung cần bổ sung "
            "(list at least %(num)d missing item)."
        ),
        "too_many_forms": _(
            "Chỉ ghi tối đa %(num)d nội dung cần bổ sung (list at most %(num)d items)."
        ),
    }

    def items(self) -> list[dict]:
        return [
            {"what": f.cleaned_data["what"], "reason": f.cleaned_data["reason"]}
            for f in self.forms
            if f.cleaned_data and f.has_changed()
        ]


SupplementFormSet = forms.formset_factory(
    SupplementItemForm,
    formset=_SupplementBaseFormSet,
    extra=3,
    min_num=1,
    validate_min=True,
    max_num=30,
    validate_max=True,
)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Chuyên viên xử lý (Specialist)"),
        queryset=None,
        empty_label=_("— Chọn chuyên viên (choose) —"),
        error_messages={"required": _("Vui lòng chọn chuyên viên (choose a specialist).")},
    )
    note = forms.CharField(label=_("Ghi chú (Note)"), required=False, max_length=2000)

    def __init__(self, *args, specialists, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = specialists
        self.fields["assignee"].label_from_instance = lambda u: u.full_name or u.email


class ProposeForm(forms.Form):
    draft = forms.FileField(
        label=_("Dự thảo kết quả (Draft result document)"),
        help_text=_("Tệp PDF, tối đa 10 MB (PDF, at most 10 MB)."),
        error_messages={"required": _("Vui lòng tải lên dự thảo kết quả (upload the draft).")},
    )
    note = forms.CharField(
        label=_("Ý kiến đề xuất (Proposal)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReturnResultForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Hình thức trả kết quả (How the result is handed back)"),
        choices=ResultDelivery.choices,
        widget=forms.RadioSelect,
    )
    collected_by = forms.CharField(
        label=_("Người nhận tại quầy (Collected by, at the counter)"),
        required=False,
        max_length=150,
    )
    tracking_number = forms.CharField(
        label=_("Mã vận đơn bưu chính (Postal tracking number)"), required=False, max_length=60
    )

    def clean(self):
        data = super().clean()
        method = data.get("method")
        if method == ResultDelivery.COUNTER and not data.get("collected_by", "").strip():
            self.add_error(
                "collected_by", _("Ghi tên người nhận kết quả (who collected the result).")
            )
        if method == ResultDelivery.POST and not data.get("tracking_number", "").strip():
            self.add_error("tracking_number", _("Ghi mã vận đơn (the tracking number)."))
        return data

    def delivery_data(self) -> dict:
        data = {"method": self.cleaned_data["method"]}
        if data["method"] == ResultDelivery.COUNTER:
            data["collected_by"] = self.cleaned_data["collected_by"].strip()
        if data["method"] == ResultDelivery.POST:
            data["tracking_number"] = self.cleaned_data["tracking_number"].strip()
        return data


class CounterProcedureForm(forms.Form):
    procedure = forms.ChoiceField(
        label=_("Thủ tục (Procedure)"),
        error_messages={
            "required": _("Vui lòng chọn thủ tục (choose a procedure)."),
            "invalid_choice": _(
                "Vui lòng chọn một thủ tục trong danh sách (choose a procedure from the list)."
            ),
        },
    )

    def __init__(self, *args, procedures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("— Chọn thủ tục (choose) —"))] + [
            (p.code, f"{p.code} — {p.name}") for p in procedures
        ]


class LogbookMonthForm(forms.Form):
    """The month of Mẫu 06 (Sổ theo dõi hồ sơ) to show or export (GET)."""

    month = forms.RegexField(
        label=_("Tháng (Month)"),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        help_text=_("Dạng năm-tháng, ví dụ 2026-03 (year-month, e.g. 2026-03)."),
        error_messages={
            **REQUIRED,
            "invalid": _(
                "Tháng không hợp lệ: nhập dạng năm-tháng, ví dụ 2026-03 "
                "(not a month: type year-month, e.g. 2026-03)."
            ),
        },
        widget=forms.TextInput(attrs={"type": "month", "min": "2000-01"}),
    )

    def clean_month(self) -> tuple[int, int]:
        year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
        if not 2000 <= year <= timezone.localdate().year + 1:
            raise forms.ValidationError(self.fields["month"].error_messages["invalid"])
        return year, month


class ApologyForm(forms.Form):
    """Mẫu 04: the new appointment and the reason of the delay, set by an officer when the sweep
    found the dossier late (its apology waits for a date) or when the officer foresees it."""

    new_appointment = forms.DateTimeField(
        label=_("Ngày, giờ hẹn lại trả kết quả (New appointment)"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Một ngày làm việc, trong giờ hành chính (a working day, in office hours)."),
        error_messages={
            **REQUIRED,
            "invalid": _("Ngày giờ không hợp lệ (not a date and time)."),
        },
    )
    reason = forms.CharField(
        label=_("Lý do chậm trễ (Reason for the delay)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "In trên Phiếu xin lỗi gửi người nộp (printed on the letter to the applicant)."
        ),
        error_messages={"required": _("Vui lòng ghi rõ lý do (a reason is required).")},
    )

    def __init__(self, *args, agency_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency_id = agency_id

    def clean_new_appointment(self):
        value = self.cleaned_data["new_appointment"]
        if value <= timezone.now():
            raise forms.ValidationError(
                _("Ngày hẹn mới phải sau thời điểm hiện tại (the new date must be in the future).")
            )
        local = value.astimezone(office_timezone())
        if not is_working_day(local.date(), agency_id=self.agency_id):
            raise forms.ValidationError(
                _(
                    "Ngày %(day)s là ngày nghỉ; chọn một ngày làm việc (a day off: pick a working day)."
                )
                % {"day": f"{local:%d/%m/%Y}"}
            )
        if not office_opens_at() <= local.time() < office_closes_at():
            raise forms.ValidationError(
                _("Chọn giờ từ %(opens)s đến %(closes)s (office hours).")
                % {"opens": f"{office_opens_at():%H:%M}", "closes": f"{office_closes_at():%H:%M}"}
            )
        return value


class HandoverForm(forms.Form):
    """How a Mẫu 04 that could not be e-mailed reached the applicant."""

    method = forms.ChoiceField(
        label=_("Cách trao (How)"),
        choices=Handover.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn cách trao phiếu (choose how it was delivered).")},
    )
