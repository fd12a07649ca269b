"""Render N Mẫu 01 receipts the naive way and our way; print seconds per document.

    .venv/bin/python bench/pdf_render.py            # N=200, a few minutes
    .venv/bin/python bench/pdf_render.py --quick    # N=20, well under a minute
    .venv/bin/python bench/pdf_render.py --profile  # also cProfile both ways (top functions)

The naive way is what a first version would do, fresh for every document: compile the template,
make the QR code as an SVG with segno (``naive_qr_data_uri``), inline the stylesheet naming a
system font (DejaVu Sans) and call ``weasyprint.HTML(string=html).write_pdf()`` (a new
``FontConfiguration``, WeasyPrint's user-agent stylesheet, the stylesheet parsed again, the font
subset for the document). Ours is ``dossiers.pdf.render_pdf`` (its module docstring lists what
it does and what each step saves). Both render the product's template and ``pdf.css``, so what
makes those cheaper to lay out (the borderless tables in the separate border model) speeds up
both ways alike. Documents differ (their codes, hence their QR codes); the two ways alternate so
load on the machine hits both. Every pair must extract to the same text (pypdf,
whitespace-normalised: the fonts differ, so lines may wrap elsewhere) with the same page count,
or the bench exits with status 1. (Ours draws the QR code as a PNG image, the naive way as SVG
paths; the modules are the same, see tests/dossiers/test_pdf.py.)

``--no-harfbuzz-subset`` makes WeasyPrint subset fonts with fontTools, as it does on a system
without libharfbuzz-subset: the case this bench is about, where subsetting DejaVu Sans costs the
naive way some 300 ms a document. The Docker image installs libharfbuzz-subset, and so does
Debian's chromium (a dependency), which ``scripts/test`` installs: where it is present, the naive
way subsets in a few milliseconds too and the ratio falls to about 1.5.

Measured on the 2-core development machine, 20 documents (``--quick``), 2 December 2026 (evening):
with HarfBuzz naive 0.076 s, ours 0.069 s a document, ratio 1.11, and an empty page 5.2 ms;
without it (``--no-harfbuzz-subset``) naive 0.411 s, ours 0.076 s, ratio 5.39, an empty page
15.2 ms (the pre-reduced font is then embedded whole, even in an empty page). 10x would need ours
at 7.6 ms and 41 ms respectively: with HarfBuzz that is within 3 ms of WeasyPrint's floor.

The last line printed is one JSON object:
``{"documents": N, "naive_s_per_doc": …, "ours_s_per_doc": …, "ratio": …,
"empty_page_s_per_doc": …}`` (wall-clock). The last figure is WeasyPrint's floor, timed in the
same loop: an empty page through our renderer, with everything reusable reused. No renderer
that calls WeasyPrint once per document can go below it.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()
# WeasyPrint logs every step at INFO (its user-agent stylesheets at import) and the settings send
# INFO to the console.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)

import segno  # noqa: E402
import weasyprint  # noqa: E402
from django.template import Context, Engine  # noqa: E402

from dossiers import pdf  # noqa: E402

TEMPLATE = "pdf/form_01_receipt.html"
NAIVE_FONT_CSS = 'html { font-family: "DejaVu Sans"; }'


def naive_qr_data_uri(url: str) -> str:
    """The QR code as an SVG data: URI, as a first version would make it with segno."""
    qr = segno.make(url, error="m", micro=False)
    return qr.svg_data_uri(scale=4, border=2, xmldecl=False, nl=False)


def render_naive(context: dict) -> bytes:
    """Everything fresh: template engine and compile, QR, stylesheet parse, fonts, subsetting."""
    engine = Engine(dirs=[str(ROOT / "templates")], builtins=["dossiers.printed_dates"])
    full = {**context, "qr_uri": naive_qr_data_uri(context["lookup_url"])}
    html = engine.get_template(TEMPLATE).render(Context(full))
    css = pdf.STYLESHEET.read_text(encoding="utf-8") + "\n" + NAIVE_FONT_CSS
    html = html.replace("</head>", f"<style>{css}</style></head>", 1)
    return weasyprint.HTML(string=html).write_pdf()


def render_ours(context: dict) -> bytes:
    return pdf.render_pdf(TEMPLATE, context)


EMPTY_HTML = (
    '<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body></body></html>'
)


def render_empty(_context: dict) -> bytes:
    """WeasyPrint's floor: an empty page through our renderer (fonts, stylesheets reused)."""
    return pdf._renderer().write_pdf(EMPTY_HTML)


