"""Citizen pages: browse with filters (no JS needed, htmx partial when asked), procedure page;
their query counts do not grow with the number of procedures or documents."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from procedures.models import RequiredDocument
from tests.factories import AgencyFactory

from .factories import ProcedureFactory, make_version

pytestmark = pytest.mark.django_db
ONLINE_WAIVER = {"condition": "online", "percent": 100, "description": "Miễn khi nộp trực tuyến"}


@pytest.fixture
def birth():
    ward = AgencyFactory(name="Ủy ban nhân dân Phường Sài Gòn")
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        agencies=[ward, AgencyFactory(name="Ủy ban nhân dân Phường Bến Thành")],
        steps="Nộp tờ khai\nNhận giấy khai sinh",
        legal_basis="Luật Hộ tịch năm 2014",
        is_sample=True,
    )
    return make_version(
        procedure=procedure,
        documents=("giay_chung_sinh",),
        fee_kind="fixed",
        fee_amount=15000,
        processing_days=1,
        waivers=[ONLINE_WAIVER],
    )


@pytest.fixture
def others():
    make_version(
        procedure=ProcedureFactory(
            code="2.000720", name="Đăng ký thành lập hộ kinh doanh", field="business_household"
        ),
        fee_kind="fixed",
        fee_amount=100000,
    )
    make_version(
        procedure=ProcedureFactory(
            code="1.009994",
            name="Cấp giấy phép xây dựng",
            field="construction",
            agency_level="city",
            online_level="partial",
        )
    )


def test_the_catalog_works_without_javascript(client, birth, others):
    response = client.get("/procedures/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<form method="get" action="/procedures/"' in html
    assert "3 thủ tục" in html
    assert "Đăng ký khai sinh" in html
    assert "Dữ liệu mẫu" in html
    assert "miễn phí khi nộp trực tuyến" in html
    assert '<label for="id_q">' in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "dang ky khai sinh"}, ["Đăng ký khai sinh"]),
        ({"field": "construction"}, ["Cấp giấy phép xây dựng"]),
        ({"agency_level": "city"}, ["Cấp giấy phép xây dựng"]),
        ({"online_level": "partial"}, ["Cấp giấy phép xây dựng"]),
        ({"fee": "free"}, ["Cấp giấy phép xây dựng"]),
        ({"fee": "paid"}, ["Đăng ký khai sinh", "Đăng ký thành lập hộ kinh doanh"]),
        ({"fee": "free_online"}, ["Cấp giấy phép xây dựng", "Đăng ký khai sinh"]),
        ({"q": "dang ky", "field": "civil_status"}, ["Đăng ký khai sinh"]),
        ({"field": "not-a-field"}, None),  # ignored, not an error
    ],
)
def test_the_filters(client, birth, others, params, expected):
    response = client.get("/procedures/", params)
    assert response.status_code == 200
    rows = [v.procedure.name for v in response.context["page"].object_list]
    if expected is None:
        assert len(rows) == 3
    else:
        assert sorted(rows) == sorted(expected)
        assert f"{len(expected)} thủ tục" in response.content.decode()


def test_htmx_gets_only_the_results(client, birth, others):
    response = client.get("/procedures/", {"q": "khai sinh"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="catalog-results"')
    assert "<html" not in html
    assert "1 thủ tục" in html
    assert "HX-Request" in response["Vary"]


def test_pagination_keeps_the_filters(client, others):
    for i in range(25):
        make_version(procedure=ProcedureFactory(name=f"Thủ tục hộ tịch {i:02d}"))
    response = client.get("/procedures/", {"q": "ho tich"})
    html = response.content.decode()
    assert "25 thủ tục" in html
    assert "?q=ho+tich&amp;page=2" in html
    response = client.get("/procedures/", {"q": "ho tich", "page": 2})
    assert len(response.context["page"].object_list) == 5


def test_the_procedure_page_has_what_a_citizen_needs(client, birth):
    response = client.get("/procedures/1.001193/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in (
        "Đăng ký khai sinh",
        "Nộp tờ khai",  # steps
        "Giấy tờ giay_chung_sinh",  # documents
        "1 ngày làm việc",
        "15.000 đồng",
        "miễn phí (free when filed online)",
        "Miễn khi nộp trực tuyến",
        "Phường Bến Thành",  # where to file: any ward that offers it
        "Luật Hộ tịch năm 2014",
        "Nộp hồ sơ trực tuyến",
        "Dữ liệu mẫu",
    ):
        assert text in html, text


def test_unknown_or_unpublished_procedures_are_404(client, birth):
    assert client.get("/procedures/9.999999/").status_code == 404
    draft = make_version(status="draft")
    assert client.get(f"/procedures/{draft.procedure.code}/").status_code == 404


def test_nop_ho_so_leads_to_filing(client, birth):
    html = client.get("/procedures/1.001193/").content.decode()
    assert 'href="/nop-ho-so/1.001193/"' in html
    offline = make_version(procedure=ProcedureFactory(online_level="offline"))
    assert (
        "/nop-ho-so/" not in client.get(f"/procedures/{offline.procedure.code}/").content.decode()
    )


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _grow(n: int, docs: int):
    agency = AgencyFactory()
    for i in range(n):
        version = make_version(
            procedure=ProcedureFactory(
                name=f"Đăng ký thêm {i}", agencies=[agency, AgencyFactory()]
            ),
            status="draft",
            waivers=[ONLINE_WAIVER],
        )
        RequiredDocument.objects.bulk_create(
            RequiredDocument(version=version, key=f"k{j}", name=f"Giấy {j}") for j in range(docs)
        )
        version.status, version.published_at = "published", version.created_at
        version.save(update_fields=["status", "published_at"])


def test_query_counts_do_not_grow_with_data(client, birth, django_assert_max_num_queries):
    small_list = _count(client, "/procedures/?q=dang+ky")
    small_detail = _count(client, "/procedures/1.001193/")
    _grow(30, docs=6)
    with django_assert_max_num_queries(1):  # page and total in one query
        client.get("/procedures/?q=dang+ky")
    with django_assert_max_num_queries(4):
        client.get("/procedures/1.001193/")
    assert _count(client, "/procedures/?q=dang+ky") == small_list
    assert _count(client, "/procedures/") == small_list
    assert _count(client, "/procedures/?fee=free_online&field=civil_status") == small_list
    code = client.get("/procedures/?q=dang+ky+them").context["page"].object_list[0].procedure.code
    assert _count(client, f"/procedures/{code}/") == small_detail
    print(f"\nqueries: /procedures/ = {small_list}, /procedures/<code>/ = {small_detail}")


def test_query_counts_for_a_signed_in_citizen(
    client, birth, citizen, django_assert_max_num_queries
):
    client.force_login(citizen)
    with django_assert_max_num_queries(3):  # + session and user
        client.get("/procedures/?q=khai+sinh")
    with django_assert_max_num_queries(6):
        client.get("/procedures/1.001193/")


def test_a_page_out_of_range_shows_the_last_page(client, birth, others):
    response = client.get("/procedures/", {"page": 99})
    assert response.context["page"].number == 1
    assert len(response.context["page"].object_list) == 3
    assert client.get("/procedures/", {"page": "abc"}).context["page"].number == 1
    response = client.get("/procedures/", {"q": "khong co thu tuc nay"})
    assert "0 thủ tục" in response.content.decode()
