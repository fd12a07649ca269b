"""Turn a version's form schema into a Django form: the one place that renders citizen forms
(preview now, the dossier filing page later) and validates submissions on the server.

    form = build_form(version.form_schema, documents=version.documents.all(), data=request.POST,
                      files=request.FILES)
    if form.is_valid():
        answers = form.answers()  # JSON-serialisable; uploaded files in form.uploaded_files()

``form.layout`` lists what to render, in schema order: ``("field", bound_field)``,
``("address", spec, [bound fields])`` or ``("group", spec, formset)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms import formset_factory
from django.urls import reverse
from django.utils import translation

from portal.models import AdministrativeUnit
from portal.validators import normalize_phone, validate_cccd, validate_vn_phone
from procedures.schema import Kind, condition_holds, schema_fields
from procedures.text import vi_sort_key

YES_NO_CHOICES = [("yes", "Có (Yes)"), ("no", "Không (No)")]
DEFAULT_GROUP_ROWS = 3
REQUIRED_MESSAGE = "Vui lòng nhập thông tin này (this field is required)."


def field_label(spec: dict) -> str:
    label = spec.get("label") or ""
    return f"{label} ({spec['label_en']})" if spec.get("label_en") else label


def _condition_help(
    spec: dict, labels: dict[str, str], choice_labels: dict[str, dict[str, str]]
) -> str:
    cond = spec.get("show_if")
    if not cond:
        return ""
    values = cond["in"] if "in" in cond else [cond["equals"]]
    words = choice_labels.get(cond["field"], {})  # a choice's label, not its stored value
    shown = ", ".join(
        "Có" if v is True else "Không" if v is False else words.get(str(v), str(v)) for v in values
    )
    return f"Chỉ điền khi «{labels.get(cond['field'], cond['field'])}» là {shown} (only if shown)."


def _client_rule(cond: dict, field_name: str, *, required: bool = False) -> str:
    """The ``data-show-if`` attribute read by procedures/static/procedures/schema-form.js;
    ``required``: the control is required while shown (the script sets aria-required)."""
    values = cond["in"] if "in" in cond else [cond["equals"]]
    shown = ["yes" if v is True else "no" if v is False else str(v) for v in values]
    rule: dict[str, Any] = {"field": field_name, "values": shown}
    if required:
        rule["required"] = True
    return json.dumps(rule)


# -- address ---------------------------------------------------------------------------------------
class _Units:
    """Provinces and wards for address fields, loaded once per form build."""

    def __init__(self):
        self._provinces: list[tuple[str, str]] | None = None
        self._wards: dict[str, list[tuple[str, str]]] = {}

    def provinces(self) -> list[tuple[str, str]]:
        if self._provinces is None:
            self._provinces = sorted(
                AdministrativeUnit.objects.filter(
                    level=AdministrativeUnit.Level.PROVINCE
                ).values_list("code", "name"),
                key=lambda unit: vi_sort_key(unit[1]),
            )
        return self._provinces

    def wards(self, province: str) -> list[tuple[str, str]]:
        if province not in self._wards:
            self._wards[province] = sorted(
                AdministrativeUnit.objects.filter(parent__code=province).values_list(
                    "code", "name"
                ),
                key=lambda unit: vi_sort_key(unit[1]),
            )
        return self._wards[province]


def ward_choices(province: str) -> list[tuple[str, str]]:
    return _Units().wards(province)


# -- documents -------------------------------------------------------------------------------------
class DocumentFileField(forms.FileField):
    def __init__(self, *, file_types: list[str], max_size_mb: int, **kwargs):
        self.file_types = [t.lower().lstrip(".") for t in file_types]
        self.max_size_mb = max_size_mb
        kwargs.setdefault(
            "widget",
            forms.ClearableFileInput(attrs={"accept": ",".join(f".{t}" for t in self.file_types)}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            suffix = PurePath(value.name).suffix.lower().lstrip(".")
            if suffix not in self.file_types:
                raise ValidationError(
                    "Định dạng tệp không được chấp nhận; chỉ nhận %(types)s (file type not accepted).",
                    code="file_type",
                    params={"types": ", ".join(self.file_types).upper()},
                )
            if value.size > self.max_size_mb * 1024 * 1024:
                raise ValidationError(
                    "Tệp lớn hơn %(mb)s MB (file too large).",
                    code="file_size",
                    params={"mb": self.max_size_mb},
                )
        return value


def _document_help(doc) -> str:
    """In Vietnamese, as the rest of the procedure's own form, whatever the page's language."""
    with translation.override("vi"):
        kind = doc.get_form_display()
    parts = [kind, f"{doc.copies} bản"]
    parts.append(
        ", ".join(t.upper() for t in doc.accepted_types) + f", tối đa {doc.max_size_mb} MB"
    )
    return "; ".join(parts)


# -- one field -------------------------------------------------------------------------------------
def _make_field(spec: dict, *, required: bool, documents: dict, units: _Units, data_province):
    """Return a Django field (or, for an address, a dict of sub-fields)."""
    kind = spec["kind"]
    common = {"label": field_label(spec), "help_text": spec.get("help", ""), "required": required}
    common["error_messages"] = {"required": REQUIRED_MESSAGE}
    if kind == Kind.TEXT:
        return forms.CharField(
            max_length=spec.get("max_length", 255), min_length=spec.get("min_length"), **common
        )
    if kind == Kind.TEXTAREA:
        return forms.CharField(
            max_length=spec.get("max_length", 2000),
            widget=forms.Textarea(attrs={"rows": 4}),
            **common,
        )
    if kind == Kind.NUMBER:
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == Kind.DATE:
        validators = []
        if spec.get("past_only"):
            validators.append(_not_future)
        if spec.get("future_only"):
            validators.append(_not_past)
        return forms.DateField(
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            validators=validators,
            **common,
        )
    if kind == Kind.CHOICE:
        choices = [
            (c["value"], f"{c['label']} ({c['label_en']})" if c.get("label_en") else c["label"])
            for c in spec["choices"]
        ]
        if spec.get("multiple"):
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if spec.get("widget") == "radio":
            return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
        return forms.ChoiceField(choices=[("", "— Chọn (choose) —"), *choices], **common)
    if kind == Kind.YES_NO:
        return forms.TypedChoiceField(
            choices=YES_NO_CHOICES,
            coerce=lambda v: v == "yes",
            empty_value=None,
            widget=forms.RadioSelect,
            **common,
        )
    if kind == Kind.EMAIL:
        return forms.EmailField(
            widget=forms.EmailInput(attrs={"autocomplete": "email"}), max_length=254, **common
        )
    if kind == Kind.PHONE:
        return PhoneField(
            max_length=20,
            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
            **common,
        )
    if kind == Kind.CCCD:
        return forms.CharField(
            max_length=12,
            min_length=None,
            validators=[validate_cccd],
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            **common,
        )
    if kind == Kind.ADDRESS:
        fixed = spec.get("province")
        province = fixed or data_province or "79"
        fields = {}
        if not fixed:
            fields["province"] = forms.ChoiceField(
                label="Tỉnh/Thành phố (Province)",
                choices=[("", "— Chọn (choose) —"), *units.provinces()],
                required=required,
                initial="79",
                error_messages=common["error_messages"],
            )
        fields["ward"] = forms.ChoiceField(
            label="Phường/Xã/Đặc khu (Ward)",
            choices=[("", "— Chọn (choose) —"), *units.wards(province)],
            required=required,
            error_messages={
                **common["error_messages"],
                "invalid_choice": "Phường/xã không thuộc tỉnh/thành phố đã chọn (ward not in province).",
            },
        )
        fields["street"] = forms.CharField(
            label="Số nhà, đường, tổ/ấp (Street address)",
            max_length=200,
            required=required,
            error_messages=common["error_messages"],
        )
        return fields
    if kind == Kind.DOCUMENT:
        doc = documents.get(spec["document"])
        if doc is None:
            return forms.FileField(
                label=spec.get("label") or spec["document"], required=False, disabled=True
            )
        help_text = spec.get("help") or _document_help(doc)
        return DocumentFileField(
            file_types=doc.accepted_types,
            max_size_mb=doc.max_size_mb,
            label=field_label(spec) if spec.get("label") else doc.name,
            help_text=help_text,
            required=required and doc.required,
            error_messages={"required": "Vui lòng đính kèm giấy tờ này (document required)."},
        )
    raise ValueError(f"unknown kind {kind!r}")  # schema_validate prevents this


class PhoneField(forms.CharField):
    default_validators = [validate_vn_phone]

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value) if value else value


def _not_future(value: dt.date) -> None:
    if value > dt.date.today():
        raise ValidationError("Ngày không được ở tương lai (date cannot be in the future).")


def _not_past(value: dt.date) -> None:
    if value < dt.date.today():
        raise ValidationError("Ngày không được ở quá khứ (date cannot be in the past).")


# -- forms -----------------------------------------------------------------------------------------
class _SchemaFieldsMixin:
    """Adds the fields of a list of specs; conditional and address logic in ``clean``."""

    specs: list[dict]

    def _add_fields(self, specs, *, documents, units):
        self.specs = specs
        self._units = units
        self._documents = documents
        self._labels = {s["name"]: s.get("label", s["name"]) for s in specs if "name" in s}
        self._choice_labels = {
            s["name"]: {c["value"]: c["label"] for c in s["choices"]}
            for s in specs
            if s.get("kind") == Kind.CHOICE and "name" in s
        }
        self._address_parts: dict[str, list[str]] = {}
        for spec in specs:
            if spec["kind"] == Kind.GROUP:
                continue
            name = spec["name"]
            data_province = None
            if self.is_bound and spec["kind"] == Kind.ADDRESS:
                data_province = self.data.get(self.add_prefix(f"{name}__province"))
            # A conditional field is checked for "required" in clean(), once we know it is shown.
            made = _make_field(
                spec,
                # A document slot follows its document's "required" unless the schema says no.
                required=bool(spec.get("required", spec["kind"] == Kind.DOCUMENT))
                and not spec.get("show_if"),
                documents=documents,
                units=units,
                data_province=data_province,
            )
            parts = made.values() if isinstance(made, dict) else [made]
            if spec.get("show_if"):
                # Required once shown: the label gets the "*" of a required field
                # (templates/procedures/_schema_field.html) and schema-form.js sets
                # aria-required on the control while it is shown. The server's check stays
                # in _clean_schema().
                required_when_shown = self._required_when_shown(spec)
                for field in parts:
                    field.required_when_shown = required_when_shown
                    field.widget.attrs["data-show-if"] = _client_rule(
                        spec["show_if"],
                        self.add_prefix(spec["show_if"]["field"]),
                        required=required_when_shown
                        # One box of a multiple choice is not itself required (Django puts no
                        # "required" on such boxes either); the legend's "*" says it.
                        and not isinstance(field.widget, forms.CheckboxSelectMultiple),
                    )
            if isinstance(made, dict):
                if "province" in made:  # htmx refreshes the ward list when the province changes
                    made["province"].widget.attrs.update(
                        {
                            "hx-get": reverse("procedures:address_wards"),
                            "hx-trigger": "change",
                            "hx-target": f"#id_{self.add_prefix(name)}__ward",
                            "hx-swap": "innerHTML",
                        }
                    )
                self._address_parts[name] = []
                for part, field in made.items():
                    key = f"{name}__{part}"
                    self.fields[key] = field
                    self._address_parts[name].append(key)
            else:
                extra_help = _condition_help(spec, self._labels, self._choice_labels)
                if extra_help:
                    made.help_text = f"{made.help_text} {extra_help}".strip()
                self.fields[name] = made

    def _required_when_shown(self, spec: dict) -> bool:
        if spec["kind"] == Kind.DOCUMENT:
            doc = self._documents.get(spec["document"])
            return bool(spec.get("required", True) and doc is not None and doc.required)
        return bool(spec.get("required"))

    def _field_names(self, name: str) -> list[str]:
        return self._address_parts.get(name, [name])

    def _clean_schema(self, cleaned: dict) -> dict:
        # Combine address parts into one value.
        for name, parts in self._address_parts.items():
            if any(p in self.errors for p in parts):
                continue
            value = {p.split("__", 1)[1]: cleaned.pop(p, "") for p in parts}
            if not any(value.values()):
                cleaned[name] = None
                continue
            spec = next(s for s in self.specs if s["name"] == name)
            value.setdefault("province", spec.get("province") or "79")
            value["province_name"] = dict(self._units.provinces()).get(value["province"], "")
            value["ward_name"] = dict(self._units.wards(value["province"])).get(value["ward"], "")
            cleaned[name] = value
        # Drop fields whose condition does not hold; require visible required ones.
        for spec in self.specs:
            name = spec["name"]
            cond = spec.get("show_if")
            if not cond:
                continue
            if not condition_holds(cond, cleaned):
                for key in self._field_names(name):
                    self.errors.pop(key, None)
                    cleaned.pop(key, None)
                cleaned.pop(name, None)
            elif self._required_when_shown(spec) and not any(
                k in self.errors for k in self._field_names(name)
            ):
                value = cleaned.get(name)
                if value in (None, "", [], {}):
                    self.add_error(self._field_names(name)[0], REQUIRED_MESSAGE)
                elif name in self._address_parts:
                    # Every part, as for an address that is always required (and as each
                    # part's "*" says).
                    for key in self._address_parts[name]:
                        if not value.get(key.split("__", 1)[1]):
                            self.add_error(key, REQUIRED_MESSAGE)
        return cleaned


class GroupRowForm(_SchemaFieldsMixin, forms.Form):
    def __init__(self, *args, specs=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_fields(specs, documents={}, units=units)

    def clean(self):
        return self._clean_schema(super().clean())


class SchemaForm(_SchemaFieldsMixin, forms.Form):
    """A form built from a schema; groups are formsets held beside the plain fields."""

    def __init__(
        self,
        data=None,
        files=None,
        *,
        schema: dict,
        documents: Iterable = (),
        prefix: str | None = None,
        initial: dict | None = None,
    ):
        super().__init__(data, files, prefix=prefix, initial=initial)
        self.schema = schema or {}
        specs = schema_fields(self.schema)
        self.documents = {d.key: d for d in documents}
        self._units = _Units()
        self._add_fields(specs, documents=self.documents, units=self._units)
        self.groups: dict[str, forms.BaseFormSet] = {}
        for spec in specs:
            if spec["kind"] == Kind.GROUP:
                self.groups[spec["name"]] = self._make_formset(spec, data, initial)

    def _make_formset(self, spec: dict, data, initial):
        low, high = spec.get("min_items", 0), spec.get("max_items", 10)
        rows = (initial or {}).get(spec["name"]) or []
        extra = max(0, min(high, max(low, DEFAULT_GROUP_ROWS)) - max(len(rows), low))
        formset_class = formset_factory(
            GroupRowForm,
            extra=extra,
            min_num=low,
            max_num=high,
            absolute_max=high,
            validate_min=True,
            validate_max=True,
        )
        prefix = self.add_prefix(spec["name"])
        label = (spec.get("label") or spec["name"]).replace("%", "%%")  # formatted with % later
        return formset_class(
            data,
            prefix=prefix,
            initial=rows or None,
            form_kwargs={"specs": spec["fields"], "units": self._units},
            # The procedure's form is Vietnamese (Django's own words were English here).
            error_messages={
                "too_few_forms": f"«{label}»: cần ít nhất %(num)d dòng (at least %(num)d).",
                "too_many_forms": f"«{label}»: tối đa %(num)d dòng (at most %(num)d).",
            },
        )

    @property
    def layout(self) -> list[tuple]:
        items = []
        for spec in self.specs:
            name = spec["name"]
            if spec["kind"] == Kind.GROUP:
                items.append(("group", spec, self.groups[name]))
            elif name in self._address_parts:
                items.append(("address", spec, [self[k] for k in self._address_parts[name]]))
            else:
                items.append(("field", spec, self[name]))
        return items

    def clean(self):
        return self._clean_schema(super().clean())

    def is_valid(self) -> bool:
        valid = super().is_valid()
        for spec in self.specs:
            if spec["kind"] != Kind.GROUP:
                continue
            formset = self.groups[spec["name"]]
            shown = not self.is_bound or condition_holds(spec.get("show_if"), self.cleaned_data)
            if shown and not formset.is_valid():
                valid = False
        return valid

    def note_files_not_kept(self, kept: Iterable[str] = ()) -> None:
        """For a form shown again after a failed post: a file chosen in a document field that
        has no error of its own was not stored, and a browser cannot choose it again by itself;
        say so next to the field, with the file's name (nothing is dropped silently). ``kept``:
        fields whose file the page keeps for its next post (dossiers/held_uploads.py)."""
        for spec in self.specs:
            name = spec["name"]
            if spec["kind"] != Kind.DOCUMENT or name in self.errors or not self.files:
                continue
            if name in kept:
                continue
            upload = self.files.get(self.add_prefix(name))
            if upload:
                message = translation.gettext(
                    "Tệp «%(name)s» chưa được lưu vì biểu mẫu còn lỗi: vui lòng chọn lại tệp này "
                    "(the file was not saved because the form has errors; choose it again)."
                ) % {"name": PurePath(upload.name or "").name[:100]}
                self.add_error(name, ValidationError(message, code="not_kept"))

    def group_errors(self) -> list[dict[str, str]]:
        """The errors of the groups' rows, for the error summary (``portal/_form_errors.html``):
        ``{"id": <the field's id>, "label": "<group> – dòng 2 – <field>", "error": …}``; a
        group's own errors (too few rows) point to its first row. Hidden groups have none."""
        items: list[dict[str, str]] = []
        values = getattr(self, "cleaned_data", {})
        for spec in self.specs:
            if spec["kind"] != Kind.GROUP:
                continue
            formset = self.groups[spec["name"]]
            if not formset.is_bound or not condition_holds(spec.get("show_if"), values):
                continue
            row_word = translation.gettext("dòng")
            first_ids = [next((b.id_for_label for b in row), "") for row in formset.forms]
            for number, row in enumerate(formset.forms, start=1):
                where = f"{field_label(spec)} – {row_word} {number}"
                for bound in row:
                    for error in bound.errors:
                        label = f"{where} – {bound.label}"
                        items.append({"id": bound.id_for_label, "label": label, "error": error})
                for error in row.non_field_errors():
                    items.append({"id": first_ids[number - 1], "label": where, "error": error})
            for error in formset.non_form_errors():
                first = first_ids[0] if first_ids else ""
                items.append({"id": first, "label": field_label(spec), "error": error})
        return items

    def answers(self) -> dict[str, Any]:
        """The cleaned answers as JSON-friendly data (dates ISO, files by name)."""
        out: dict[str, Any] = {}
        for spec in self.specs:
            name = spec["name"]
            if spec["kind"] == Kind.GROUP:
                if not condition_holds(spec.get("show_if"), self.cleaned_data):
                    continue
                # Every row with an answer: a row shown filled in (initial: the answers being
                # corrected after a supplement request) counts as much as a row typed now. Blank
                # extra rows have no cleaned data; a row emptied by its owner is left out.
                rows = [
                    {k: _jsonable(v) for k, v in f.cleaned_data.items()}
                    for f in self.groups[name].forms
                    if any(v not in (None, "", []) for v in (f.cleaned_data or {}).values())
                ]
                out[name] = rows
            elif name in self.cleaned_data:
                out[name] = _jsonable(self.cleaned_data[name])
        return out

    def uploaded_files(self) -> dict[str, UploadedFile]:
        return {
            spec["document"]: self.cleaned_data[spec["name"]]
            for spec in self.specs
            if spec["kind"] == Kind.DOCUMENT
            and isinstance(self.cleaned_data.get(spec["name"]), UploadedFile)
        }


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, UploadedFile):
        return value.name
    return value


def build_form(
    schema: dict,
    *,
    documents: Iterable = (),
    data=None,
    files=None,
    prefix: str | None = None,
    initial: dict | None = None,
) -> SchemaForm:
    """The Django form for a schema (unbound when ``data`` is None)."""
    return SchemaForm(
        data, files, schema=schema, documents=documents, prefix=prefix, initial=initial
    )
