"""The form definition of a procedure version: a small declarative schema (JSON).

Shape::

    {
      "fields": [
        {"name": "child_name", "kind": "text", "label": "Họ, chữ đệm, tên của trẻ",
         "label_en": "Child's full name", "help": "Viết in hoa có dấu", "required": true},
        {"name": "has_father", "kind": "yes_no", "label": "Có thông tin người cha"},
        {"name": "father_name", "kind": "text", "label": "Họ tên cha",
         "show_if": {"field": "has_father", "equals": true}},
        {"name": "members", "kind": "group", "label": "Thành viên gia đình",
         "min_items": 0, "max_items": 6, "fields": [...]},
        {"name": "birth_cert", "kind": "document", "document": "giay_chung_sinh",
         "label": "Giấy chứng sinh"}
      ]
    }

Every field has ``name`` (a-z, 0-9, _), ``kind``, ``label`` (Vietnamese) and optionally
``label_en``, ``help``, ``required`` (default false) and ``show_if`` (``{"field": …, "equals": …}``
or ``{"field": …, "in": [...]}``, naming an earlier field of the same list or of the top level)
and ``prefill``: a top-level text, date, phone, email or Citizen ID field may name a value of the
filing's applicant step (``PREFILL_SOURCES``) that it starts with, so the requester's details of
an official form are not typed twice. A top-level number field may say ``"fee_units": true``:
its answer is the number of copies or pages a per-unit fee is charged for (one such field).
Kind-specific keys are listed in ``KIND_KEYS``. ``schema_validate`` raises a ``ValidationError``
whose messages name the bad field by its path (``fields[2] "child_dob"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError


class Kind:
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    DATE = "date"
    CHOICE = "choice"
    YES_NO = "yes_no"
    EMAIL = "email"
    PHONE = "phone"
    CCCD = "cccd"
    ADDRESS = "address"
    GROUP = "group"
    DOCUMENT = "document"


KIND_LABELS = {
    Kind.TEXT: "Văn bản ngắn (Text)",
    Kind.TEXTAREA: "Văn bản dài (Long text)",
    Kind.NUMBER: "Số (Number)",
    Kind.DATE: "Ngày (Date)",
    Kind.CHOICE: "Lựa chọn (Choice)",
    Kind.YES_NO: "Có/Không (Yes/no)",
    Kind.EMAIL: "Thư điện tử (Email)",
    Kind.PHONE: "Số điện thoại (Vietnamese phone)",
    Kind.CCCD: "Số CCCD (Citizen ID)",
    Kind.ADDRESS: "Địa chỉ (Address)",
    Kind.GROUP: "Nhóm lặp lại (Repeatable group)",
    Kind.DOCUMENT: "Giấy tờ đính kèm (Document slot)",
}

COMMON_KEYS = frozenset(
    {"name", "kind", "label", "label_en", "help", "required", "show_if", "prefill"}
)
# What a field may start with (``"prefill"``): a field of the filing's applicant step, into a
# field of a kind that accepts its value.
PREFILL_SOURCES: dict[str, frozenset[str]] = {
    "full_name": frozenset({Kind.TEXT}),
    "citizen_id": frozenset({Kind.CCCD, Kind.TEXT}),
    "date_of_birth": frozenset({Kind.DATE}),
    "phone": frozenset({Kind.PHONE, Kind.TEXT}),
    "email": frozenset({Kind.EMAIL, Kind.TEXT}),
}
KIND_KEYS: dict[str, frozenset[str]] = {
    Kind.TEXT: frozenset({"max_length", "min_length"}),
    Kind.TEXTAREA: frozenset({"max_length"}),
    Kind.NUMBER: frozenset({"min", "max", "fee_units"}),
    Kind.DATE: frozenset({"past_only", "future_only"}),
    Kind.CHOICE: frozenset({"choices", "multiple", "widget"}),
    Kind.YES_NO: frozenset(),
    Kind.EMAIL: frozenset(),
    Kind.PHONE: frozenset(),
    Kind.CCCD: frozenset(),
    Kind.ADDRESS: frozenset({"province"}),
    Kind.GROUP: frozenset({"fields", "min_items", "max_items"}),
    Kind.DOCUMENT: frozenset({"document"}),
}
# Kinds a repeatable group may contain (no nested groups, documents belong to the dossier).
GROUP_CHILD_KINDS = frozenset(KIND_KEYS) - {Kind.GROUP, Kind.DOCUMENT}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_FIELDS = 200
MAX_GROUP_ITEMS = 50


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker:
    def __init__(self, document_keys: Iterable[str] | None):
        self.errors: list[str] = []
        self.document_keys = set(document_keys) if document_keys is not None else None
        self.total = 0
        self.fee_units: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    def check_list(self, fields: Any, path: str, *, outer: dict[str, dict], in_group: bool) -> None:
        if not isinstance(fields, list):
            self.error(path, "phải là một danh sách (must be a list)")
            return
        seen: dict[str, dict] = {}
        for index, spec in enumerate(fields):
            self.total += 1
            where = f"{path}[{index}]"
            if not isinstance(spec, dict):
                self.error(where, "phải là một đối tượng (must be an object)")
                continue
            name = spec.get("name")
            if isinstance(name, str):
                where = f'{where} "{name}"'
            self.check_field(spec, where, in_group=in_group, earlier={**outer, **seen})
            if isinstance(name, str) and NAME_RE.match(name):
                if name in seen:
                    self.error(where, f'tên "{name}" bị trùng (duplicate name)')
                seen[name] = spec

    def check_field(self, spec: dict, where: str, *, in_group: bool, earlier: dict) -> None:
        name, kind = spec.get("name"), spec.get("kind")
        if not isinstance(name, str) or not NAME_RE.match(name):
            self.error(
                where,
                "thiếu hoặc sai tên trường: chữ thường, số, dấu gạch dưới, bắt đầu bằng chữ "
                "(name must match [a-z][a-z0-9_]*)",
            )
        if kind not in KIND_KEYS:
            self.error(
                where, f'loại "{kind}" không hợp lệ (unknown kind); dùng {sorted(KIND_KEYS)}'
            )
            return
        if in_group and kind not in GROUP_CHILD_KINDS:
            self.error(
                where, f'nhóm lặp lại không chứa được loại "{kind}" (not allowed in a group)'
            )
        unknown = set(spec) - COMMON_KEYS - KIND_KEYS[kind]
        if unknown:
            self.error(where, f"khóa không hợp lệ (unknown keys): {', '.join(sorted(unknown))}")
        if (kind != Kind.DOCUMENT or "label" in spec) and (
            not isinstance(spec.get("label"), str) or not spec["label"].strip()
        ):
            self.error(where, "thiếu nhãn tiếng Việt (label is required)")
        for key in ("label_en", "help"):
            if key in spec and not isinstance(spec[key], str):
                self.error(where, f'"{key}" phải là chuỗi (must be a string)')
        if "required" in spec and not isinstance(spec["required"], bool):
            self.error(where, '"required" phải là true/false (must be a boolean)')
        getattr(self, f"check_{kind}")(spec, where)
        if "prefill" in spec:
            self.check_prefill(spec, where, in_group=in_group)
        if "fee_units" in spec:
            if not isinstance(spec["fee_units"], bool):
                self.error(where, '"fee_units" phải là true/false (must be a boolean)')
            elif spec["fee_units"] and in_group:
                self.error(where, '"fee_units" không dùng trong nhóm (not inside a group)')
            elif spec["fee_units"] and spec.get("kind") == Kind.NUMBER:
                self.fee_units.append(where)
        if "show_if" in spec:
            self.check_condition(spec["show_if"], where, earlier)

    def check_prefill(self, spec, where, *, in_group):
        source = spec["prefill"]
        if not isinstance(source, str) or source not in PREFILL_SOURCES:
            self.error(
                where,
                f'"prefill" phải là một trong (must be one of) {sorted(PREFILL_SOURCES)}',
            )
        elif in_group or spec["kind"] not in PREFILL_SOURCES[source]:
            kinds = ", ".join(sorted(PREFILL_SOURCES[source]))
            self.error(
                where,
                f'"prefill": "{source}" chỉ dùng cho trường ngoài nhóm loại {kinds} '
                f"(only for top-level fields of kind {kinds})",
            )

    # -- kinds -----------------------------------------------------------------------------------
    def _int_key(self, spec, where, key, *, minimum=0):
        if key in spec and (not _is_int(spec[key]) or spec[key] < minimum):
            self.error(where, f'"{key}" phải là số nguyên ≥ {minimum} (must be an integer)')

    def check_text(self, spec, where):
        self._int_key(spec, where, "max_length", minimum=1)
        self._int_key(spec, where, "min_length", minimum=0)
        low, high = spec.get("min_length"), spec.get("max_length")
        if _is_int(low) and _is_int(high) and low > high:
            self.error(where, "min_length > max_length")

    def check_textarea(self, spec, where):
        self._int_key(spec, where, "max_length", minimum=1)

    def check_number(self, spec, where):
        for key in ("min", "max"):
            if key in spec and not _is_int(spec[key]):
                self.error(where, f'"{key}" phải là số nguyên (must be an integer)')
        if _is_int(spec.get("min")) and _is_int(spec.get("max")) and spec["min"] > spec["max"]:
            self.error(where, "min > max")

    def check_date(self, spec, where):
        for key in ("past_only", "future_only"):
            if key in spec and not isinstance(spec[key], bool):
                self.error(where, f'"{key}" phải là true/false (must be a boolean)')
        if spec.get("past_only") and spec.get("future_only"):
            self.error(where, "past_only và future_only không dùng cùng nhau")

    def check_choice(self, spec, where):
        choices = spec.get("choices")
        if not isinstance(choices, list) or not choices:
            self.error(where, 'cần danh sách "choices" không rỗng (choices are required)')
            return
        values = []
        for i, choice in enumerate(choices):
            if (
                not isinstance(choice, dict)
                or not isinstance(choice.get("value"), str)
                or not choice["value"]
                or not isinstance(choice.get("label"), str)
                or set(choice) - {"value", "label", "label_en"}
            ):
                self.error(
                    where, f'choices[{i}] phải có "value" và "label" (needs value and label)'
                )
                continue
            values.append(choice["value"])
        if len(values) != len(set(values)):
            self.error(where, "giá trị lựa chọn bị trùng (duplicate choice values)")
        if "multiple" in spec and not isinstance(spec["multiple"], bool):
            self.error(where, '"multiple" phải là true/false')
        if "widget" in spec and spec["widget"] not in ("select", "radio"):
            self.error(where, '"widget" là "select" hoặc "radio"')

    def check_yes_no(self, spec, where):
        pass

    def check_email(self, spec, where):
        pass

    def check_phone(self, spec, where):
        pass

    def check_cccd(self, spec, where):
        pass

    def check_address(self, spec, where):
        province = spec.get("province")
        if province is not None and (
            not isinstance(province, str) or not re.match(r"^\d{2}$", province)
        ):
            self.error(where, '"province" là mã tỉnh 2 chữ số, ví dụ "79" (province code)')

    def check_group(self, spec, where):
        self._int_key(spec, where, "min_items", minimum=0)
        self._int_key(spec, where, "max_items", minimum=1)
        low, high = spec.get("min_items", 0), spec.get("max_items", 10)
        if _is_int(low) and _is_int(high) and (low > high or high > MAX_GROUP_ITEMS):
            self.error(where, f"cần 0 ≤ min_items ≤ max_items ≤ {MAX_GROUP_ITEMS}")
        children = spec.get("fields")
        if not isinstance(children, list) or not children:
            self.error(where, 'nhóm cần danh sách "fields" không rỗng (group needs fields)')
            return
        self.check_list(children, f"{where}.fields", outer={}, in_group=True)

    def check_document(self, spec, where):
        key = spec.get("document")
        if not isinstance(key, str) or not key:
            self.error(where, 'cần "document": mã thành phần hồ sơ (document key is required)')
        elif self.document_keys is not None and key not in self.document_keys:
            self.error(
                where,
                f'giấy tờ "{key}" không có trong thành phần hồ sơ (not among the required documents)',
            )

    def check_condition(self, cond: Any, where: str, earlier: dict[str, dict]) -> None:
        if not isinstance(cond, dict) or not isinstance(cond.get("field"), str):
            self.error(where, '"show_if" cần {"field": ..., "equals": ...} hoặc "in"')
            return
        if set(cond) - {"field", "equals", "in"} or (("equals" in cond) == ("in" in cond)):
            self.error(where, '"show_if" cần đúng một trong "equals" hoặc "in"')
            return
        target = earlier.get(cond["field"])
        if target is None:
            self.error(
                where,
                f'"show_if" tham chiếu trường "{cond["field"]}" chưa khai báo trước đó '
                "(must name an earlier field)",
            )
            return
        values = cond["in"] if "in" in cond else [cond["equals"]]
        if not isinstance(values, list) or not values:
            self.error(where, '"in" phải là danh sách không rỗng')
            return
        kind = target.get("kind")
        if kind == Kind.YES_NO:
            if not all(isinstance(v, bool) for v in values):
                self.error(where, '"show_if" với trường có/không cần giá trị true/false')
        elif kind == Kind.CHOICE:
            allowed = {c.get("value") for c in target.get("choices") or [] if isinstance(c, dict)}
            bad = [v for v in values if v not in allowed]
            if bad:
                self.error(where, f'"show_if" dùng giá trị không có trong lựa chọn: {bad}')
        elif kind in (Kind.GROUP, Kind.DOCUMENT, Kind.ADDRESS):
            self.error(where, f'"show_if" không dựa được vào trường loại "{kind}"')


def schema_errors(schema: Any, *, document_keys: Iterable[str] | None = None) -> list[str]:
    """Every problem of a schema, each message starting with the path of the bad field."""
    if schema in (None, {}):
        return []
    if not isinstance(schema, dict):
        return ["schema: phải là một đối tượng JSON (must be a JSON object)"]
    checker = _Checker(document_keys)
    unknown = set(schema) - {"fields"}
    if unknown:
        checker.error("schema", f"khóa không hợp lệ (unknown keys): {', '.join(sorted(unknown))}")
    checker.check_list(schema.get("fields", []), "fields", outer={}, in_group=False)
    if checker.total > MAX_FIELDS:
        checker.error("fields", f"quá {MAX_FIELDS} trường (too many fields)")
    for where in checker.fee_units[1:]:
        checker.error(where, '"fee_units": chỉ một trường tính phí (only one field counts the fee)')
    return checker.errors


def fee_units_field(schema: Any) -> str | None:
    """The name of the number field whose answer a per-unit fee is charged for, if any."""
    for spec in (schema or {}).get("fields", []) if isinstance(schema, dict) else []:
        if isinstance(spec, dict) and spec.get("kind") == Kind.NUMBER and spec.get("fee_units"):
            return spec.get("name")
    return None


def schema_validate(schema: Any, *, document_keys: Iterable[str] | None = None) -> None:
    """Raise a ``ValidationError`` naming each bad field (used on save and on publish)."""
    errors = schema_errors(schema, document_keys=document_keys)
    if errors:
        raise ValidationError(
            [ValidationError(message, code="schema") for message in errors],
        )


def schema_fields(schema: dict | None) -> list[dict]:
    return list((schema or {}).get("fields") or [])


def schema_document_keys(schema: dict | None) -> set[str]:
    return set(schema_document_fields(schema))


def schema_document_fields(schema: dict | None) -> dict[str, str]:
    """The schema's document fields: the document slot's key → the field's name."""
    return {
        f["document"]: f["name"] for f in schema_fields(schema) if f.get("kind") == Kind.DOCUMENT
    }


def condition_holds(cond: dict | None, values: dict[str, Any]) -> bool:
    """Whether a field with this ``show_if`` is shown, given the cleaned values so far."""
    if not cond:
        return True
    value = values.get(cond["field"])
    allowed = cond["in"] if "in" in cond else [cond["equals"]]
    if isinstance(value, list):  # a multiple choice matches when any chosen value is allowed
        return any(v in allowed for v in value)
    return value in allowed
