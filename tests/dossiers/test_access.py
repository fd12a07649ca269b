"""Who may see a dossier, its documents and its issued documents: the applicant and the officers
of the receiving agency. Everyone else signed in gets 404 (existence is not revealed); an
anonymous visitor is sent to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import DossierStatus, OutputKind

pytestmark = pytest.mark.django_db

SEES = {"applicant": True, "reception": True, "specialist": True}
PERSONAS = ["applicant", "reception", "specialist", "other_citizen", "foreign_officer", None]


@pytest.fixture
def dossier_with_files(people):
    dossier = people.dossier(DossierStatus.RECEIVED)
    documents = [
        people.document(dossier, name="giấy chứng sinh.pdf", content=b"%PDF-1.4 one\n"),
        people.document(
            dossier, name="ảnh CCCD.png", content=b"\x89PNG\r\n\x1a\nfake", content_type="image/png"
        ),
    ]
    outputs = [
        people.output(dossier, OutputKind.ACKNOWLEDGEMENT),
        people.output(dossier, OutputKind.RECEIPT_01, content=b"%PDF-1.4 receipt\n"),
    ]
    return dossier, documents, outputs


def urls_of(dossier, documents, outputs):
    yield "page", reverse("dossiers:detail", args=[dossier.public_id])
    for doc in documents:
        yield doc, reverse("dossiers:document_download", args=[dossier.public_id, doc.pk])
    for out in outputs:
        yield out, reverse("dossiers:output_download", args=[dossier.public_id, out.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_applicant_and_the_receiving_agency_see_a_dossier(
    client, people, dossier_with_files, persona
):
    dossier, documents, outputs = dossier_with_files
    if persona is not None:
        client.force_login(getattr(people, persona))
    for what, url in urls_of(dossier, documents, outputs):
        response = client.get(url)
        if persona is None:
            assert response.status_code == 302, (what, url)
            assert response["Location"].startswith(reverse("account_login"))
        elif SEES.get(persona):
            assert response.status_code == 200, (persona, what, url)
        else:
            assert response.status_code == 404, (persona, what, url)


def test_a_document_downloads_as_a_private_attachment(client, people, dossier_with_files):
    dossier, documents, _ = dossier_with_files
    client.force_login(people.applicant)
    png = documents[1]
    response = client.get(reverse("dossiers:document_download", args=[dossier.public_id, png.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E1%BA%A3nh%20CCCD.png" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"\x89PNG\r\n\x1a\nfake"


def test_an_output_downloads_as_a_private_pdf_attachment(client, people, dossier_with_files):
    dossier, _, outputs = dossier_with_files
    client.force_login(people.reception)
    response = client.get(
        reverse("dossiers:output_download", args=[dossier.public_id, outputs[0].pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="giay-xac-nhan-nop-ho-so-{dossier.code}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_of_another_dossier_is_not_reachable_through_mine(
    client, people, dossier_with_files
):
    _, documents, outputs = dossier_with_files
    mine = people.dossier(DossierStatus.SUBMITTED, applicant=people.other_citizen)
    client.force_login(people.other_citizen)
    for url in (
        reverse("dossiers:document_download", args=[mine.public_id, documents[0].pk]),
        reverse("dossiers:output_download", args=[mine.public_id, outputs[0].pk]),
    ):
        assert client.get(url).status_code == 404


def test_an_unknown_dossier_looks_like_a_forbidden_one(client, people, dossier_with_files):
    import uuid

    client.force_login(people.other_citizen)
    dossier, _, _ = dossier_with_files
    unknown = client.get(reverse("dossiers:detail", args=[uuid.uuid4()]))
    forbidden = client.get(reverse("dossiers:detail", args=[dossier.public_id]))
    assert unknown.status_code == forbidden.status_code == 404


@pytest.mark.parametrize("name", ["withdraw", "supplement"])
@pytest.mark.parametrize("persona", ["reception", "other_citizen", "foreign_officer"])
def test_only_the_applicant_acts_on_a_dossier(client, people, name, persona):
    dossier = people.dossier(DossierStatus.SUPPLEMENT_REQUESTED)
    client.force_login(getattr(people, persona))
    url = reverse(f"dossiers:{name}", args=[dossier.public_id])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED


def test_officers_see_no_citizen_actions(client, people):
    dossier = people.dossier(DossierStatus.SUBMITTED)
    client.force_login(people.reception)
    html = client.get(reverse("dossiers:detail", args=[dossier.public_id])).content.decode()
    assert reverse("dossiers:withdraw", args=[dossier.public_id]) not in html
