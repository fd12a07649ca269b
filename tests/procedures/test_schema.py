"""The form schema: each field kind, good and bad; errors name the bad field."""

import pytest
from django.core.exceptions import ValidationError

from procedures.schema import schema_errors, schema_validate


def field(**spec):
    return {"label": "Nhãn", **spec}


GOOD_FIELDS = [
    field(name="ho_ten", kind="text", max_length=100, min_length=2, required=True),
    field(name="ghi_chu", kind="textarea", max_length=500, label_en="Notes", help="Tùy chọn"),
    field(name="so_luong", kind="number", min=1, max=10, fee_units=True),
    field(name="ngay_sinh", kind="date", past_only=True),
    field(
        name="gioi_tinh",
        kind="choice",
        widget="radio",
        choices=[{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ", "label_en": "F"}],
    ),
    field(
        name="nganh",
        kind="choice",
        multiple=True,
        choices=[{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
    ),
    field(name="co_cha", kind="yes_no"),
    field(name="ten_cha", kind="text", show_if={"field": "co_cha", "equals": True}),
    field(name="nam_khac", kind="text", show_if={"field": "gioi_tinh", "in": ["nam"]}),
    field(name="email", kind="email", prefill="email"),
    field(name="dien_thoai", kind="phone", prefill="phone"),
    field(name="cccd", kind="cccd", prefill="citizen_id"),
    field(name="dia_chi", kind="address", province="79"),
    field(name="dia_chi_khac", kind="address"),
    field(
        name="thanh_vien",
        kind="group",
        min_items=1,
        max_items=5,
        fields=[field(name="ho_ten", kind="text"), field(name="cccd", kind="cccd")],
    ),
    {"name": "tep", "kind": "document", "document": "giay_khai_sinh"},
]


def test_it_accepts_every_kind():
    assert schema_errors({"fields": GOOD_FIELDS}, document_keys=["giay_khai_sinh"]) == []
    schema_validate({"fields": GOOD_FIELDS})  # without document keys: slots are not checked
    schema_validate({})  # an empty draft is fine


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (field(name="Ho Ten", kind="text"), "name must match"),
        (field(name="x", kind="datee"), 'fields[0] "x": loại "datee" không hợp lệ'),
        ({"name": "x", "kind": "text"}, "label is required"),
        (field(name="x", kind="text", max_length=0), '"max_length"'),
        (field(name="x", kind="text", min_length=5, max_length=2), "min_length > max_length"),
        (field(name="x", kind="text", colour="red"), "unknown keys): colour"),
        (field(name="x", kind="text", required="yes"), '"required"'),
        (field(name="x", kind="textarea", max_length="long"), '"max_length"'),
        (field(name="x", kind="number", min=5, max=1), "min > max"),
        (field(name="x", kind="number", min=1.5), '"min"'),
        (field(name="x", kind="date", past_only=True, future_only=True), "past_only"),
        (field(name="x", kind="date", past_only="yes"), '"past_only"'),
        (field(name="x", kind="choice"), "choices are required"),
        (field(name="x", kind="choice", choices=[{"value": "a"}]), "needs value and label"),
        (
            field(
                name="x",
                kind="choice",
                choices=[{"value": "a", "label": "A"}, {"value": "a", "label": "B"}],
            ),
            "duplicate choice values",
        ),
        (
            field(name="x", kind="choice", choices=[{"value": "a", "label": "A"}], widget="x"),
            "widget",
        ),
        (field(name="x", kind="yes_no", choices=[]), "unknown keys): choices"),
        (field(name="x", kind="email", max_length=3), "unknown keys): max_length"),
        (field(name="x", kind="phone", min=1), "unknown keys): min"),
        (field(name="x", kind="cccd", province="79"), "unknown keys): province"),
        (field(name="x", kind="address", province="HCM"), "province code"),
        (field(name="x", kind="group", fields=[]), "group needs fields"),
        (
            field(
                name="x",
                kind="group",
                min_items=3,
                max_items=2,
                fields=[field(name="a", kind="text")],
            ),
            "min_items ≤ max_items",
        ),
        (
            field(name="x", kind="group", fields=[field(name="g", kind="group", fields=[])]),
            'fields[0] "x".fields[0] "g": nhóm lặp lại không chứa được loại "group"',
        ),
        (
            field(name="x", kind="group", fields=[field(name="Bad", kind="text")]),
            'fields[0] "x".fields[0] "Bad"',
        ),
        ({"name": "x", "kind": "document"}, "document key is required"),
        (field(name="x", kind="text", prefill="mother_name"), '"prefill" phải là một trong'),
        (field(name="x", kind="number", fee_units="yes"), '"fee_units" phải là true/false'),
        (field(name="x", kind="text", fee_units=True), "unknown keys): fee_units"),
        (field(name="x", kind="address", prefill="full_name"), "only for top-level fields of kind"),
        (field(name="x", kind="cccd", prefill="date_of_birth"), "of kind date"),
        (field(name="x", kind="text", prefill=["full_name"]), '"prefill" phải là một trong'),
        (
            field(name="x", kind="group", fields=[field(name="a", kind="text", prefill="email")]),
            'fields[0] "x".fields[0] "a": "prefill": "email" chỉ dùng',
        ),
        ({"name": "x", "kind": "document", "document": "khong_co"}, 'giấy tờ "khong_co"'),
        (field(name="x", kind="text", show_if={"field": "later", "equals": 1}), "earlier field"),
        (field(name="x", kind="text", show_if={"field": "a"}), "equals"),
    ],
)
def test_it_names_the_bad_field(bad, expected):
    errors = schema_errors({"fields": [bad]}, document_keys=["giay"])
    assert errors, bad
    assert any(expected in e for e in errors), errors
    assert errors[0].startswith("fields[0]")
    with pytest.raises(ValidationError):
        schema_validate({"fields": [bad]}, document_keys=["giay"])


def test_it_checks_conditions_against_the_controlling_field():
    yes_no = field(name="co", kind="yes_no")
    choice = field(name="loai", kind="choice", choices=[{"value": "a", "label": "A"}])
    errors = schema_errors(
        {
            "fields": [
                yes_no,
                choice,
                field(name="b", kind="text", show_if={"field": "co", "equals": "yes"}),
                field(name="c", kind="text", show_if={"field": "loai", "in": ["z"]}),
            ]
        }
    )
    assert any('fields[2] "b"' in e and "true/false" in e for e in errors)
    assert any('fields[3] "c"' in e and "['z']" in e for e in errors)


def test_it_refuses_duplicate_names_and_non_objects():
    errors = schema_errors(
        {"fields": [field(name="a", kind="text"), field(name="a", kind="text"), "x"]}
    )
    assert any('fields[1] "a": tên "a" bị trùng' in e for e in errors)
    assert any(e.startswith("fields[2]:") for e in errors)
    assert schema_errors([]) == ["schema: phải là một đối tượng JSON (must be a JSON object)"]
    assert "unknown keys" in schema_errors({"fields": [], "extra": 1})[0]


def test_only_one_field_counts_a_per_unit_fee():
    schema = {
        "fields": [
            field(name="so_trang", kind="number", fee_units=True),
            field(name="so_ban", kind="number", fee_units=True),
        ]
    }
    assert schema_errors(schema) == [
        'fields[1] "so_ban": "fee_units": chỉ một trường tính phí (only one field counts the fee)'
    ]


def test_fee_units_on_a_field_that_is_not_a_number_blames_that_field_only():
    schema = {
        "fields": [
            field(name="ghi_chu", kind="text", fee_units=True),
            field(name="so_trang", kind="number", fee_units=True),
        ]
    }
    assert schema_errors(schema) == [
        'fields[0] "ghi_chu": khóa không hợp lệ (unknown keys): fee_units'
    ]