def contexts(n: int) -> list[dict]:
    return [pdf.sample_receipt_context(f"X26740-260115-{i:04d}") for i in range(1, n + 1)]


def normalised_text(document: bytes) -> tuple[str, int]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(document))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), len(reader.pages)


def profile(label: str, render, items: list[dict]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for context in items:
        render(context)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(25)
    print(f"--- cProfile, {label}, {len(items)} documents, by cumulative time ---")
    print("\n".join(out.getvalue().splitlines()[:45]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--documents", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="20 documents")
    parser.add_argument("--profile", action="store_true", help="cProfile 5 documents each way")
    parser.add_argument("--no-harfbuzz-subset", action="store_true")
    args = parser.parse_args()
    n = args.documents or (20 if args.quick else 200)

    if args.no_harfbuzz_subset:
        import weasyprint.pdf.fonts

        weasyprint.pdf.fonts.harfbuzz_subset = None

    started = time.perf_counter()
    render_ours(pdf.sample_receipt_context("WARM-UP"))  # per-process set-up, once per worker
    render_naive(pdf.sample_receipt_context("WARM-UP"))
    print(f"one-time set-up of ours (fonts, stylesheets): {time.perf_counter() - started:.3f} s")

    items = contexts(n)
    if args.profile:
        profile("naive", render_naive, items[:5])
        profile("ours", render_ours, items[:5])

    wall = {"naive": 0.0, "ours": 0.0, "empty": 0.0}
    cpu = {"naive": 0.0, "ours": 0.0, "empty": 0.0}
    mismatches = 0
    for context in items:
        outputs = {}
        for label, render in (
            ("naive", render_naive),
            ("ours", render_ours),
            ("empty", render_empty),
        ):
            w, c = time.perf_counter(), time.process_time()
            outputs[label] = render(context)
            wall[label] += time.perf_counter() - w
            cpu[label] += time.process_time() - c
        naive_text, naive_pages = normalised_text(outputs["naive"])
        ours_text, ours_pages = normalised_text(outputs["ours"])
        if naive_text != ours_text or naive_pages != ours_pages:
            mismatches += 1
            if mismatches == 1:
                print(f"MISMATCH for {context['dossier_code']}: pages {naive_pages}/{ours_pages}")
                print(f"naive: {naive_text}\nours:  {ours_text}")
    print(
        f"identical visible content: {n - mismatches}/{n} documents extract to the same text "
        f"with the same page count ({ours_pages} page(s), {len(outputs['ours'])} bytes ours, "
        f"{len(outputs['naive'])} bytes naive)"
    )
    print(
        f"CPU s/doc: naive {cpu['naive'] / n:.4f}, ours {cpu['ours'] / n:.4f}, "
        f"ratio {cpu['naive'] / cpu['ours']:.2f}"
    )
    floor = wall["empty"] / n
    print(
        f"WeasyPrint's floor (an empty page, our set-up reused): {floor * 1000:.1f} ms a document; "
        f"10x the naive way needs ours at {wall['naive'] / n / 10 * 1000:.1f} ms"
    )
    result = {
        "documents": n,
        "naive_s_per_doc": round(wall["naive"] / n, 4),
        "ours_s_per_doc": round(wall["ours"] / n, 4),
        "ratio": round(wall["naive"] / wall["ours"], 2),
        "empty_page_s_per_doc": round(floor, 4),
    }
    print(json.dumps(result))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
