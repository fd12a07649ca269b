"""Sample procedures for the demo (``seed_demo``): realistic, not the official text.

Every procedure here is marked ``is_sample`` and the pages label it as sample data. The codes
look like national codes but are illustrative. Seeding goes through the same import as
``manage.py import_procedures``, so it is idempotent.
"""

from __future__ import annotations

from portal.models import Agency
from procedures.transfer import FORMAT, FORMAT_VERSION, ImportReport, catalog_import

PUBLISHED_AT = "2025-07-01T00:00:00+00:00"
ONLINE_WAIVER = {
    "condition": "online",
    "percent": 100,
    "description": "Miễn lệ phí khi nộp hồ sơ trực tuyến (mẫu)",
    "legal_basis": "Nghị quyết của HĐND Thành phố về miễn lệ phí khi nộp trực tuyến (mẫu)",
    "valid_from": "2025-07-01",
    "valid_until": "2026-12-31",
}
HALF_ONLINE = {**ONLINE_WAIVER, "percent": 50, "description": "Giảm 50% khi nộp trực tuyến (mẫu)"}


# -- schema fragments ------------------------------------------------------------------------------
def f(name, kind, label, label_en="", *, required=True, help="", **extra):
    spec = {"name": name, "kind": kind, "label": label, "required": required}
    if label_en:
        spec["label_en"] = label_en
    if help:
        spec["help"] = help
    spec.update(extra)
    return spec


def choices(*pairs):
    return [{"value": v, "label": label} for v, label in pairs]


def applicant(prefix="nguoi_yeu_cau", title="người yêu cầu"):
    return [
        f(
            f"{prefix}_ho_ten",
            "text",
            f"Họ, chữ đệm và tên {title}",
            "Full name",
            max_length=100,
            prefill="full_name",
        ),
        f(
            f"{prefix}_cccd",
            "cccd",
            "Số định danh cá nhân / CCCD",
            "Citizen ID",
            help="12 chữ số trên thẻ Căn cước.",
            prefill="citizen_id",
        ),
        f(
            f"{prefix}_dien_thoai",
            "phone",
            "Số điện thoại di động",
            "Mobile phone",
            prefill="phone",
        ),
        f(f"{prefix}_email", "email", "Thư điện tử", "Email", required=False, prefill="email"),
        f(f"{prefix}_dia_chi", "address", "Nơi cư trú", "Residence", province="79"),
    ]


SEX = choices(("nam", "Nam"), ("nu", "Nữ"))
RECEIVE_PAPER = f(
    "so_ban_sao",
    "number",
    "Số bản sao yêu cầu cấp",
    "Number of copies requested",
    required=True,
    min=1,
    max=10,
    help="Mỗi bản sao trích lục tính phí riêng.",
    fee_units=True,
)


def doc(key, name, form="original", copies=1, required=True, types=None, size=5, note=""):
    return {
        "position": 0,
        "key": key,
        "name": name,
        "form": form,
        "copies": copies,
        "required": required,
        "file_types": types or ["pdf", "jpg", "png"],
        "max_size_mb": size,
        "note": note,
    }


def slot(key, label=None, **extra):
    spec = {"name": f"tep_{key}", "kind": "document", "document": key}
    if label:
        spec["label"] = label
    spec.update(extra)
    return spec


TO_KHAI = "Tờ khai theo mẫu (điền trực tuyến thay cho tờ khai giấy)"
ID_DOC = doc("giay_to_tuy_than", "Giấy tờ tùy thân của người yêu cầu (CCCD, hộ chiếu)", "copy")


def proc(
    code,
    name,
    field,
    level,
    online,
    days,
    *,
    fee=("free", 0, ""),
    cap=None,
    fee_note="",
    waivers=(),
    docs=(),
    fields=(),
    steps=(),
    result="",
    legal="",
    description="",
    agencies=None,
    clock="restart",
    processing_note="",
):
    documents = [dict(d, position=i + 1) for i, d in enumerate(docs)]
    kind, amount, unit = fee
    return {
        "code": code,
        "name": name,
        "field": field,
        "agency_level": level,
        "online_level": online,
        "description": description,
        "steps": "\n".join(steps or DEFAULT_STEPS[online]),
        "result_type": result,
        "legal_basis": legal,
        "is_sample": True,
        "agencies": agencies,  # filled in by demo_catalog()
        "versions": [
            {
                "number": 1,
                "status": "published",
                "published_at": PUBLISHED_AT,
                "retired_at": None,
                "processing_days": days,
                "processing_note": processing_note,
                "form_schema": {"fields": [*fields, *[slot(d["key"]) for d in documents]]},
                "fee_kind": kind,
                "fee_amount": amount,
                "fee_unit": unit,
                "fee_cap": cap,
                "fee_note": fee_note,
                "supplement_clock": clock,
                "change_note": "Dữ liệu mẫu ban đầu (initial sample data)",
                "documents": documents,
                "waivers": list(waivers),
            }
        ],
    }


