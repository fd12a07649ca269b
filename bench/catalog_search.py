"""Catalog search at city scale: 6,000 published procedures, hundreds of varied searches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/catalog_search.py
    ... bench/catalog_search.py --quick      # 200 searches, well under a minute

The script creates its own throw-away database on the server DATABASE_URL points at (and drops it
at the end), migrates it, loads 6,000 procedures with a published version and three documents
each, then times every search the way the catalog page runs it (``procedures.selectors``:
filters → count → first page → its waivers; template rendering excluded) — accented, unaccented,
wrong accents, partial words, national codes, misses. As a baseline it runs the same searches
with a plain ``name__icontains`` (no normalisation, no index), paginated the same way.

The last line printed is one JSON object:
``{"procedures": 6000, "searches": N, "p50_ms": …, "p95_ms": …, "baseline_p95_ms": …,
"ratio": baseline_p95/p95}``. Target: p95_ms ≤ 20.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N_PROCEDURES = 6000
ACTIONS = [
    "Đăng ký",
    "Đăng ký lại",
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Xác nhận",
    "Chứng thực",
    "Thẩm định",
    "Phê duyệt",
    "Công nhận",
    "Thông báo",
    "Hỗ trợ",
]
OBJECTS = [
    "khai sinh",
    "khai tử",
    "kết hôn",
    "giám hộ",
    "nhận cha, mẹ, con",
    "giấy phép xây dựng",
    "giấy phép sửa chữa nhà ở",
    "hộ kinh doanh",
    "giấy chứng nhận quyền sử dụng đất",
    "biến động đất đai",
    "phiếu lý lịch tư pháp",
    "bản sao từ bản chính",
    "chữ ký trong giấy tờ",
    "hợp đồng chuyển nhượng",
    "giấy phép lái xe",
    "cơ sở đủ điều kiện an toàn thực phẩm",
    "giấy phép kinh doanh karaoke",
    "trợ cấp xã hội hằng tháng",
    "miễn, giảm học phí",
    "giấy phép hành nghề y",
    "đăng ký môi trường",
    "tổ chức lễ hội",
    "giấy phép quảng cáo",
    "chứng chỉ hành nghề môi giới",
    "giấy xác nhận tình trạng hôn nhân",
    "trích lục hộ tịch",
    "giấy phép khai thác nước dưới đất",
    "thành lập trường mầm non",
    "hoạt động câu lạc bộ thể thao",
    "nhà ở xã hội",
]
QUALIFIERS = [
    "",
    "cho công dân Việt Nam",
    "có yếu tố nước ngoài",
    "tại cấp xã",
    "tại cấp tỉnh",
    "đối với cá nhân",
    "đối với tổ chức",
    "trong trường hợp bị mất",
    "do thay đổi thông tin",
    "cho người nước ngoài cư trú tại Việt Nam",
    "đối với cơ sở sản xuất, kinh doanh",
    "lần đầu",
    "trực tuyến toàn trình",
    "cho doanh nghiệp nhỏ và vừa",
    "theo yêu cầu của cơ quan có thẩm quyền",
]
FIELDS = ["civil_status", "certification", "construction", "business_household", "land", "other"]


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def wrong_accents(text: str, rng: random.Random) -> str:
    """Keep the base letters, put some accents on the wrong vowels (dăng ky khai sính)."""
    out = []
    for ch in strip_accents(text):
        if ch in "aeiouy" and rng.random() < 0.3:
            ch = unicodedata.normalize(
                "NFC", ch + rng.choice(["\u0300", "\u0301", "\u0303", "\u0323"])
            )
        out.append(ch)
    return "".join(out)


def make_names(rng: random.Random) -> list[str]:
    combos = [(a, o, q) for a in ACTIONS for o in OBJECTS for q in QUALIFIERS]
    rng.shuffle(combos)
    return [" ".join(p for p in combo if p) for combo in combos[:N_PROCEDURES]]


def make_queries(names: list[str], codes: list[str], n: int, rng: random.Random) -> list[str]:
    makers = [
        lambda name, code: name,  # exactly as written
        lambda name, code: strip_accents(name).lower(),  # no accents
        lambda name, code: name.upper(),
        lambda name, code: wrong_accents(name, rng),  # wrong accents
        lambda name, code: " ".join(strip_accents(name).split()[1:3]),  # partial words
        lambda name, code: rng.choice(OBJECTS),  # a topic
        lambda name, code: strip_accents(rng.choice(OBJECTS)),
        lambda name, code: code,  # the national code
        lambda name, code: code[-4:],  # part of a code
        lambda name, code: rng.choice(["giay phep", "dang ky", "ho kinh doanh", "khai sinh"]),
        lambda name, code: rng.choice(["xyz khong co", "thủ tục không tồn tại 123"]),  # misses
    ]
    queries = []
    for i in range(n):
        k = rng.randrange(len(names))
        queries.append(makers[i % len(makers)](names[k], codes[k]))
    rng.shuffle(queries)
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="200 searches instead of 1,000")
    parser.add_argument("--searches", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="do not drop the database")
    args = parser.parse_args()
    n_searches = args.searches or (200 if args.quick else 1000)

    from throwaway_db import run_in_throwaway_db

    return run_in_throwaway_db("bench_catalog", lambda: run(n_searches), keep=args.keep)


def run(n_searches: int) -> int:
    import logging

    import django

    django.setup()
    logging.getLogger().setLevel(logging.WARNING)
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from portal.models import AdministrativeUnit, Agency
    from procedures import selectors
    from procedures.models import FeeWaiver, Procedure, ProcedureVersion, RequiredDocument
    from procedures.text import search_normalize
    from procedures.views import PAGE_SIZE

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(20260101)
    city = AdministrativeUnit.objects.create(
        code="79", name="TP HCM", level="province", division_type="tp"
    )
    agency = Agency.objects.create(
        code="STP", name="Sở Tư pháp", kind="department", admin_unit=city
    )
    names = make_names(rng)
    codes = [f"{1 + i % 3}.{100000 + i:06d}" for i in range(N_PROCEDURES)]
    procedures = Procedure.objects.bulk_create(
        Procedure(
            code=code,
            name=name,
            field=FIELDS[i % len(FIELDS)],
            agency_level="ward" if i % 3 else "city",
            online_level=["full", "partial", "offline"][i % 3],
            is_sample=True,
            search_text=search_normalize(f"{name} {code}"),
        )
        for i, (code, name) in enumerate(zip(codes, names, strict=True))
    )
    Procedure.agencies.through.objects.bulk_create(
        Procedure.agencies.through(procedure_id=p.pk, agency_id=agency.pk) for p in procedures
    )
    versions = ProcedureVersion.objects.bulk_create(
        ProcedureVersion(
            procedure=p,
            number=1,
            processing_days=1 + i % 20,
            fee_kind="free" if i % 2 else "fixed",
            fee_amount=0 if i % 2 else 15000,
            form_schema={"fields": [{"name": "ho_ten", "kind": "text", "label": "Họ tên"}]},
        )
        for i, p in enumerate(procedures)
    )
    RequiredDocument.objects.bulk_create(
        RequiredDocument(version=v, key=f"doc{j}", name=f"Giấy tờ {j}", position=j)
        for v in versions
        for j in range(3)
    )
    FeeWaiver.objects.bulk_create(  # some paid ones are free when filed online
        FeeWaiver(version=v, condition="online", percent=100, description="Miễn khi nộp trực tuyến")
        for i, v in enumerate(versions)
        if i % 8 == 0
    )
    ProcedureVersion.objects.update(status="published", published_at=timezone.now())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"setup: {N_PROCEDURES} procedures in {time.perf_counter() - started:.1f} s")

    queries = make_queries(names, codes, n_searches, rng)

    def ours(q: str) -> int:
        """What procedures.views.catalog runs for a search (without rendering the template)."""
        page = selectors.catalog_page(
            filters=selectors.CatalogFilters(q=q), page=1, per_page=PAGE_SIZE
        )
        list(page.object_list)
        return page.paginator.count

    def baseline(q: str) -> int:
        """The naive page: icontains on the name (no normalisation, no index), Paginator."""
        qs = (
            ProcedureVersion.objects.filter(status="published", procedure__name__icontains=q)
            .select_related("procedure")
            .order_by("procedure__name", "procedure__code")
        )
        page = Paginator(qs, PAGE_SIZE).get_page(1)
        list(page.object_list)
        return page.paginator.count

    def timed(fn) -> tuple[list[float], int]:
        for q in queries[:20]:  # warm-up (plans, caches)
            fn(q)
        times, hits = [], 0
        for q in queries:
            t0 = time.perf_counter()
            found = fn(q)
            times.append((time.perf_counter() - t0) * 1000)
            hits += found > 0
        return times, hits

    ours_ms, ours_hits = timed(ours)
    base_ms, base_hits = timed(baseline)
    with connection.cursor() as cursor:
        sql, params = selectors.catalog_versions(
            filters=selectors.CatalogFilters(q="dang ky khai sinh")
        ).query.sql_with_params()
        cursor.execute("EXPLAIN ANALYZE " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print("plan for 'dang ky khai sinh':\n  " + plan.replace("\n", "\n  "))
    print(
        f"searches with results: ours {ours_hits}/{len(queries)}, baseline {base_hits}/{len(queries)}"
    )
    print(
        f"ours: p50 {statistics.median(ours_ms):.2f} ms, p95 {percentile(ours_ms, 95):.2f} ms, "
        f"max {max(ours_ms):.2f} ms; baseline icontains: p50 {statistics.median(base_ms):.2f} ms, "
        f"p95 {percentile(base_ms, 95):.2f} ms"
    )
    p95, base_p95 = percentile(ours_ms, 95), percentile(base_ms, 95)
    result = {
        "procedures": N_PROCEDURES,
        "searches": len(queries),
        "p50_ms": round(statistics.median(ours_ms), 2),
        "p95_ms": round(p95, 2),
        "baseline_p95_ms": round(base_p95, 2),
        "ratio": round(base_p95 / p95, 2),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
