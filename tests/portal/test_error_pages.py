"""The error pages speak the portal's language, keep its header and landmarks and show a way on;
none reveals why (a dossier that exists but is not yours is a plain 404)."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_page_is_the_portals_404(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html and '<main id="main"' in html
    assert "Không tìm thấy trang" in html and "(Page not found)" in html
    assert 'href="/"' in html and "Về trang chủ" in html


def test_a_page_for_officers_only_is_the_portals_403(client):
    client.force_login(UserFactory(roles=["citizen"]))
    response = client.get("/officer/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không được phép truy cập" in html and '<main id="main"' in html
    assert "Trang này chỉ dành cho cán bộ." in html  # the reason given


def test_a_stale_form_is_explained_in_vietnamese(db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=["citizen"]))
    response = client.post("/accounts/logout/", {})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Trang đã cũ, vui lòng gửi lại" in html and '<main id="main"' in html


def test_the_500_page_needs_no_request_nor_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = render_to_string("500.html")
    assert '<html lang="vi">' in html and "Lỗi hệ thống" in html and "(Server error)" in html
