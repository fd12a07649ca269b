"""The public look-up: dossier code plus the last 4 digits of the applicant's phone or citizen ID;
status, agency and due date only; a wrong pair and an unknown code look the same; rate-limited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.models import DossierStatus

pytestmark = pytest.mark.django_db
URL = reverse("dossiers:lookup")
NOT_FOUND = "Không tìm thấy hồ sơ khớp với mã hồ sơ và 4 số cuối đã nhập"


@pytest.fixture
def dossier(people):
    return people.dossier(
        DossierStatus.RECEIVED,
        due_at=timezone.make_aware(dt.datetime(2026, 4, 6, 17, 0)),
        applicant_data={
            "full_name": "Nguyễn Thị Lan",
            "citizen_id": "079190123456",
            "phone": "0903 123 789",
            "email": "lan@example.vn",
            "address": "12 Lê Lợi",
        },
    )


def post(client, code, last4, ip="10.0.0.1"):
    return client.post(URL, {"code": code, "last4": last4}, REMOTE_ADDR=ip)


@pytest.mark.parametrize("last4", ["3789", "3456"])
def test_it_shows_status_agency_and_due_date_only(client, dossier, last4):
    response = post(client, dossier.code.lower() + " ", last4)  # case and spaces forgiven
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đã tiếp nhận" in html
    assert dossier.agency.name in html
    assert "17:00 06/04/2026" in html
    for personal in ("Nguyễn Thị Lan", "079190123456", "0903", "lan@example.vn", "Lê Lợi"):
        assert personal not in html


def test_the_form_is_prefilled_from_the_qr_link(client, dossier):
    response = client.get(URL + f"?code={dossier.code}")
    assert response.status_code == 200
    assert f'value="{dossier.code}"' in response.content.decode()
    assert "Đã tiếp nhận" not in response.content.decode()


def _normalise(html: str, *codes: str) -> str:
    html = re.sub(r'value="[A-Za-z0-9]{32,}"', 'value="TOKEN"', html)
    html = re.sub(r'"X-CSRFToken": "[A-Za-z0-9]+"', '"X-CSRFToken": "TOKEN"', html)
    for code in codes:
        html = html.replace(code, "CODE")
    return html


def test_a_wrong_pair_and_an_unknown_code_look_the_same(client, dossier):
    wrong = post(client, dossier.code, "0000")
    unknown = post(client, "X99999-260101-0001", "3789")
    assert wrong.status_code == unknown.status_code == 200
    assert NOT_FOUND in wrong.content.decode()
    assert _normalise(wrong.content.decode(), dossier.code) == _normalise(
        unknown.content.decode(), "X99999-260101-0001"
    )
    assert "Đã tiếp nhận" not in wrong.content.decode()
    assert 'role="alert" tabindex="-1" data-error-summary-focus' in wrong.content.decode()


def test_a_draft_is_never_found(client, people):
    draft = people.dossier(
        DossierStatus.DRAFT, code="X1-260101-0001", applicant_data={"phone": "0903123789"}
    )
    response = post(client, draft.code, "3789")
    assert NOT_FOUND in response.content.decode()


def test_missing_digits_do_not_match(client, people):
    dossier = people.dossier(DossierStatus.SUBMITTED, applicant_data={"full_name": "A"})
    assert NOT_FOUND in post(client, dossier.code, "0000").content.decode()


def test_bad_input_is_explained(client, dossier):
    response = post(client, "", "12a")
    html = response.content.decode()
    assert "Vui lòng nhập mã hồ sơ" in html
    assert "Vui lòng nhập đúng 4 chữ số" in html


@pytest.mark.parametrize("typed", ["X26740", "260115-0001", "X26740-2601150001", "X26740-26-01"])
def test_a_code_that_cannot_be_one_is_explained(client, dossier, typed):
    html = post(client, typed, "3789").content.decode()
    assert "ví dụ X26740-260115-0001" in html
    assert NOT_FOUND not in html
    assert f'value="{typed}"' in html  # what was typed stays, to be corrected


def test_the_format_is_explained_in_english_too(client, dossier, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = post(client, "X26740", "3789").content.decode()
    assert "A dossier code is the agency code, the filing date" in html
    assert "ví dụ X26740-260115-0001" not in html


def test_spaces_inside_a_code_are_forgiven(client, dossier):
    spaced = dossier.code.replace("-", " - ")
    assert "Đã tiếp nhận" in post(client, spaced, "3789").content.decode()


def test_one_code_is_limited_whatever_the_addresses(client, dossier, people):
    """Guessing the 4 digits of one code from many addresses: 20 tries an hour on a code."""
    for i in range(20):
        assert post(client, dossier.code.lower(), "0000", ip=f"10.1.0.{i}").status_code == 200
    limited = post(client, f" {dossier.code} ", "3789", ip="10.2.0.1")
    assert limited.status_code == 429
    html = limited.content.decode()
    assert "đã được tra cứu quá nhiều lần trong một giờ" in html
    assert "Đã tiếp nhận" not in html
    other = people.dossier(DossierStatus.RECEIVED, applicant_data={"phone": "0903 000 111"})
    assert "Đã tiếp nhận" in post(client, other.code, "0111", ip="10.2.0.1").content.decode()


def test_it_is_rate_limited_per_ip(client, dossier):
    for _ in range(10):
        assert post(client, dossier.code, "0000").status_code == 200
    limited = post(client, dossier.code, "3789")
    assert limited.status_code == 429
    html = limited.content.decode()
    assert "Bạn đã tra cứu quá nhiều lần" in html
    assert "Đã tiếp nhận" not in html
    # another address is not affected
    other = post(client, dossier.code, "3789", ip="10.0.0.2")
    assert other.status_code == 200
    assert "Đã tiếp nhận" in other.content.decode()
