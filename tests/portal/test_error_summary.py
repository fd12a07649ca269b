"""A form that comes back with errors opens with a summary: what is wrong, each field error a link
to its field (templates/portal/_form_errors.html, focused by static/js/error-summary.js)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.django_db


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)


def test_the_lookup_form_summarises_its_errors_with_links_to_the_fields(client):
    response = client.post("/lookup/", {"code": "", "last4": "12"})
    html = response.content.decode()
    summary = re.search(r'<div class="form-errors error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, html
    assert "data-error-summary" in html and 'tabindex="-1"' in summary.group(0)
    links = re.findall(r'<a href="#([^"]+)">', summary.group(1))
    assert links[0] == "id_code" and set(links) == {"id_code", "id_last4"}  # in form order
    parser = Ids()
    parser.feed(html)
    assert set(links) <= parser.ids  # every link lands on a field
    labelledby = re.search(r'aria-labelledby="([^"]+)"', summary.group(0)).group(1)
    assert labelledby in parser.ids
    assert "Vui lòng sửa các lỗi được đánh dấu bên dưới" in summary.group(1)


def test_a_form_without_errors_has_no_summary(client):
    html = client.get("/lookup/").content.decode()
    assert "data-error-summary" not in html
