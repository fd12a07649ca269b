"""Forms of the citizen filing flow (nộp hồ sơ trực tuyến).

The procedure's own fields come from ``procedures.forms_builder.build_form``; the forms here are
the steps every dossier has: the applicant, uploads, the receiving agency, result delivery and
the declaration.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dossiers.models import ResultDelivery
from portal.validators import normalize_phone, validate_cccd, validate_vn_phone

# The words of procedures.forms_builder.REQUIRED_MESSAGE, translated: the procedure's own form
# stays Vietnamese, these forms follow the page's language.
REQUIRED = {"required": _("Vui lòng nhập thông tin này (this field is required).")}
DECLARATION_TEXT = _(
    "Tôi xin cam đoan những thông tin đã khai trên là đúng sự thật và chịu trách nhiệm trước "
    "pháp luật về lời khai của mình (I declare that the information above is true and I am "
    "responsible before the law for what I have declared)."
)


class ApplicantForm(forms.Form):
    """Người nộp hồ sơ: prefilled from the profile, editable for this dossier."""

    full_name = forms.CharField(
        label=_("Họ và tên (Full name)"),
        max_length=150,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    citizen_id = forms.CharField(
        label=_("Số định danh cá nhân / CCCD (Citizen ID)"),
        max_length=12,
        validators=[validate_cccd],
        error_messages={
            **REQUIRED,
            "max_length": _("Số CCCD phải gồm đúng 12 chữ số (CCCD must be exactly 12 digits)."),
        },
        help_text=_("12 chữ số trên thẻ Căn cước (12 digits on your ID card)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    date_of_birth = forms.DateField(
        label=_("Ngày sinh (Date of birth)"),
        error_messages={**REQUIRED, "invalid": _("Ngày không hợp lệ (enter a valid date).")},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Số điện thoại di động (Mobile phone)"),
        max_length=20,
        validators=[validate_vn_phone],
        error_messages=REQUIRED,
        help_text=_("Ví dụ 0912345678 (e.g. 0912345678)."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử (Email)"),
        max_length=254,
        error_messages={
            **REQUIRED,
            "invalid": _("Địa chỉ thư điện tử không hợp lệ (enter a valid email address)."),
        },
        help_text=_("Thông báo về hồ sơ được gửi tới địa chỉ này (updates go to this address)."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    address = forms.CharField(
        label=_("Địa chỉ liên hệ (Address)"),
        max_length=255,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        cccd, dob = cleaned.get("citizen_id"), cleaned.get("date_of_birth")
        if cccd and dob and "citizen_id" not in self.errors:
            try:
                validate_cccd(cccd, date_of_birth=dob)
            except ValidationError as exc:
                self.add_error("citizen_id", exc)
        return cleaned

    def snapshot(self) -> dict:
        data = dict(self.cleaned_data)
        data["date_of_birth"] = data["date_of_birth"].isoformat()
        return data


class AgencyForm(forms.Form):
    """Cơ quan tiếp nhận: any agency offering the procedure (not only the citizen's own ward)."""

    agency = forms.ModelChoiceField(
        queryset=None,
        label=_("Cơ quan tiếp nhận hồ sơ (Receiving agency)"),
        empty_label=_("— Chọn cơ quan (choose an agency) —"),
        error_messages={
            "required": _("Vui lòng chọn cơ quan tiếp nhận (choose a receiving agency)."),
            "invalid_choice": _(
                "Cơ quan này không tiếp nhận thủ tục này (this agency does not "
                "offer the procedure)."
            ),
        },
        help_text=_(
            "Bạn có thể nộp tại bất kỳ cơ quan nào trong danh sách, không cần đúng nơi cư "
            "trú (any agency in the list, not only your own ward)."
        ),
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies


class DeliveryForm(forms.Form):
    """Hình thức nhận kết quả."""

    result_delivery = forms.ChoiceField(
        label=_("Hình thức nhận kết quả (How to receive the result)"),
        widget=forms.RadioSelect,
        error_messages={
            **REQUIRED,
            "invalid_choice": _("Vui lòng chọn một hình thức trong danh sách (choose an option)."),
        },
    )
    delivery_address = forms.CharField(
        label=_("Địa chỉ nhận kết quả qua bưu chính (Postal address)"),
        max_length=300,
        required=False,
        help_text=_("Chỉ cần khi nhận qua bưu chính (only for delivery by post)."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )

    def __init__(self, *args, online_result: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(ResultDelivery.choices)
        if not online_result:  # một phần: the result is collected, not downloaded
            choices = [c for c in choices if c[0] != ResultDelivery.ONLINE]
        self.fields["result_delivery"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("result_delivery") == ResultDelivery.POST:
            if not (cleaned.get("delivery_address") or "").strip():
                self.add_error(
                    "delivery_address",
                    _(
                        "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính (enter the postal address)."
                    ),
                )
        else:
            cleaned["delivery_address"] = ""
        return cleaned


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Chọn tệp (Choose a file)"),
        error_messages={
            "required": _("Vui lòng chọn một tệp để tải lên (choose a file)."),
            "empty": _("Tệp rỗng (0 byte), vui lòng chọn lại tệp (the file is empty)."),
        },
        allow_empty_file=True,  # an empty file gets the message of dossiers.uploads
    )


def reuse_label(doc) -> str:
    """How an earlier document is offered for reuse: name, dossier code (or draft), date."""
    where = doc.dossier.code or gettext("hồ sơ nháp (draft)")
    return f"{doc.original_name} — {where}, {timezone.localtime(doc.created_at):%d/%m/%Y}"


class DeclarationForm(forms.Form):
    declaration = forms.BooleanField(
        label=DECLARATION_TEXT,
        error_messages={
            "required": _("Vui lòng đánh dấu ô cam đoan trước khi nộp (tick the declaration).")
        },
    )