DEFAULT_STEPS = {
    "full": [
        "Người yêu cầu nộp hồ sơ trực tuyến trên Cổng Dịch vụ công, đính kèm bản điện tử các giấy tờ.",
        "Bộ phận một cửa kiểm tra, tiếp nhận hồ sơ và gửi giấy hẹn trả kết quả.",
        "Công chức chuyên môn thẩm định, trình lãnh đạo phê duyệt.",
        "Trả kết quả bản điện tử trên Cổng (bản giấy nếu người dân yêu cầu).",
    ],
    "partial": [
        "Người yêu cầu nộp hồ sơ trực tuyến hoặc tại bộ phận một cửa.",
        "Bộ phận một cửa kiểm tra, tiếp nhận hồ sơ và hẹn ngày trả kết quả.",
        "Cơ quan giải quyết thẩm định hồ sơ; người yêu cầu có mặt khi cần đối chiếu bản chính.",
        "Nhận kết quả tại bộ phận một cửa hoặc qua bưu chính.",
    ],
    "offline": [
        "Người yêu cầu nộp hồ sơ trực tiếp tại bộ phận một cửa.",
        "Cơ quan giải quyết kiểm tra, giải quyết và trả kết quả tại chỗ hoặc theo giấy hẹn.",
    ],
}

HT = "civil_status"
LUAT_HT = "Luật Hộ tịch năm 2014; Nghị định 123/2015/NĐ-CP (mẫu, không phải văn bản chính thức)"
LUAT_CT = "Nghị định 23/2015/NĐ-CP về chứng thực (mẫu, không phải văn bản chính thức)"
LUAT_HKD = "Nghị định 01/2021/NĐ-CP về đăng ký doanh nghiệp, hộ kinh doanh (mẫu)"
LUAT_XD = "Luật Xây dựng; Nghị định 15/2021/NĐ-CP (mẫu, không phải văn bản chính thức)"

CHILD = [
    f(
        "tre_ho_ten",
        "text",
        "Họ, chữ đệm và tên của trẻ",
        "Child's full name",
        max_length=100,
        help="Viết đầy đủ, có dấu.",
    ),
    f("tre_ngay_sinh", "date", "Ngày, tháng, năm sinh", "Date of birth", past_only=True),
    f("tre_gioi_tinh", "choice", "Giới tính", "Sex", choices=SEX, widget="radio"),
    f("tre_noi_sinh", "text", "Nơi sinh (cơ sở y tế hoặc địa chỉ)", "Place of birth"),
    f("tre_dan_toc", "text", "Dân tộc", "Ethnicity", max_length=50),
    f("me_ho_ten", "text", "Họ, chữ đệm và tên người mẹ", "Mother's full name"),
    f("me_cccd", "cccd", "Số định danh cá nhân của người mẹ", "Mother's citizen ID"),
    f("co_thong_tin_cha", "yes_no", "Khai thông tin người cha", "Father's details known"),
    f(
        "cha_ho_ten",
        "text",
        "Họ, chữ đệm và tên người cha",
        "Father's full name",
        show_if={"field": "co_thong_tin_cha", "equals": True},
    ),
    f(
        "cha_cccd",
        "cccd",
        "Số định danh cá nhân của người cha",
        "Father's citizen ID",
        show_if={"field": "co_thong_tin_cha", "equals": True},
    ),
]
SPOUSE = [
    f("chong_ho_ten", "text", "Họ, chữ đệm và tên bên nam", "Husband's full name"),
    f("chong_ngay_sinh", "date", "Ngày sinh bên nam", "Husband's date of birth", past_only=True),
    f("chong_cccd", "cccd", "Số định danh cá nhân bên nam", "Husband's citizen ID"),
    f("vo_ho_ten", "text", "Họ, chữ đệm và tên bên nữ", "Wife's full name"),
    f("vo_ngay_sinh", "date", "Ngày sinh bên nữ", "Wife's date of birth", past_only=True),
    f("vo_cccd", "cccd", "Số định danh cá nhân bên nữ", "Wife's citizen ID"),
    f("da_tung_ket_hon", "yes_no", "Một trong hai bên đã từng kết hôn", "Married before"),
    f(
        "ly_do_cham_dut",
        "textarea",
        "Hôn nhân trước đã chấm dứt thế nào (ly hôn, bên kia chết)",
        "How the earlier marriage ended",
        show_if={"field": "da_tung_ket_hon", "equals": True},
    ),
]
HOUSEHOLD = [
    f(
        "ten_ho_kinh_doanh",
        "text",
        "Tên hộ kinh doanh",
        "Business name",
        max_length=200,
        help="Gồm cụm từ “Hộ kinh doanh” và tên riêng, ví dụ Hộ kinh doanh Hoa Mai.",
    ),
    f("dia_diem_kinh_doanh", "address", "Địa điểm kinh doanh", "Business address", province="79"),
    f("nganh_nghe", "textarea", "Ngành, nghề kinh doanh", "Lines of business"),
    f("von_kinh_doanh", "number", "Vốn kinh doanh (đồng)", "Capital (VND)", min=0),
    f("so_lao_dong", "number", "Số lao động dự kiến", "Expected workers", min=0, max=9),
    f(
        "thanh_vien",
        "group",
        "Thành viên hộ gia đình góp vốn",
        "Contributing family members",
        required=False,
        min_items=0,
        max_items=10,
        fields=[
            f("ho_ten", "text", "Họ và tên", "Full name"),
            f("cccd", "cccd", "Số định danh cá nhân", "Citizen ID"),
            f("ngay_sinh", "date", "Ngày sinh", "Date of birth", past_only=True),
            f("gop_von", "number", "Giá trị vốn góp (đồng)", "Contribution (VND)", min=0),
        ],
    ),
]
BUILD = [
    f("chu_dau_tu", "text", "Chủ đầu tư (cá nhân, tổ chức)", "Owner"),
    f("dia_diem_xay_dung", "address", "Địa điểm xây dựng", "Site address", province="79"),
    f("so_to_ban_do", "text", "Số tờ bản đồ / số thửa đất", "Map sheet / parcel number"),
    f("dien_tich_dat", "number", "Diện tích lô đất (m²)", "Plot area (m²)", min=1),
    f("dien_tich_xay_dung", "number", "Diện tích xây dựng tầng 1 (m²)", "Ground floor (m²)", min=1),
    f("so_tang", "number", "Số tầng (kể cả tầng hầm, lửng)", "Storeys", min=1, max=30),
    f("chieu_cao", "number", "Chiều cao công trình (m)", "Height (m)", min=1, max=200),
    f(
        "ngay_khoi_cong",
        "date",
        "Dự kiến khởi công",
        "Planned start",
        required=False,
        future_only=True,
    ),
]


