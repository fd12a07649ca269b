"""The PDF pipeline: Mẫu 01 and the online-submission acknowledgement, read back with pypdf."""

import importlib.util
import io
import threading
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from dossiers import pdf

RECEIPT = "pdf/form_01_receipt.html"
ACKNOWLEDGEMENT = "pdf/acknowledgement.html"
ROOT = Path(__file__).resolve().parents[2]

# Every letter of the Vietnamese alphabet with every tone mark, upper and lower case.
VIETNAMESE = (
    "".join(
        unicodedata.normalize("NFC", base + tone)
        for base in "aăâeêioôơuưyAĂÂEÊIOÔƠUƯY"
        for tone in ("", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323")
    )
    + "đĐ₫"
)


def text_of(document: bytes) -> str:
    return pdf.pdf_text(document)


def pages_of(document: bytes) -> int:
    return len(PdfReader(io.BytesIO(document)).pages)


@pytest.fixture(scope="module")
def receipt():
    return pdf.render_pdf(RECEIPT, pdf.sample_receipt_context())


def test_it_renders_form_01_with_every_field(receipt):
    assert receipt.startswith(b"%PDF-")
    text = text_of(receipt)
    for expected in (
        # national header, place and date
        "ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN",
        "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Thành phố Hồ Chí Minh, ngày 15 tháng 01 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Mã hồ sơ: X26740-260115-0001",
        # who filed
        "Nguyễn Thị Lan",
        "Số 12 đường Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "0903 123 456",
        "nguyen.thi.lan@example.vn",
        "Đăng ký khai sinh (thủ tục hành chính cấp xã)",
        # documents received, as a table
        "STT",
        "Tên giấy tờ",
        "Số lượng",
        "1 Tờ khai đăng ký khai sinh Bản chính 1",
        "3 Giấy chứng nhận kết hôn của cha mẹ Bản sao 1",
        "4 Căn cước công dân của người đi đăng ký Bản sao 1",
        "Số lượng hồ sơ: 1 (bộ)",
        "theo quy định là: 3 ngày làm việc",
        "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 15 tháng 01 năm 2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 15 giờ 30 phút, ngày 20 tháng 01 năm 2026",
        "Đăng ký nhận kết quả tại: Bộ phận Tiếp nhận và Trả kết quả Phường Sài Gòn (trực tiếp)",
        "Quyển số: 01/2026, Số thứ tự: 1",
        # signatures
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Trần Văn Đức",
        "https://dichvucong.example.vn/tra-cuu/",
    ):
        assert expected in text, expected
    assert pages_of(receipt) == 1


def test_it_renders_the_online_submission_acknowledgement():
    document = pdf.render_pdf(ACKNOWLEDGEMENT, pdf.sample_acknowledgement_context("X26740-0042"))
    text = " ".join(text_of(document).split())
    for expected in (
        "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN",
        "Độc lập - Tự do - Hạnh phúc",
        "Mã hồ sơ: X26740-0042",
        "Người nộp: Nguyễn Thị Lan",
        "Thủ tục hành chính: Đăng ký khai sinh",
        "Thời điểm nộp: 18 giờ 30 phút, ngày 14 tháng 01 năm 2026",
        "Cơ quan tiếp nhận: Bộ phận Tiếp nhận và Trả kết quả – Ủy ban nhân dân Phường Sài Gòn",
        "1 Tờ khai đăng ký khai sinh to-khai-khai-sinh.pdf",
        "2 Giấy chứng sinh giay-chung-sinh.jpg",
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01) sẽ được gửi",
    ):
        assert expected in text, expected


def test_it_embeds_only_the_shipped_font(receipt):
    """No system-font fallback: every glyph comes from the embedded Be Vietnam Pro."""
    reader = PdfReader(io.BytesIO(receipt))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[font["/BaseFont"]] = "/FontFile2" in descriptor.get_object()
    assert fonts and all("Be-Vietnam-Pro" in name for name in fonts), fonts
    assert all(fonts.values()), "fonts must be embedded"


def test_the_embedded_font_covers_the_vietnamese_alphabet():
    for filename in pdf.FONT_FILES.values():
        cmap = TTFont(pdf.FONT_DIR / filename).getBestCmap()
        missing = [c for c in VIETNAMESE if ord(c) not in cmap]
        assert not missing, (filename, missing)
    assert (ROOT / "static" / "fonts" / "OFL-BeVietnamPro.txt").exists()


def test_it_prints_every_vietnamese_letter_back_with_its_diacritics():
    context = pdf.sample_receipt_context()
    context["applicant"] = {**context["applicant"], "address": VIETNAMESE}
    text = text_of(pdf.render_pdf(RECEIPT, context))
    assert VIETNAMESE in "".join(text.split())


def test_it_escapes_what_citizens_typed():
    context = pdf.sample_receipt_context()
    context["applicant"] = {**context["applicant"], "name": "<b>Lê</b> & Co"}
    html = pdf.render_html(RECEIPT, context)
    assert "&lt;b&gt;Lê&lt;/b&gt; &amp; Co" in html
    assert "<b>Lê</b> & Co" in text_of(pdf.render_pdf(RECEIPT, context))


def test_the_qr_code_is_an_inline_image_of_the_lookup_url():
    url = "https://dichvucong.example.vn/tra-cuu/X26740-260115-0001/"
    uri = pdf.qr_data_uri(url)
    assert uri.startswith("data:image/svg+xml")
    assert pdf.qr_data_uri(url) is uri  # cached
    assert uri == pdf.make_qr_data_uri(url)
    assert pdf.make_qr_data_uri(url + "x") != uri
    html = pdf.render_html(RECEIPT, pdf.sample_receipt_context())
    assert f'<img class="qr" src="{uri}"' in html


def test_a_long_list_of_documents_flows_onto_a_second_page():
    context = pdf.sample_receipt_context()
    context["documents"] = [
        {"name": f"Giấy tờ số {i} kèm theo hồ sơ", "kind": "Bản sao", "count": 1}
        for i in range(1, 46)
    ]
    document = pdf.render_pdf(RECEIPT, context)
    text = text_of(document)
    assert pages_of(document) == 2
    assert "Trang 1/2" in text and "Trang 2/2" in text
    assert "45 Giấy tờ số 45 kèm theo hồ sơ Bản sao 1" in text


def test_it_renders_from_several_threads_at_once():
    results = {}

    def render(code):
        results[code] = pdf.render_pdf(RECEIPT, pdf.sample_receipt_context(code))

    threads = [threading.Thread(target=render, args=(f"T-{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for code, document in results.items():
        assert f"Mã hồ sơ: {code}" in text_of(document)
    assert len(results) == 3


def test_it_shows_the_same_content_as_the_naive_rendering(receipt):
    """The bench's naive way (system font, everything fresh) prints the same text and pages."""
    spec = importlib.util.spec_from_file_location("pdf_render", ROOT / "bench" / "pdf_render.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    naive = bench.render_naive(pdf.sample_receipt_context())
    assert bench.normalised_text(naive) == bench.normalised_text(receipt)
