"""The header's links: one per page, and the officers' page only for those who may open it."""

import re

import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def test_citizen_header_links_each_page_once_and_not_the_back_office(client):
    client.force_login(UserFactory(roles=["citizen"]))
    links = _nav_links(client.get("/procedures/").content.decode())
    assert len(links) == len(set(links))
    assert "/my/dossiers/" in links
    assert "/officer/" not in links
    # no link that only redirects to another one of the header (once: "Trang của tôi" → "Hồ sơ của tôi")
    assert {href: client.get(href).status_code for href in links} == dict.fromkeys(links, 200)


def test_officer_header_links_the_officers_page(officer, mfa_client):
    c = mfa_client(officer)
    links = _nav_links(c.get("/procedures/").content.decode())
    assert "/officer/" in links
    assert {href: c.get(href).status_code for href in links} == dict.fromkeys(links, 200)


def test_anonymous_header_offers_sign_in(client):
    links = _nav_links(client.get("/procedures/").content.decode())
    assert "/officer/" not in links and "/my/dossiers/" not in links
    assert any("login" in href for href in links)
