"""The printed documents (Mẫu 01–06 and the online-submission acknowledgement) as PDF.

``render_pdf("pdf/form_01_receipt.html", context)`` renders a template of ``templates/pdf/``
with WeasyPrint and returns the PDF bytes. It works from a plain context dict (see
``sample_receipt_context()`` for the keys of Mẫu 01 and ``sample_acknowledgement_context()`` for
the acknowledgement); ``render_pdf`` adds ``qr_uri``, a QR code of ``context["lookup_url"]`` as a
``data:`` URI, and ``issued_at`` (now) when missing.

Speed (``bench/pdf_render.py``; cProfile, and callgrind for instruction counts that the noise
of a shared machine does not blur): one Celery worker process renders many documents, so what
does not depend on the document is built once per thread and reused: a ``FontConfiguration``
(Pango font map), the parsed ``weasyprint.CSS`` stylesheets with the ``@font-face`` rules loaded,
a ``URLFetcher`` that allows only ``data:`` URIs, the compiled template (Django's cached loader)
and the QR code of a look-up URL. The embedded font is Be Vietnam Pro (regular, bold) merged once
from the @fontsource woff2 subsets and reduced with fontTools to the Latin + Vietnamese
characters (``build_pdf_fonts()``; the result ships in ``static/fonts/pdf/``, 48 KB a weight).
Without libharfbuzz-subset WeasyPrint subsets fonts with fontTools, which dominates the naive
way's time; we then embed the pre-reduced font whole (``full_fonts=True``). With HarfBuzz's
subsetter (the Docker image installs it; so does Debian's chromium, which ``scripts/test``
installs) subsetting is cheap and we let it subset.

Then, per document, WeasyPrint is given less to do, none of it visible: for every template the
tests compare the page content streams of the PDFs made with our user-agent stylesheet and with
WeasyPrint's, and with the separate and the collapsing border model; the QR code is the one
change that shows, as the same modules drawn as an image instead of paths. Measured on Mẫu 01
without HarfBuzz (cProfile and callgrind instruction counts):

- the QR code is a small PNG (``make_qr_data_uri()``, 4 pixels a module), scaled up without
  interpolation, not an SVG path that WeasyPrint parses and draws in Python: ~7 ms;
- a user-agent stylesheet (``templates/pdf/ua.css``) with only the rules of WeasyPrint's that
  can apply to the elements the templates use (``UA_ELEMENTS``): no ``::marker`` and footnote
  pseudo-element styles computed for every element, fewer rules matched: ~2 ms;
- the tables without borders use the separate border model (``pdf.css``): WeasyPrint resolves
  and draws collapsed borders cell by cell for every collapsing table: ~2 ms.

Measured and not kept, as too clever for what they save: parsing the templates' HTML with expat
instead of WeasyPrint's pure-Python parser (~4 ms), deflating the embedded fonts once through a
``finisher`` (~4 ms, and only when fonts are embedded whole), pausing the garbage collector
during a render (~2.5 ms; process-wide).

What remains (about 70 ms of CPU here without HarfBuzz) is WeasyPrint's own work on the page, which no cache
removes: the CSS cascade and the box tree (~10 ms), layout, mostly Pango line breaking (~25 ms),
drawing (~12 ms), reading every glyph's width with fontTools when a font is embedded whole
(~6 ms), writing the PDF (~4 ms); and segno choosing the QR code's mask (~4 ms). Laying out the
two-column parts (national header, code and QR, fields, signatures) with floats instead of tables
costs the same (measured), so they stay tables, with the fixed layout algorithm.
"""

from __future__ import annotations

import atexit
import base64
import functools
import io
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone

