"""The PDF pipeline: Mẫu 01 and the online-submission acknowledgement, read back with pypdf;
and, for every template, that the fast paths of dossiers/pdf.py (our user-agent stylesheet, the
separate border model of the layout tables) print exactly what WeasyPrint's defaults print."""

import base64
import importlib.util
import io
import re
import threading
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import segno
import weasyprint
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import BooleanObject

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


def embedded_fonts(document: bytes) -> dict[str, bool]:
    """The fonts of a PDF's pages: base name → whether the font program is embedded."""
    fonts = {}
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            fonts[str(font["/BaseFont"])] = "/FontFile2" in descriptor.get_object()
    return fonts


def test_it_embeds_only_the_shipped_font(receipt):
    """No system-font fallback: every glyph comes from the embedded Be Vietnam Pro."""
    fonts = embedded_fonts(receipt)
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


def test_the_qr_code_is_an_inline_png_of_the_lookup_url():
    url = "https://dichvucong.example.vn/tra-cuu/X26740-260115-0001/"
    uri = pdf.qr_data_uri(url)
    assert uri.startswith("data:image/png;base64,")
    assert pdf.qr_data_uri(url) is uri  # cached
    assert uri == pdf.make_qr_data_uri(url)
    assert pdf.make_qr_data_uri(url + "x") != uri
    html = pdf.render_html(RECEIPT, pdf.sample_receipt_context())
    assert f'<img class="qr" src="{uri}"' in html


def test_the_qr_png_is_segnos_code():
    url = "https://dichvucong.example.vn/tra-cuu/X26740-260115-0001/"
    image = Image.open(io.BytesIO(base64.b64decode(pdf.qr_data_uri(url).split(",", 1)[1])))
    code = segno.make(url, error="m", micro=False)
    assert image.mode == "L"
    scale = pdf.QR_PIXELS_PER_MODULE
    assert image.size == code.symbol_size(scale=scale, border=2)
    expected = [
        0 if dark else 255 for row in code.matrix_iter(scale=scale, border=2) for dark in row
    ]
    assert list(image.tobytes()) == expected


def test_the_qr_code_is_drawn_with_sharp_modules(receipt):
    """image-rendering: pixelated (pdf.css): the PDF viewer must not blur the modules."""
    images = [
        xobject.get_object()
        for xobject in PdfReader(io.BytesIO(receipt)).pages[0]["/Resources"]["/XObject"].values()
    ]
    assert len(images) == 1
    assert images[0]["/Subtype"] == "/Image"
    assert images[0]["/Interpolate"] == BooleanObject(False)


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


# Every template with a realistic context, and the cases that stretch it (empty lists, several
# pages, a wrapped decision note).
def template_cases() -> list[tuple[str, str, dict]]:
    receipt = pdf.sample_receipt_context()
    acknowledgement = pdf.sample_acknowledgement_context()
    common = {
        key: receipt[key]
        for key in (
            "agency_name",
            "reception_unit",
            "place",
            "issued_at",
            "dossier_code",
            "lookup_url",
            "applicant",
            "procedure_name",
            "received_at",
            "due_at",
        )
    }
    row = {
        "step": "Tiếp nhận, chuyển hồ sơ giải quyết",
        "unit": "Bộ phận TN&TKQ – Bộ phận chuyên môn",
        "handed_by": "Trần Văn Đức",
        "received_by": "Phạm Thị Hoa",
        "result": "Đúng hạn",
        "note": "Ghi chú về bước xử lý",
    }
    rows = [{**row, "at": receipt["received_at"] + timedelta(hours=i)} for i in range(30)]
    long_documents = [
        {"name": f"Giấy tờ số {i} kèm theo hồ sơ", "kind": "Bản sao", "count": 1}
        for i in range(1, 46)
    ]
    return [
        ("01", "pdf/form_01_receipt.html", receipt),
        ("01-2-pages", "pdf/form_01_receipt.html", {**receipt, "documents": long_documents}),
        ("01-empty", "pdf/form_01_receipt.html", {**receipt, "documents": []}),
        ("ack", "pdf/acknowledgement.html", acknowledgement),
        ("ack-empty", "pdf/acknowledgement.html", {**acknowledgement, "documents": []}),
        (
            "02",
            "pdf/form_02_supplement.html",
            {
                **common,
                "items": [{"what": "Giấy chứng sinh (bản chính)", "reason": "Bản đã nộp bị mờ"}],
                "note": "",
                "officer_name": "Trần Văn Đức",
                "officer_phone": "028 3823 0000",
                "round": 2,
            },
        ),
        (
            "03",
            "pdf/form_03_refusal.html",
            {**common, "reasons": ["Hồ sơ không thuộc thẩm quyền"], "officer_name": "Trần Văn Đức"},
        ),
        (
            "04",
            "pdf/form_04_apology.html",
            {
                **common,
                "reason": "Cần xác minh thêm thông tin",
                "original_due_at": receipt["due_at"],
                "new_appointment": receipt["due_at"] + timedelta(days=3),
                "agency_head": "Lê Văn Minh",
                "foreseen": True,
            },
        ),
        ("05-3-pages", "pdf/form_05_control_sheet.html", {**common, "rows": rows}),
        ("05-empty", "pdf/form_05_control_sheet.html", {**common, "rows": [], "due_at": None}),
        (
            "fee",
            "pdf/receipt_fee.html",
            {
                **common,
                "receipt_number": "BL-2026-000123",
                "payer": {"name": "Nguyễn Thị Lan", "citizen_id": "079190001234"},
                "procedure_code": "1.001193",
                "fee_rule": "Lệ phí đăng ký khai sinh",
                "amount_figures": "50.000",
                "amount_words": "Năm mươi nghìn đồng",
                "provider_name": "Cổng thanh toán VNPAY",
                "txn_ref": "DVC-20260115-0001",
                "paid_at": receipt["received_at"],
            },
        ),
        (
            "result",
            "pdf/result.html",
            {
                **common,
                "decided_at": receipt["due_at"],
                "decision_note": "Dòng một\nDòng hai",
                "head_name": "Lê Văn Minh",
                "head_title": "Chủ tịch",
            },
        ),
    ]