def demo_procedures() -> list[dict]:
    return [
        proc(
            "1.001193",
            "Đăng ký khai sinh",
            HT,
            "ward",
            "full",
            1,
            fields=[
                *CHILD,
                *applicant(),
                f(
                    "quan_he",
                    "choice",
                    "Quan hệ với trẻ",
                    "Relationship",
                    choices=choices(
                        ("me", "Mẹ"),
                        ("cha", "Cha"),
                        ("ong_ba", "Ông, bà"),
                        ("khac", "Người thân khác"),
                    ),
                ),
            ],
            docs=[
                doc("giay_chung_sinh", "Giấy chứng sinh do cơ sở y tế cấp", "original"),
                doc(
                    "giay_ket_hon",
                    "Giấy chứng nhận kết hôn của cha mẹ (nếu có)",
                    "copy",
                    required=False,
                ),
                ID_DOC,
            ],
            result="Giấy khai sinh (bản chính) và số định danh cá nhân của trẻ",
            legal=LUAT_HT,
            processing_note="Trả ngay trong ngày nếu nộp trước 15 giờ",
            description="Đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam, trong thời hạn 60 "
            "ngày kể từ ngày sinh thì miễn lệ phí.",
        ),
        proc(
            "1.000656",
            "Đăng ký khai tử",
            HT,
            "ward",
            "full",
            1,
            fields=[
                f(
                    "nguoi_chet_ho_ten",
                    "text",
                    "Họ, chữ đệm và tên người đã chết",
                    "Deceased's full name",
                ),
                f(
                    "nguoi_chet_cccd",
                    "cccd",
                    "Số định danh cá nhân của người đã chết",
                    "Deceased's citizen ID",
                ),
                f("ngay_chet", "date", "Ngày chết", "Date of death", past_only=True),
                f("noi_chet", "text", "Nơi chết", "Place of death"),
                f("nguyen_nhan", "text", "Nguyên nhân chết", "Cause of death", required=False),
                *applicant(),
            ],
            docs=[doc("giay_bao_tu", "Giấy báo tử hoặc giấy tờ thay thế giấy báo tử"), ID_DOC],
            result="Trích lục khai tử",
            legal=LUAT_HT,
        ),
        proc(
            "1.000894",
            "Đăng ký kết hôn",
            HT,
            "ward",
            "partial",
            1,
            fields=[*SPOUSE, *applicant(title="bên nộp hồ sơ")],
            docs=[
                doc(
                    "xac_nhan_hon_nhan",
                    "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký ở nơi không thường trú)",
                    required=False,
                ),
                ID_DOC,
            ],
            result="Giấy chứng nhận kết hôn",
            legal=LUAT_HT,
            processing_note="Hai bên nam, nữ cùng có mặt khi nhận Giấy chứng nhận kết hôn; "
            "tối đa 5 ngày làm việc nếu cần xác minh",
            description="Đăng ký kết hôn giữa công dân Việt Nam với nhau tại UBND cấp xã.",
        ),
        proc(
            "1.004873",
            "Cấp Giấy xác nhận tình trạng hôn nhân",
            HT,
            "ward",
            "full",
            3,
            fee=("fixed", 15000, ""),
            waivers=[ONLINE_WAIVER],
            fields=[
                *applicant(),
                f(
                    "muc_dich",
                    "choice",
                    "Mục đích sử dụng",
                    "Purpose",
                    choices=choices(
                        ("ket_hon", "Đăng ký kết hôn"),
                        ("mua_ban", "Giao dịch nhà đất"),
                        ("khac", "Mục đích khác"),
                    ),
                ),
                f(
                    "muc_dich_khac",
                    "text",
                    "Ghi rõ mục đích",
                    "Other purpose",
                    show_if={"field": "muc_dich", "equals": "khac"},
                ),
                f(
                    "tinh_trang",
                    "choice",
                    "Tình trạng hôn nhân hiện tại",
                    "Marital status",
                    choices=choices(
                        ("chua_ket_hon", "Chưa kết hôn"),
                        ("ly_hon", "Đã ly hôn"),
                        ("goa", "Vợ/chồng đã chết"),
                    ),
                    widget="radio",
                ),
            ],
            docs=[
                doc(
                    "ban_an_ly_hon",
                    "Bản án, quyết định ly hôn đã có hiệu lực (nếu đã ly hôn)",
                    "copy",
                    required=False,
                ),
                ID_DOC,
            ],
            result="Giấy xác nhận tình trạng hôn nhân",
            legal=LUAT_HT,
        ),
        proc(
            "1.001022",
            "Đăng ký nhận cha, mẹ, con",
            HT,
            "ward",
            "partial",
            3,
            fee=("fixed", 15000, ""),
            waivers=[ONLINE_WAIVER],
            fields=[
                *applicant(),
                f("nguoi_duoc_nhan", "text", "Họ tên người được nhận", "Person recognised"),
                f(
                    "quan_he_nhan",
                    "choice",
                    "Quan hệ",
                    "Relationship",
                    choices=choices(
                        ("cha_con", "Cha nhận con"),
                        ("me_con", "Mẹ nhận con"),
                        ("con_cha_me", "Con nhận cha, mẹ"),
                    ),
                ),
            ],
            docs=[
                doc("chung_cu_quan_he", "Văn bản giám định ADN hoặc chứng cứ chứng minh quan hệ"),
                ID_DOC,
            ],
            result="Trích lục đăng ký nhận cha, mẹ, con",
            legal=LUAT_HT,
        ),
        proc(
            "1.004884",
            "Đăng ký lại khai sinh",
            HT,
            "ward",
            "full",
            5,
            fee=("fixed", 8000, ""),
            waivers=[ONLINE_WAIVER],
            fields=[*CHILD[:5], *applicant()],
            docs=[
                doc(
                    "ban_sao_khai_sinh",
                    "Bản sao giấy khai sinh cũ hoặc giấy tờ có thông tin khai sinh",
                    "copy",
                ),
                ID_DOC,
            ],
            result="Giấy khai sinh (đăng ký lại)",
            legal=LUAT_HT,
        ),
        proc(
            "2.000635",
            "Cấp bản sao trích lục hộ tịch",
            HT,
            "ward",
            "full",
            1,
            fee=("per_unit", 8000, "bản"),
            fee_note="Tính theo số bản sao yêu cầu",
            fields=[
                *applicant(),
                f(
                    "loai_trich_luc",
                    "choice",
                    "Loại trích lục",
                    "Extract",
                    choices=choices(
                        ("khai_sinh", "Khai sinh"), ("ket_hon", "Kết hôn"), ("khai_tu", "Khai tử")
                    ),
                ),
                f(
                    "so_dang_ky",
                    "text",
                    "Số, quyển đăng ký (nếu biết)",
                    "Register number",
                    required=False,
                ),
                RECEIVE_PAPER,
            ],
            docs=[ID_DOC],
            result="Bản sao trích lục hộ tịch",
            legal=LUAT_HT,
        ),
        proc(
            "1.004859",
            "Thay đổi, cải chính, bổ sung thông tin hộ tịch",
            HT,
            "ward",
            "partial",
            3,
            fee=("fixed", 15000, ""),
            fields=[
                *applicant(),
                f("noi_dung", "textarea", "Nội dung thay đổi, cải chính", "What to change"),
                f("ly_do", "textarea", "Lý do", "Reason"),
            ],
            docs=[doc("giay_to_hop_le", "Giấy tờ làm căn cứ thay đổi, cải chính", "copy"), ID_DOC],
            result="Trích lục thay đổi, cải chính hộ tịch",
            legal=LUAT_HT,
        ),
        proc(
            "1.004837",
            "Đăng ký giám hộ",
            HT,
            "ward",
            "partial",
            3,
            fields=[
                *applicant(title="người giám hộ"),
                f("nguoi_duoc_giam_ho", "text", "Họ tên người được giám hộ", "Ward's name"),
                f(
                    "ngay_sinh_duoc_giam_ho",
                    "date",
                    "Ngày sinh người được giám hộ",
                    "Ward's date of birth",
                    past_only=True,
                ),
            ],
            docs=[doc("van_ban_cu_giam_ho", "Văn bản cử người giám hộ"), ID_DOC],
            result="Trích lục đăng ký giám hộ",
            legal=LUAT_HT,
        ),
        proc(
            "2.000815",
            "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
            "certification",
            "ward",
            "partial",
            1,
            fee=("per_unit", 2000, "trang"),
            cap=200000,
            fee_note="Từ trang thứ ba tính 1.000 đồng/trang (mẫu)",
            fields=[
                *applicant()[:3],
                f(
                    "so_trang",
                    "number",
                    "Tổng số trang cần chứng thực",
                    "Pages",
                    min=1,
                    max=500,
                    fee_units=True,
                ),
                f("so_ban", "number", "Số bản sao", "Copies", min=1, max=20),
            ],
            docs=[
                doc(
                    "ban_chinh",
                    "Bản chính giấy tờ cần chứng thực (xuất trình khi nhận)",
                    note="Mang bản chính đến đối chiếu khi nhận kết quả",
                )
            ],
            result="Bản sao được chứng thực từ bản chính",
            legal=LUAT_CT,
            processing_note="Trong ngày; nếu nộp sau 15 giờ thì trả ngày làm việc tiếp theo",
        ),
        proc(
            "2.000884",
            "Chứng thực chữ ký trong giấy tờ, văn bản",
            "certification",
            "ward",
            "offline",
            1,
            fee=("fixed", 10000, ""),
            fee_note="Mỗi trường hợp chứng thực",
            fields=[
                *applicant()[:3],
                f("giay_to", "text", "Tên giấy tờ, văn bản cần chứng thực", "Document to certify"),
            ],
            docs=[
                doc(
                    "van_ban_ky", "Giấy tờ, văn bản sẽ ký (ký trước mặt người thực hiện chứng thực)"
                ),
                ID_DOC,
            ],
            result="Giấy tờ, văn bản được chứng thực chữ ký",
            legal=LUAT_CT,
        ),
        proc(
            "2.000913",
            "Chứng thực hợp đồng, giao dịch liên quan đến tài sản là động sản",
            "certification",
            "ward",
            "offline",
            2,
            fee=("fixed", 50000, ""),
            fields=[
                *applicant()[:3],
                f("loai_hop_dong", "text", "Loại hợp đồng, giao dịch", "Contract type"),
                f("gia_tri", "number", "Giá trị tài sản (đồng)", "Value (VND)", min=0),
            ],
            docs=[
                doc("du_thao_hop_dong", "Dự thảo hợp đồng, giao dịch"),
                doc("giay_to_tai_san", "Giấy tờ chứng minh quyền sở hữu tài sản", "copy"),
                ID_DOC,
            ],
            result="Hợp đồng, giao dịch được chứng thực",
            legal=LUAT_CT,
        ),
        proc(
            "2.001035",
            "Cấp bản sao điện tử được chứng thực từ bản chính",
            "certification",
            "ward",
            "full",
            1,
            fee=("per_unit", 2000, "trang"),
            cap=200000,
            fields=[
                *applicant()[:4],
                f("so_trang", "number", "Số trang", "Pages", min=1, max=200, fee_units=True),
            ],
            docs=[
                doc("ban_chup", "Bản chụp bản chính giấy tờ cần chứng thực", types=["pdf"], size=10)
            ],
            result="Bản sao điện tử có chữ ký số của cơ quan chứng thực",
            legal=LUAT_CT,
        ),
        proc(
            "2.000720",
            "Đăng ký thành lập hộ kinh doanh",
            "business_household",
            "ward",
            "full",
            3,
            fee=("fixed", 100000, ""),
            waivers=[ONLINE_WAIVER],
            fields=[*applicant(title="chủ hộ kinh doanh"), *HOUSEHOLD],
            docs=[
                doc(
                    "giay_de_nghi",
                    "Giấy đề nghị đăng ký hộ kinh doanh (điền trực tuyến)",
                    required=False,
                ),
                doc(
                    "bien_ban_hop",
                    "Biên bản họp thành viên hộ gia đình (nếu các thành viên cùng góp vốn)",
                    required=False,
                ),
                doc(
                    "hop_dong_thue",
                    "Bản sao hợp đồng thuê địa điểm kinh doanh (nếu thuê)",
                    "copy",
                    required=False,
                ),
                ID_DOC,
            ],
            result="Giấy chứng nhận đăng ký hộ kinh doanh",
            legal=LUAT_HKD,
        ),
        proc(
            "2.000575",
            "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
            "business_household",
            "ward",
            "full",
            3,
            fee=("fixed", 50000, ""),
            waivers=[ONLINE_WAIVER],
            fields=[
                *applicant(title="chủ hộ kinh doanh"),
                f("ma_so_hkd", "text", "Mã số hộ kinh doanh", "Registration number"),
                f(
                    "noi_dung_thay_doi",
                    "choice",
                    "Nội dung thay đổi",
                    "What changes",
                    multiple=True,
                    choices=choices(
                        ("ten", "Tên hộ kinh doanh"),
                        ("dia_chi", "Địa điểm kinh doanh"),
                        ("nganh_nghe", "Ngành, nghề"),
                        ("von", "Vốn kinh doanh"),
                        ("chu_ho", "Chủ hộ kinh doanh"),
                    ),
                ),
                f("chi_tiet", "textarea", "Chi tiết thay đổi", "Details"),
            ],
            docs=[
                doc("giay_chung_nhan_cu", "Giấy chứng nhận đăng ký hộ kinh doanh đã cấp", "copy"),
                ID_DOC,
            ],
            result="Giấy chứng nhận đăng ký hộ kinh doanh (cập nhật)",
            legal=LUAT_HKD,
        ),
        proc(
            "2.000588",
            "Tạm ngừng hoạt động hộ kinh doanh",
            "business_household",
            "ward",
            "full",
            3,
            fields=[
                *applicant(title="chủ hộ kinh doanh"),
                f("ma_so_hkd", "text", "Mã số hộ kinh doanh", "Registration number"),
                f("tu_ngay", "date", "Tạm ngừng từ ngày", "From"),
                f("den_ngay", "date", "Đến ngày", "Until"),
                f("ly_do", "textarea", "Lý do", "Reason", required=False),
            ],
            docs=[
                doc("thong_bao", "Thông báo tạm ngừng kinh doanh (điền trực tuyến)", required=False)
            ],
            result="Giấy xác nhận tạm ngừng kinh doanh",
            legal=LUAT_HKD,
        ),
        proc(
            "2.000644",
            "Chấm dứt hoạt động hộ kinh doanh",
            "business_household",
            "ward",
            "full",
            3,
            fields=[
                *applicant(title="chủ hộ kinh doanh"),
                f("ma_so_hkd", "text", "Mã số hộ kinh doanh", "Registration number"),
                f(
                    "da_quyet_toan_thue",
                    "yes_no",
                    "Đã hoàn thành nghĩa vụ thuế",
                    "Tax obligations settled",
                ),
            ],
            docs=[
                doc("giay_chung_nhan", "Bản gốc Giấy chứng nhận đăng ký hộ kinh doanh"),
                doc(
                    "xac_nhan_thue",
                    "Thông báo của cơ quan thuế về việc chấm dứt hiệu lực mã số thuế",
                    "copy",
                ),
            ],
            result="Thông báo về việc chấm dứt hoạt động hộ kinh doanh",
            legal=LUAT_HKD,
        ),
        proc(
            "1.010006",
            "Cấp giấy phép xây dựng nhà ở riêng lẻ",
            "construction",
            "ward",
            "partial",
            15,
            fee=("fixed", 75000, ""),
            waivers=[HALF_ONLINE],
            clock="continue",
            fields=[*applicant(title="chủ đầu tư"), *BUILD],
            docs=[
                doc(
                    "don_de_nghi",
                    "Đơn đề nghị cấp giấy phép xây dựng (điền trực tuyến)",
                    required=False,
                ),
                doc("giay_to_dat", "Giấy chứng nhận quyền sử dụng đất", "certified_copy"),
                doc(
                    "ban_ve",
                    "Bản vẽ thiết kế xây dựng (mặt bằng, mặt cắt, mặt đứng)",
                    copies=2,
                    types=["pdf"],
                    size=20,
                ),
            ],
            result="Giấy phép xây dựng",
            legal=LUAT_XD,
        ),
        proc(
            "1.010007",
            "Cấp giấy phép sửa chữa, cải tạo nhà ở riêng lẻ",
            "construction",
            "ward",
            "partial",
            15,
            fee=("fixed", 75000, ""),
            clock="continue",
            fields=[
                *applicant(title="chủ đầu tư"),
                *BUILD[:3],
                f("hang_muc", "textarea", "Hạng mục sửa chữa, cải tạo", "Works"),
            ],
            docs=[
                doc(
                    "giay_to_dat",
                    "Giấy tờ về quyền sử dụng đất, quyền sở hữu nhà",
                    "certified_copy",
                ),
                doc("anh_hien_trang", "Ảnh chụp hiện trạng công trình", types=["jpg", "png"]),
                doc("ban_ve", "Bản vẽ cải tạo, sửa chữa", types=["pdf"], size=20),
            ],
            result="Giấy phép sửa chữa, cải tạo",
            legal=LUAT_XD,
        ),
        proc(
            "1.009994",
            "Cấp giấy phép xây dựng mới công trình cấp III, cấp IV",
            "construction",
            "city",
            "partial",
            20,
            fee=("fixed", 150000, ""),
            clock="continue",
            fields=[
                *applicant(title="người đại diện chủ đầu tư"),
                *BUILD,
                f(
                    "cap_cong_trinh",
                    "choice",
                    "Cấp công trình",
                    "Class",
                    choices=choices(("III", "Cấp III"), ("IV", "Cấp IV")),
                ),
            ],
            docs=[
                doc("quyet_dinh_du_an", "Quyết định phê duyệt dự án", "copy"),
                doc("giay_to_dat", "Giấy tờ hợp pháp về đất đai", "certified_copy"),
                doc("ho_so_thiet_ke", "Hồ sơ thiết kế xây dựng", types=["pdf"], size=50),
            ],
            result="Giấy phép xây dựng",
            legal=LUAT_XD,
            agencies="SXD",
        ),
        proc(
            "2.000488",
            "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
            "judicial_record",
            "city",
            "full",
            10,
            fee=("fixed", 200000, ""),
            waivers=[
                HALF_ONLINE,
                {
                    "condition": "beneficiary",
                    "percent": 50,
                    "description": "Giảm 50% cho sinh viên, người có công, thân nhân liệt sĩ (mẫu)",
                    "legal_basis": "",
                    "valid_from": None,
                    "valid_until": None,
                },
            ],
            fields=[
                *applicant(),
                f("ngay_sinh", "date", "Ngày sinh", "Date of birth", past_only=True),
                f(
                    "loai_phieu",
                    "choice",
                    "Loại phiếu",
                    "Certificate type",
                    widget="radio",
                    choices=choices(("1", "Phiếu số 1"), ("2", "Phiếu số 2")),
                ),
                f("muc_dich", "text", "Mục đích sử dụng", "Purpose"),
                f(
                    "cu_tru",
                    "group",
                    "Quá trình cư trú từ đủ 14 tuổi",
                    "Residence history",
                    min_items=1,
                    max_items=10,
                    fields=[
                        f("tu_nam", "number", "Từ năm", "From year", min=1930, max=2100),
                        f("den_nam", "number", "Đến năm", "To year", min=1930, max=2100),
                        f("noi_cu_tru", "text", "Nơi cư trú", "Address"),
                    ],
                ),
            ],
            docs=[ID_DOC],
            result="Phiếu lý lịch tư pháp số 1 hoặc số 2",
            legal="Luật Lý lịch tư pháp năm 2009 (mẫu, không phải văn bản chính thức)",
            agencies="STP",
        ),
        proc(
            "1.002804",
            "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
            "other",
            "city",
            "full",
            5,
            fee=("fixed", 135000, ""),
            fields=[
                *applicant(),
                f("so_gplx", "text", "Số giấy phép lái xe", "Licence number"),
                f(
                    "hang",
                    "choice",
                    "Hạng",
                    "Class",
                    choices=choices(("A1", "A1"), ("B", "B"), ("C", "C")),
                ),
            ],
            docs=[
                doc("anh_chan_dung", "Ảnh chân dung nền trắng", types=["jpg", "png"], size=2),
                doc("giay_kham_suc_khoe", "Giấy khám sức khỏe của người lái xe", "copy"),
            ],
            result="Giấy phép lái xe",
            legal="Thông tư về giấy phép lái xe (mẫu)",
            agencies="SXD",
        ),
        proc(
            "1.004227",
            "Đăng ký biến động quyền sử dụng đất do đổi tên, thay đổi thông tin",
            "land",
            "city",
            "partial",
            10,
            fee=("fixed", 50000, ""),
            clock="continue",
            fields=[
                *applicant(),
                f(
                    "so_giay_chung_nhan",
                    "text",
                    "Số phát hành giấy chứng nhận",
                    "Certificate number",
                ),
                f("noi_dung", "textarea", "Nội dung biến động", "Change"),
            ],
            docs=[
                doc("don_dang_ky", "Đơn đăng ký biến động đất đai (mẫu 11/ĐK)"),
                doc("giay_chung_nhan", "Bản gốc giấy chứng nhận đã cấp"),
                doc("giay_to_thay_doi", "Giấy tờ chứng minh sự thay đổi", "copy"),
            ],
            result="Giấy chứng nhận được xác nhận thay đổi",
            legal="Luật Đất đai năm 2024 (mẫu, không phải văn bản chính thức)",
            agencies="SNNMT",
        ),
        proc(
            "1.012345",
            "Đăng ký đất đai, cấp Giấy chứng nhận lần đầu",
            "land",
            "ward",
            "partial",
            20,
            fee=("fixed", 100000, ""),
            clock="continue",
            fields=[
                *applicant(),
                f(
                    "dia_chi_thua_dat",
                    "address",
                    "Địa chỉ thửa đất",
                    "Parcel address",
                    province="79",
                ),
                f("dien_tich", "number", "Diện tích (m²)", "Area (m²)", min=1),
                f("nguon_goc", "textarea", "Nguồn gốc sử dụng đất", "Origin of land use"),
            ],
            docs=[
                doc("don_dang_ky", "Đơn đăng ký đất đai, tài sản gắn liền với đất"),
                doc(
                    "giay_to_nguon_goc",
                    "Giấy tờ về quyền sử dụng đất (nếu có)",
                    "copy",
                    required=False,
                ),
                doc("so_do", "Mảnh trích đo địa chính", types=["pdf"], size=10),
            ],
            result="Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
            legal="Luật Đất đai năm 2024 (mẫu)",
        ),
        proc(
            "1.001776",
            "Trợ giúp xã hội thường xuyên đối với đối tượng bảo trợ xã hội",
            "social_protection",
            "ward",
            "partial",
            20,
            fields=[
                *applicant(title="người đề nghị"),
                f(
                    "doi_tuong",
                    "choice",
                    "Đối tượng",
                    "Category",
                    choices=choices(
                        ("tre_em", "Trẻ em mồ côi"),
                        ("nguoi_cao_tuoi", "Người cao tuổi không có lương hưu"),
                        ("khuyet_tat", "Người khuyết tật nặng"),
                    ),
                ),
                f("thu_nhap", "number", "Thu nhập bình quân tháng (đồng)", "Monthly income", min=0),
            ],
            docs=[
                doc("to_khai", "Tờ khai đề nghị trợ giúp xã hội"),
                doc(
                    "xac_nhan_khuyet_tat",
                    "Giấy xác nhận khuyết tật (nếu có)",
                    "copy",
                    required=False,
                ),
            ],
            result="Quyết định trợ cấp xã hội hằng tháng",
            legal="Nghị định 20/2021/NĐ-CP (mẫu, không phải văn bản chính thức)",
        ),
        proc(
            "2.000591",
            "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            "health",
            "city",
            "partial",
            20,
            fee=("fixed", 700000, ""),
            fee_note="Phí thẩm định (mẫu)",
            fields=[
                *applicant(title="người đại diện cơ sở"),
                f("ten_co_so", "text", "Tên cơ sở", "Establishment"),
                f("dia_chi_co_so", "address", "Địa chỉ cơ sở", "Address", province="79"),
                f(
                    "loai_hinh",
                    "choice",
                    "Loại hình",
                    "Type",
                    choices=choices(
                        ("nha_hang", "Nhà hàng ăn uống"),
                        ("bep_an", "Bếp ăn tập thể"),
                        ("che_bien", "Cơ sở chế biến"),
                    ),
                ),
            ],
            docs=[
                doc("don_de_nghi", "Đơn đề nghị cấp Giấy chứng nhận"),
                doc(
                    "thuyet_minh",
                    "Bản thuyết minh cơ sở vật chất, trang thiết bị",
                    types=["pdf"],
                    size=10,
                ),
                doc(
                    "xac_nhan_tap_huan",
                    "Giấy xác nhận đã được tập huấn kiến thức an toàn thực phẩm",
                    "copy",
                ),
            ],
            result="Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            legal="Luật An toàn thực phẩm (mẫu)",
            agencies="SYT",
        ),
        proc(
            "1.003622",
            "Thông báo tổ chức lễ hội cấp xã",
            "culture",
            "ward",
            "offline",
            5,
            fields=[
                *applicant(title="người đại diện ban tổ chức")[:3],
                f("ten_le_hoi", "text", "Tên lễ hội", "Festival"),
                f("thoi_gian", "date", "Ngày bắt đầu", "Start date", future_only=True),
            ],
            docs=[
                doc("van_ban_thong_bao", "Văn bản thông báo tổ chức lễ hội"),
                doc("chuong_trinh", "Chương trình, kế hoạch tổ chức"),
            ],
            result="Văn bản trả lời của UBND cấp xã",
            legal="Nghị định 110/2018/NĐ-CP (mẫu)",
        ),
        proc(
            "1.010737",
            "Đăng ký môi trường đối với cơ sở sản xuất, kinh doanh",
            "environment",
            "ward",
            "full",
            15,
            fields=[
                *applicant(title="người đại diện cơ sở"),
                f("ten_co_so", "text", "Tên cơ sở", "Establishment"),
                f(
                    "loai_chat_thai",
                    "choice",
                    "Chất thải phát sinh",
                    "Waste produced",
                    multiple=True,
                    choices=choices(
                        ("ran", "Chất thải rắn"), ("long", "Nước thải"), ("khi", "Khí thải")
                    ),
                ),
                f(
                    "khoi_luong",
                    "number",
                    "Khối lượng chất thải (kg/ngày)",
                    "Waste (kg/day)",
                    min=0,
                ),
            ],
            docs=[doc("phieu_dang_ky", "Phiếu đăng ký môi trường")],
            result="Tiếp nhận đăng ký môi trường",
            legal="Luật Bảo vệ môi trường năm 2020 (mẫu)",
        ),
        proc(
            "1.005099",
            "Xác nhận đơn đề nghị miễn, giảm học phí",
            "education",
            "ward",
            "full",
            5,
            fields=[
                *applicant(title="cha, mẹ hoặc người giám hộ"),
                f("hoc_sinh", "text", "Họ tên học sinh, sinh viên", "Pupil's name"),
                f("truong", "text", "Trường đang học", "School"),
                f(
                    "dien_mien_giam",
                    "choice",
                    "Diện miễn, giảm",
                    "Eligibility",
                    choices=choices(
                        ("ho_ngheo", "Hộ nghèo"),
                        ("can_ngheo", "Hộ cận nghèo"),
                        ("co_cong", "Con người có công"),
                    ),
                ),
            ],
            docs=[
                doc("don", "Đơn đề nghị miễn, giảm học phí"),
                doc("giay_xac_nhan", "Giấy tờ chứng minh thuộc diện miễn, giảm", "copy"),
            ],
            result="Đơn được UBND cấp xã xác nhận",
            legal="Nghị định 81/2021/NĐ-CP (mẫu, không phải văn bản chính thức)",
        ),
    ]


