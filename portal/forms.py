from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.validators import normalize_phone, validate_cccd


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "date_of_birth", "citizen_id", "phone", "address"]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "citizen_id": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "address": forms.TextInput(attrs={"autocomplete": "street-address"}),
        }
        help_texts = {
            "citizen_id": _("12 chữ số trên thẻ Căn cước / CCCD (12 digits on your ID card)."),
            "phone": _("Số di động, ví dụ 0912345678 (mobile number)."),
        }

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data["phone"]) if self.cleaned_data["phone"] else ""

    def clean(self):
        cleaned = super().clean()
        cccd, dob = cleaned.get("citizen_id"), cleaned.get("date_of_birth")
        if cccd and dob and "citizen_id" not in self.errors:
            try:
                validate_cccd(cccd, date_of_birth=dob)
            except ValidationError as exc:
                self.add_error("citizen_id", exc)
        return cleaned


def error_summary_items(*forms_) -> list[dict[str, str]]:
    """The errors of further forms of a page for its error summary (``portal/_form_errors.html``,
    ``more``): ``{"id": <the field's id, "" for a form's own error>, "label", "error"}``."""
    items: list[dict[str, str]] = []
    for form in forms_:
        items += [{"id": "", "label": "", "error": e} for e in form.non_field_errors()]
        for field in form.visible_fields():
            target = f"{field.auto_id}_0" if field.use_fieldset else field.id_for_label
            items += [{"id": target, "label": field.label, "error": e} for e in field.errors]
    return items