FONT_FAMILY = "Be Vietnam Pro"
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts" / "pdf"
FONT_FILES = {400: "BeVietnamPro-PDF-Regular.ttf", 700: "BeVietnamPro-PDF-Bold.ttf"}
STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "pdf.css"
UA_STYLESHEET = Path(settings.BASE_DIR) / "templates" / "pdf" / "ua.css"
# The elements the templates may use: UA_STYLESHEET has WeasyPrint's user-agent rules for these.
UA_ELEMENTS = frozenset(
    "html head title meta style body div p h1 span strong br img"  # noqa: SIM905
    " table colgroup col thead tbody tr th td".split()
)

# Characters the embedded font keeps: ASCII and Latin-1, the Vietnamese letters (Đ/đ, Ă/ă,
# Ĩ/ĩ, Ũ/ũ, Ơ/ơ, Ư/ư and the precomposed tone marks of U+1EA0–1EF9), the combining tone marks,
# general punctuation (dashes, quotes, ellipsis), ₫, €, № and a few symbols.
PDF_FONT_UNICODES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x0102, 0x0103),
    (0x0110, 0x0111),
    (0x0128, 0x0129),
    (0x0168, 0x0169),
    (0x01A0, 0x01A1),
    (0x01AF, 0x01B0),
    (0x0300, 0x0304),
    (0x0306, 0x0306),
    (0x0308, 0x0309),
    (0x0323, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2000, 0x206F),
    (0x20AB, 0x20AC),
    (0x2116, 0x2116),
    (0x2122, 0x2122),
    (0x2212, 0x2212),
)
_SOURCE_SUBSETS = ("latin", "latin-ext", "vietnamese")


def build_pdf_fonts(out_dir: Path = FONT_DIR) -> list[Path]:
    """Build the TTFs the PDFs embed from the @fontsource woff2 subsets in ``static/fonts/``.

    For each weight: merge the latin, latin-ext and vietnamese subsets into one font, keep only
    ``PDF_FONT_UNICODES`` and drop hinting (PDFs do not need it). Run once; the output is
    committed (``python -c "import django; django.setup(); from dossiers.pdf import
    build_pdf_fonts; build_pdf_fonts()"`` with ``DJANGO_SETTINGS_MODULE=portal.settings``).
    """
    import logging
    import tempfile

    from fontTools import subset
    from fontTools.merge import Merger
    from fontTools.merge import Options as MergeOptions
    from fontTools.ttLib import TTFont

    source = Path(settings.BASE_DIR) / "static" / "fonts"
    out_dir.mkdir(parents=True, exist_ok=True)
    unicodes = [cp for low, high in PDF_FONT_UNICODES for cp in range(low, high + 1)]
    options = subset.Options(
        hinting=False,
        layout_features=["*"],
        name_IDs=["*"],
        name_languages=["*"],
        notdef_outline=True,
        glyph_names=False,
        ignore_missing_unicodes=True,
    )
    fonttools_log = logging.getLogger("fontTools")
    level = fonttools_log.level
    fonttools_log.setLevel(logging.ERROR)  # merge and subset log every table at INFO
    written = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for weight, filename in FONT_FILES.items():
                parts = []
                for name in _SOURCE_SUBSETS:
                    font = TTFont(source / f"be-vietnam-pro-{name}-{weight}-normal.woff2")
                    font.flavor = None
                    part = Path(tmp) / f"{name}-{weight}.ttf"
                    font.save(part)
                    parts.append(str(part))
                merged = Merger(options=MergeOptions(drop_tables=[])).merge(parts)
                subsetter = subset.Subsetter(options)
                subsetter.populate(unicodes=unicodes)
                subsetter.subset(merged)
                merged.save(out_dir / filename)
                written.append(out_dir / filename)
    finally:
        fonttools_log.setLevel(level)
    return written


def _font_face_css() -> str:
    rules = []
    for weight, filename in FONT_FILES.items():
        path = FONT_DIR / filename
        if not path.exists():
            raise FileNotFoundError(f"{path} is missing: run dossiers.pdf.build_pdf_fonts()")
        rules.append(
            f'@font-face {{ font-family: "{FONT_FAMILY}"; font-style: normal; '
            f'font-weight: {weight}; src: url("{path.as_uri()}") format("truetype"); }}'
        )
    rules.append(f'html {{ font-family: "{FONT_FAMILY}"; }}')
    return "\n".join(rules)


