"""Sign-up, e-mail verification, log-in and the profile page (allauth)."""

import re

import pytest
from django.core import mail

from portal.models import User

pytestmark = pytest.mark.django_db


def test_it_signs_up_verifies_logs_in_and_keeps_profile_input_on_bad_cccd(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "lan@example.vn",
            "password1": "Mat-khau-manh-2026",
            "password2": "Mat-khau-manh-2026",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="lan@example.vn")
    assert user.groups.filter(name="citizen").exists()
    # Mandatory verification: not logged in yet, a verification mail went out.
    assert client.get("/profile/").status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^\s]+/accounts/confirm-email/[^\s]+/", mail.outbox[0].body).group(
        0
    )
    path = (
        link.split("testserver", 1)[-1]
        if "testserver" in link
        else re.sub(r"^https?://[^/]+", "", link)
    )
    assert client.get(path).status_code == 200
    response = client.post(path)
    assert response.status_code == 302

    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "lan@example.vn", "password": "Mat-khau-manh-2026"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).request["PATH_INFO"] == "/my/dossiers/"

    typed = {
        "full_name": "Nguyễn Thị Lan",
        "date_of_birth": "1990-05-17",
        "citizen_id": "079190",  # too short
        "phone": "0912345678",
        "address": "12 Lê Lợi, Phường Sài Gòn",
    }
    response = client.post("/profile/", typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số CCCD phải gồm đúng 12 chữ số" in html
    for value in (
        "Nguyễn Thị Lan",
        "1990-05-17",
        "079190",
        "0912345678",
        "12 Lê Lợi, Phường Sài Gòn",
    ):
        assert value in html, value
    user.refresh_from_db()
    assert user.full_name == ""  # nothing saved while invalid

    typed["citizen_id"] = "079190123456"
    response = client.post("/profile/", typed)
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.citizen_id, str(user.date_of_birth)) == (
        "Nguyễn Thị Lan",
        "079190123456",
        "1990-05-17",
    )


def test_it_rejects_a_cccd_whose_birth_year_does_not_match(client, citizen):
    client.force_login(citizen)
    response = client.post(
        "/profile/",
        {
            "full_name": "A",
            "date_of_birth": "1985-01-01",
            "citizen_id": "079190123456",
            "phone": "",
            "address": "",
        },
    )
    assert "không khớp ngày sinh" in response.content.decode()


def test_it_does_not_log_in_an_unverified_citizen(client):
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.vn",
            "password1": "Mat-khau-manh-2026",
            "password2": "Mat-khau-manh-2026",
        },
    )
    client.logout()
    response = client.post(
        "/accounts/login/", {"login": "new@example.vn", "password": "Mat-khau-manh-2026"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert client.get("/profile/").status_code == 302