def _agency_codes() -> dict[str, list[str]]:
    wards = list(
        Agency.objects.filter(
            kind=Agency.Kind.WARD_COMMITTEE, is_active=True, admin_unit__parent__code="79"
        )
        .order_by("code")
        .values_list("code", flat=True)
    )
    centres = list(
        Agency.objects.filter(kind=Agency.Kind.SERVICE_CENTER, is_active=True)
        .order_by("code")
        .values_list("code", flat=True)
    )
    return {"wards": wards, "centres": centres}


def demo_catalog() -> dict:
    """The sample catalog as an import document, with the agencies present in this database."""
    codes = _agency_codes()
    have = set(Agency.objects.values_list("code", flat=True))
    procedures = demo_procedures()
    for p in procedures:
        if p["agency_level"] == "ward":
            p["agencies"] = codes["wards"]
        else:
            p["agencies"] = sorted({c for c in [p["agencies"], *codes["centres"]] if c in have})
    return {"format": FORMAT, "format_version": FORMAT_VERSION, "procedures": procedures}


def seed_procedures() -> ImportReport:
    """Idempotent: the second run reports every procedure unchanged."""
    report = catalog_import(demo_catalog())
    if not report.ok:  # pragma: no cover - a bug in the sample data
        raise RuntimeError("Sample procedures refused: " + "; ".join(report.refused))
    return report