class _Renderer:
    """What every document of one thread shares: fonts and parsed stylesheets.

    WeasyPrint's ``FontConfiguration`` wraps a Pango font map that is not meant to be shared
    between threads, so each thread gets its own (``_local``); a process builds it once.
    """

    def __init__(self) -> None:
        from weasyprint import CSS, HTML
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher

        # Documents load nothing but data: URIs (the QR code): no files, no network.
        self.url_fetcher = URLFetcher(allowed_protocols={"data"})
        self.full_fonts = not _harfbuzz_subsets()
        self.font_config = FontConfiguration()
        self.stylesheets = [
            CSS(string=_font_face_css(), font_config=self.font_config),
            CSS(filename=str(STYLESHEET), font_config=self.font_config),
        ]
        ua_stylesheets = [CSS(filename=str(UA_STYLESHEET))]

        class PdfHTML(HTML):
            """``weasyprint.HTML`` with our user-agent stylesheet (``UA_STYLESHEET``). The tests
            render every template with it and with WeasyPrint's and compare the PDFs."""

            def _ua_stylesheets(self, forms: bool = False) -> list:
                return ua_stylesheets

        self.html_class = PdfHTML

    def document(self, html: str):
        """The ``weasyprint.HTML`` document of ``html``."""
        return self.html_class(string=html, url_fetcher=self.url_fetcher)

    def write_pdf(self, html: str, **options: Any) -> bytes:
        return self.document(html).write_pdf(
            stylesheets=self.stylesheets,
            font_config=self.font_config,
            full_fonts=self.full_fonts,
            **options,
        )


def _harfbuzz_subsets() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (libharfbuzz-subset >= 4.1) here.

    Measured per Mẫu 01 (CPU): with HarfBuzz, subsetting our small font costs less than
    embedding it whole (``full_fonts=True`` makes WeasyPrint read every glyph's width with
    fontTools): 110 vs 124 ms, and 20 KB vs 49 KB files. Without it WeasyPrint subsets with
    fontTools and embedding the pre-reduced font whole is faster: 104 vs 132 ms.
    """
    try:
        from weasyprint.pdf import fonts
        from weasyprint.text.ffi import harfbuzz
    except ImportError:  # pragma: no cover
        return False
    return fonts.harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


_local = threading.local()


def _renderer() -> _Renderer:
    renderer = getattr(_local, "renderer", None)
    if renderer is None:
        renderer = _local.renderer = _Renderer()
    return renderer


@atexit.register
def _drop_renderer() -> None:
    # FontConfiguration.__del__ removes its temporary font folder; run it before interpreter
    # shutdown tears down the modules it needs.
    _local.__dict__.pop("renderer", None)


# A few pixels a module, not one: a viewer that smooths images anyway keeps the modules sharp.
QR_PIXELS_PER_MODULE = 4


def make_qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as a PNG ``data:`` URI (no file, no network).

    ``QR_PIXELS_PER_MODULE`` pixels a module, with the 2-module quiet zone, 8-bit grey: ``pdf.css`` scales it up with
    ``image-rendering: pixelated`` (the PDF image is not interpolated, the modules stay sharp).
    An SVG of the same code takes WeasyPrint several milliseconds to parse and draw as paths.
    """
    from PIL import Image

    qr = segno.make(url, error="m", micro=False)
    width, height = qr.symbol_size(scale=QR_PIXELS_PER_MODULE, border=2)
    pixels = bytes(
        0 if dark else 255
        for row in qr.matrix_iter(scale=QR_PIXELS_PER_MODULE, border=2)
        for dark in row
    )
    png = io.BytesIO()
    Image.frombytes("L", (width, height), pixels).save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