CASES = template_cases()
CASE_IDS = [case[0] for case in CASES]


def test_the_cases_cover_every_template():
    templates = {path.name for path in (ROOT / "templates" / "pdf").glob("*.html")} - {"base.html"}
    assert templates == {Path(template).name for _, template, _ in CASES}


@pytest.fixture(scope="module")
def renderer():
    return pdf._Renderer()


def content_streams(document: bytes) -> list[bytes]:
    return [page.get_contents().get_data() for page in PdfReader(io.BytesIO(document)).pages]


def outline(document: bytes) -> list:
    reader = PdfReader(io.BytesIO(document))
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def write(renderer, document, **options) -> bytes:
    return document.write_pdf(
        stylesheets=renderer.stylesheets,
        font_config=renderer.font_config,
        full_fonts=renderer.full_fonts,
        uncompressed_pdf=True,
        **options,
    )


def test_the_templates_use_only_the_elements_of_our_user_agent_stylesheet():
    ua_css = pdf.UA_STYLESHEET.read_text(encoding="utf-8")
    assert all(re.search(rf"\b{name}\b", ua_css) for name in pdf.UA_ELEMENTS)
    for _, template, context in CASES:
        root = weasyprint.HTML(string=pdf.render_html(template, context)).etree_element
        used = {element.tag for element in root.iter()}
        assert used <= pdf.UA_ELEMENTS, (template, used - pdf.UA_ELEMENTS)


@pytest.mark.parametrize(("case", "template", "context"), CASES, ids=CASE_IDS)
def test_our_user_agent_stylesheet_prints_what_weasyprints_prints(
    renderer, case, template, context
):
    class WeasyPrintUA(renderer.html_class):
        def _ua_stylesheets(self, forms=False):
            return weasyprint.HTML._ua_stylesheets(self, forms)

    html = pdf.render_html(template, context)
    ours = write(renderer, renderer.document(html))
    theirs = write(renderer, WeasyPrintUA(string=html, url_fetcher=renderer.url_fetcher))
    assert content_streams(ours) == content_streams(theirs)
    assert outline(ours) == outline(theirs) != []


@pytest.mark.parametrize(("case", "template", "context"), CASES, ids=CASE_IDS)
def test_the_separate_border_model_places_the_borderless_tables_the_same(
    renderer, case, template, context
):
    """pdf.css: collapsing borders cost WeasyPrint per cell; only the grids have borders."""
    css = pdf.STYLESHEET.read_text(encoding="utf-8")
    separate = "border-collapse: separate; border-spacing: 0;"
    assert separate in css
    collapsing = weasyprint.CSS(
        string=css.replace(separate, "border-collapse: collapse;"), font_config=renderer.font_config
    )
    html = pdf.render_html(template, context)
    ours = write(renderer, renderer.document(html))
    theirs = renderer.document(html).write_pdf(
        stylesheets=[renderer.stylesheets[0], collapsing],
        font_config=renderer.font_config,
        full_fonts=renderer.full_fonts,
        uncompressed_pdf=True,
    )
    assert content_streams(ours) == content_streams(theirs)


@pytest.mark.parametrize(("case", "template", "context"), CASES, ids=CASE_IDS)
def test_every_template_prints_with_the_embedded_font_alone(case, template, context):
    """A character the font lacks (an arrow, say) makes WeasyPrint fall back to a system font,
    which it then embeds: a different look, and without HarfBuzz a slow, large PDF."""
    fonts = embedded_fonts(pdf.render_pdf(template, context))
    assert fonts and all("Be-Vietnam-Pro" in name for name in fonts), (template, fonts)
