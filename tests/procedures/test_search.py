"""Accent- and case-insensitive, forgiving search (run on PostgreSQL with the trigram index)."""

import pytest
from django.db import connection

from procedures.models import Procedure
from procedures.selectors import CatalogFilters, catalog_versions, procedure_search
from procedures.text import search_normalize

from .factories import ProcedureFactory, make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    names = {
        "1.001193": "Đăng ký khai sinh",
        "1.004884": "Đăng ký lại khai sinh",
        "1.000656": "Đăng ký khai tử",
        "1.000894": "Đăng ký kết hôn",
        "2.000815": "Chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "2.000720": "Đăng ký thành lập hộ kinh doanh",
        "2.000488": "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
    }
    for code, name in names.items():
        make_version(procedure=ProcedureFactory(code=code, name=name))
    # Not published: never found.
    make_version(
        procedure=ProcedureFactory(code="1.999999", name="Đăng ký khai sinh nháp"), status="draft"
    )


def names(q):
    return [v.procedure.name for v in catalog_versions(filters=CatalogFilters(q=q))]


@pytest.mark.parametrize(
    "query",
    [
        "dang ky khai sinh",
        "Đăng ký khai sinh",
        "ĐĂNG KÝ KHAI SINH",
        "khai sinh",
        "dăng ky khai sinh",  # wrong accent
        "dang ki khai sinh",  # i/y spelled the other way
        "  khai   SINH ",
        "khai sinh dang ky",  # any word order
        "1.001193",  # the national code
        "001193",  # part of the code
    ],
)
def test_it_finds_dang_ky_khai_sinh(catalog, query):
    found = names(query)
    assert found, query
    assert "Đăng ký khai sinh" in found
    assert "Đăng ký khai sinh nháp" not in found
    if query.strip().lower() in ("dang ky khai sinh", "đăng ký khai sinh", "1.001193"):
        assert found[0] == "Đăng ký khai sinh"


def test_it_ranks_phrase_matches_first_and_requires_every_word(catalog):
    assert names("dang ky")[:3] == ["Đăng ký kết hôn", "Đăng ký khai sinh", "Đăng ký khai tử"]
    assert names("khai") == ["Đăng ký khai sinh", "Đăng ký khai tử", "Đăng ký lại khai sinh"]
    assert names("ket hon") == ["Đăng ký kết hôn"]
    assert names("ly lich tu phap") == ["Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam"]
    assert names("chung thuc ban sao") == ["Chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    assert names("khai sinh xyz") == []
    assert names("%") == names("")  # punctuation only: no search, not a LIKE wildcard


def test_normalisation():
    assert search_normalize("Đăng Ký Khai Sinh!") == "dang ki khai sinh"
    assert search_normalize("Hộ kinh doanh, Cấp III.") == "ho kinh doanh cap iii"
    assert search_normalize("mã 1.001612") == "ma 1.001612"
    assert search_normalize("ƯỚC Ơ Ũ ĩ ỹ") == "uoc o u i i"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL index")
def test_the_search_uses_the_trigram_index(catalog):
    qs = procedure_search(queryset=Procedure.objects.all(), query="khai sinh")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "procedure_search_trgm" in plan


def test_names_sort_as_vietnamese_readers_expect():
    from procedures.text import vi_sort_key

    names = [
        "Đăng ký khai tử",
        "Chứng thực",
        "Cấp giấy xác nhận",
        "Chấm dứt",
        "Duyệt",
        "Phường  Rạch Dừa",
        "Phường An Đông",
        "Phường Sài Gòn",
    ]
    assert sorted(names, key=vi_sort_key) == [
        "Cấp giấy xác nhận",
        "Chấm dứt",
        "Chứng thực",
        "Duyệt",
        "Đăng ký khai tử",
        "Phường An Đông",
        "Phường  Rạch Dừa",
        "Phường Sài Gòn",
    ]
