"""One module turns a schema into a Django form and validates submissions on the server."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procedures.forms_builder import build_form
from procedures.models import RequiredDocument
from tests.factories import ProvinceFactory, WardFactory

from .factories import make_version

pytestmark = pytest.mark.django_db

SCHEMA = {
    "fields": [
        {
            "name": "ho_ten",
            "kind": "text",
            "label": "Họ và tên",
            "label_en": "Full name",
            "required": True,
            "max_length": 20,
            "help": "Viết có dấu",
        },
        {"name": "ghi_chu", "kind": "textarea", "label": "Ghi chú"},
        {
            "name": "so_ban",
            "kind": "number",
            "label": "Số bản",
            "min": 1,
            "max": 5,
            "required": True,
        },
        {
            "name": "ngay_sinh",
            "kind": "date",
            "label": "Ngày sinh",
            "past_only": True,
            "required": True,
        },
        {
            "name": "gioi_tinh",
            "kind": "choice",
            "label": "Giới tính",
            "required": True,
            "choices": [{"value": "nam", "label": "Nam"}, {"value": "nu", "label": "Nữ"}],
        },
        {"name": "co_cha", "kind": "yes_no", "label": "Có thông tin cha", "required": True},
        {
            "name": "ten_cha",
            "kind": "text",
            "label": "Tên cha",
            "required": True,
            "show_if": {"field": "co_cha", "equals": True},
        },
        {"name": "email", "kind": "email", "label": "Thư điện tử"},
        {"name": "dien_thoai", "kind": "phone", "label": "Điện thoại", "required": True},
        {"name": "cccd", "kind": "cccd", "label": "Số CCCD", "required": True},
        {"name": "dia_chi", "kind": "address", "label": "Nơi cư trú", "required": True},
        {
            "name": "thanh_vien",
            "kind": "group",
            "label": "Thành viên",
            "min_items": 1,
            "max_items": 3,
            "fields": [
                {"name": "ten", "kind": "text", "label": "Tên", "required": True},
                {"name": "cccd", "kind": "cccd", "label": "CCCD"},
            ],
        },
        {"name": "tep_khai_sinh", "kind": "document", "document": "khai_sinh"},
    ]
}


@pytest.fixture
def wards():
    city = ProvinceFactory()
    other = ProvinceFactory(code="01", name="Thành phố Hà Nội")
    return WardFactory(parent=city, code="26740", name="Phường Sài Gòn"), WardFactory(
        parent=other, code="00004", name="Phường Ba Đình"
    )


@pytest.fixture
def documents():
    version = make_version(status="draft", documents=())
    doc = RequiredDocument.objects.create(
        version=version, key="khai_sinh", name="Giấy khai sinh", file_types=["pdf"], max_size_mb=1
    )
    return [doc]


def good_data(**overrides):
    data = {
        "ho_ten": "Nguyễn Văn An",
        "ghi_chu": "",
        "so_ban": "2",
        "ngay_sinh": "1990-05-17",
        "gioi_tinh": "nam",
        "co_cha": "no",
        "ten_cha": "",
        "email": "an@example.vn",
        "dien_thoai": "+84 912 345 678",
        "cccd": "079090123456",
        "dia_chi__province": "79",
        "dia_chi__ward": "26740",
        "dia_chi__street": "12 Lê Lợi",
        "thanh_vien-TOTAL_FORMS": "3",
        "thanh_vien-INITIAL_FORMS": "0",
        "thanh_vien-MIN_NUM_FORMS": "1",
        "thanh_vien-MAX_NUM_FORMS": "3",
        "thanh_vien-0-ten": "Trần Thị Bình",
        "thanh_vien-0-cccd": "079190123456",
    }
    data.update(overrides)
    return data


def pdf(name="ks.pdf", size=100):
    return SimpleUploadedFile(name, b"%PDF-1.4" + b"0" * size, content_type="application/pdf")


def test_it_builds_every_kind_with_labels_and_help(wards, documents):
    form = build_form(SCHEMA, documents=documents)
    assert form["ho_ten"].label == "Họ và tên (Full name)"
    assert form.fields["ho_ten"].help_text == "Viết có dấu"
    assert "Chỉ điền khi «Có thông tin cha» là Có" in form.fields["ten_cha"].help_text
    assert [k for k, *_ in form.layout].count("group") == 1
    assert {"dia_chi__province", "dia_chi__ward", "dia_chi__street"} <= set(form.fields)
    assert form.fields["tep_khai_sinh"].label == "Giấy khai sinh"
    assert 'accept=".pdf"' in str(form["tep_khai_sinh"])
    assert "data-show-if" in str(form["ten_cha"])
    html = str(form["dia_chi__province"])
    assert 'hx-get="/procedures/address/wards/"' in html
    assert len(form.groups["thanh_vien"].forms) == 3  # one required row and extra empty rows


def test_it_validates_good_data_and_returns_json_answers(wards, documents):
    form = build_form(SCHEMA, documents=documents, data=good_data(), files={"tep_khai_sinh": pdf()})
    assert form.is_valid(), (form.errors, form.groups["thanh_vien"].errors)
    answers = form.answers()
    assert answers["ngay_sinh"] == "1990-05-17"
    assert answers["so_ban"] == 2
    assert answers["co_cha"] is False
    assert "ten_cha" not in answers  # hidden by its condition
    assert answers["dien_thoai"] == "0912345678"
    assert answers["dia_chi"]["ward"] == "26740"
    assert answers["dia_chi"]["ward_name"] == "Phường Sài Gòn"
    assert answers["thanh_vien"] == [{"ten": "Trần Thị Bình", "cccd": "079190123456"}]
    assert answers["tep_khai_sinh"] == "ks.pdf"
    assert set(form.uploaded_files()) == {"khai_sinh"}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"ho_ten": ""}, "ho_ten", "Vui lòng nhập thông tin này"),
        ({"ho_ten": "x" * 21}, "ho_ten", "20"),
        ({"so_ban": "9"}, "so_ban", "5"),
        ({"so_ban": "hai"}, "so_ban", ""),
        (
            {"ngay_sinh": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
            "ngay_sinh",
            "tương lai",
        ),
        ({"gioi_tinh": "khac"}, "gioi_tinh", ""),
        ({"co_cha": ""}, "co_cha", "Vui lòng"),
        ({"co_cha": "yes", "ten_cha": ""}, "ten_cha", "Vui lòng nhập"),
        ({"email": "not-an-email"}, "email", ""),
        ({"dien_thoai": "0123"}, "dien_thoai", "Số điện thoại di động không hợp lệ"),
        ({"cccd": "07909012345"}, "cccd", "12 chữ số"),
        ({"cccd": "999090123456"}, "cccd", "mã tỉnh"),
        ({"dia_chi__ward": "00004"}, "dia_chi__ward", "không thuộc tỉnh"),
        ({"dia_chi__street": ""}, "dia_chi__street", "Vui lòng"),
    ],
)
def test_it_refuses_bad_values_with_the_error_on_the_field(
    wards, documents, overrides, field, message
):
    form = build_form(
        SCHEMA, documents=documents, data=good_data(**overrides), files={"tep_khai_sinh": pdf()}
    )
    assert not form.is_valid()
    assert field in form.errors, form.errors
    assert message in " ".join(form.errors[field])
    assert 'aria-invalid="true"' in str(form[field])
    if not form[field].use_fieldset:  # radio groups: the template's <fieldset> is described
        assert f"id_{field}_error" in str(form[field])


def test_a_shown_conditional_field_is_required_and_kept(wards, documents):
    form = build_form(
        SCHEMA,
        documents=documents,
        data=good_data(co_cha="yes", ten_cha="Nguyễn Văn Cha"),
        files={"tep_khai_sinh": pdf()},
    )
    assert form.is_valid(), form.errors
    assert form.answers()["ten_cha"] == "Nguyễn Văn Cha"


def test_a_hidden_field_is_ignored_even_when_invalid():
    schema = {
        "fields": [
            {"name": "co", "kind": "yes_no", "label": "Có"},
            {
                "name": "so",
                "kind": "cccd",
                "label": "Số",
                "show_if": {"field": "co", "equals": True},
            },
        ]
    }
    form = build_form(schema, data={"co": "no", "so": "123"})
    assert form.is_valid(), form.errors
    assert form.answers() == {"co": False}


def test_groups_check_min_max_and_row_fields(wards, documents):
    data = good_data(**{"thanh_vien-0-ten": "", "thanh_vien-0-cccd": ""})
    form = build_form(SCHEMA, documents=documents, data=data, files={"tep_khai_sinh": pdf()})
    assert not form.is_valid()
    assert form.groups["thanh_vien"].forms[0].errors  # the first row is required (min_items=1)
    data = good_data(**{"thanh_vien-0-cccd": "12"})
    form = build_form(SCHEMA, documents=documents, data=data, files={"tep_khai_sinh": pdf()})
    assert not form.is_valid()
    assert "cccd" in form.groups["thanh_vien"].forms[0].errors
    data = good_data(**{"thanh_vien-TOTAL_FORMS": "4", "thanh_vien-3-ten": "Dư"})
    form = build_form(SCHEMA, documents=documents, data=data, files={"tep_khai_sinh": pdf()})
    assert not form.is_valid()


def test_documents_are_required_typed_and_sized(wards, documents):
    form = build_form(SCHEMA, documents=documents, data=good_data(), files={})
    assert not form.is_valid()
    assert "Vui lòng đính kèm" in form.errors["tep_khai_sinh"][0]
    form = build_form(
        SCHEMA, documents=documents, data=good_data(), files={"tep_khai_sinh": pdf("a.exe")}
    )
    assert not form.is_valid()
    assert "PDF" in form.errors["tep_khai_sinh"][0]
    big = pdf(size=1024 * 1024 + 1)
    form = build_form(SCHEMA, documents=documents, data=good_data(), files={"tep_khai_sinh": big})
    assert not form.is_valid()
    assert "1 MB" in form.errors["tep_khai_sinh"][0]


def test_an_optional_document_may_be_left_out(wards, documents):
    documents[0].required = False
    form = build_form(SCHEMA, documents=documents, data=good_data(), files={})
    assert form.is_valid(), form.errors


def test_a_fixed_province_address_offers_only_its_wards(wards):
    schema = {
        "fields": [
            {
                "name": "dc",
                "kind": "address",
                "label": "Địa chỉ",
                "province": "79",
                "required": True,
            }
        ]
    }
    form = build_form(schema)
    assert "dc__province" not in form.fields
    assert [c for c, _ in form.fields["dc__ward"].choices] == ["", "26740"]
    form = build_form(schema, data={"dc__ward": "26740", "dc__street": "1 Lê Lợi"})
    assert form.is_valid(), form.errors
    assert form.answers()["dc"]["province"] == "79"


def test_the_ward_endpoint_lists_the_wards_of_a_province(client, wards):
    response = client.get("/procedures/address/wards/", {"dia_chi__province": "01"})
    assert "Phường Ba Đình" in response.content.decode()
    assert "Phường Sài Gòn" not in response.content.decode()


def test_a_field_shown_for_a_choice_names_the_choice_by_its_label():
    schema = {
        "fields": [
            {
                "name": "muc_dich",
                "kind": "choice",
                "label": "Mục đích sử dụng",
                "choices": [
                    {"value": "ket_hon", "label": "Đăng ký kết hôn"},
                    {"value": "khac", "label": "Mục đích khác"},
                ],
            },
            {
                "name": "muc_dich_khac",
                "kind": "text",
                "label": "Ghi rõ mục đích",
                "show_if": {"field": "muc_dich", "equals": "khac"},
            },
        ]
    }
    help_text = build_form(schema).fields["muc_dich_khac"].help_text
    assert "Chỉ điền khi «Mục đích sử dụng» là Mục đích khác" in help_text
    assert "là khac" not in help_text


def test_a_group_with_too_few_rows_says_so_in_vietnamese(wards, documents):
    data = good_data(
        **{"thanh_vien-TOTAL_FORMS": "1", "thanh_vien-0-ten": "", "thanh_vien-0-cccd": ""}
    )
    form = build_form(SCHEMA, documents=documents, data=data, files={"tep_khai_sinh": pdf()})
    assert not form.is_valid()
    errors = list(form.groups["thanh_vien"].non_form_errors())
    assert errors == ["«Thành viên»: cần ít nhất 1 dòng (at least 1)."]


def test_a_group_label_with_a_percent_sign_keeps_its_row_count_message():
    schema = {
        "fields": [
            {
                "name": "von_gop",
                "kind": "group",
                "label": "Tỷ lệ vốn góp (%)",
                "min_items": 1,
                "fields": [{"name": "ten", "kind": "text", "label": "Tên", "required": True}],
            }
        ]
    }
    data = {"von_gop-TOTAL_FORMS": "1", "von_gop-INITIAL_FORMS": "0", "von_gop-0-ten": ""}
    form = build_form(schema, data=data)
    assert not form.is_valid()
    assert list(form.groups["von_gop"].non_form_errors()) == [
        "«Tỷ lệ vốn góp (%)»: cần ít nhất 1 dòng (at least 1)."
    ]