@functools.lru_cache(maxsize=256)
def qr_data_uri(url: str) -> str:
    """Cached ``make_qr_data_uri``: the same look-up URL is printed on several forms."""
    return make_qr_data_uri(url)


def document_context(context: dict[str, Any]) -> dict[str, Any]:
    """The template context: ``context`` plus ``qr_uri`` and ``issued_at`` when missing."""
    full = dict(context)
    full.setdefault("issued_at", timezone.now())
    if "qr_uri" not in full:
        full["qr_uri"] = qr_data_uri(full["lookup_url"])
    return full


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """The HTML of a printed document (no stylesheet: ``render_pdf`` adds it)."""
    return get_template(template_name).render(document_context(context))


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``templates/<template_name>`` (e.g. ``"pdf/form_01_receipt.html"``) to PDF bytes.

    ``context`` is a plain dict; it needs at least ``agency_name``, ``reception_unit``,
    ``dossier_code`` and ``lookup_url`` (the public look-up page the QR code points to).
    """
    return _renderer().write_pdf(render_html(template_name, context))


def sample_receipt_context(dossier_code: str = "X26740-260115-0001") -> dict[str, Any]:
    """A realistic context for Mẫu 01 (tests, the bench, previews)."""
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    received = datetime(2026, 1, 15, 8, 30, tzinfo=tz)
    return {
        "agency_name": "Ủy ban nhân dân Phường Sài Gòn",
        "reception_unit": "Bộ phận Tiếp nhận và Trả kết quả",
        "place": "Thành phố Hồ Chí Minh",
        "issued_at": received,
        "dossier_code": dossier_code,
        "lookup_url": f"https://dichvucong.example.vn/tra-cuu/{dossier_code}/",
        "applicant": {
            "name": "Nguyễn Thị Lan",
            "address": "Số 12 đường Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
            "phone": "0903 123 456",
            "email": "nguyen.thi.lan@example.vn",
        },
        "procedure_name": "Đăng ký khai sinh (thủ tục hành chính cấp xã)",
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "kind": "Bản chính", "count": 1},
            {"name": "Giấy chứng sinh", "kind": "Bản chính", "count": 1},
            {"name": "Giấy chứng nhận kết hôn của cha mẹ", "kind": "Bản sao", "count": 1},
            {"name": "Căn cước công dân của người đi đăng ký", "kind": "Bản sao", "count": 1},
        ],
        "sets_count": 1,
        "processing_days": 3,
        "received_at": received,
        "due_at": received + timedelta(days=5, hours=7),
        "result_delivery": "Bộ phận Tiếp nhận và Trả kết quả Phường Sài Gòn (trực tiếp)",
        "logbook_volume": "01/2026",
        "logbook_number": 1,
        "receiving_officer": "Trần Văn Đức",
    }


def sample_acknowledgement_context(dossier_code: str = "X26740-260115-0001") -> dict[str, Any]:
    """A realistic context for the online-submission acknowledgement."""
    receipt = sample_receipt_context(dossier_code)
    return {
        **{k: receipt[k] for k in ("agency_name", "reception_unit", "place", "dossier_code")},
        "lookup_url": receipt["lookup_url"],
        "issued_at": receipt["received_at"] - timedelta(hours=14),
        "submitted_at": receipt["received_at"] - timedelta(hours=14),
        "applicant": receipt["applicant"],
        "procedure_name": receipt["procedure_name"],
        "documents": [
            {"name": "Tờ khai đăng ký khai sinh", "filename": "to-khai-khai-sinh.pdf"},
            {"name": "Giấy chứng sinh", "filename": "giay-chung-sinh.jpg"},
            {"name": "Giấy chứng nhận kết hôn của cha mẹ", "filename": "ket-hon.pdf"},
        ],
    }


def pdf_text(pdf: bytes) -> str:
    """The text of a PDF as pypdf extracts it (tests and the bench; pypdf is a dev extra)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
