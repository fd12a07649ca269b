"""Who may see a dossier, its documents and its issued documents: the applicant and the officers
of the receiving agency (with an officer role and MFA set up, as for the back office; not a
draft). Everyone else signed in gets 404 (existence is not revealed); an anonymous visitor is
sent to the login page. The agency's working documents (the draft result) are its officers'."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers.models import RESULT_DRAFT_SLOT, DossierStatus, OutputKind
from portal.models import OfficerProfile
from tests.dossiers.officer_support import with_totp
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SEES = {"applicant": True, "reception": True, "specialist": True}
OFFICERS = {"reception", "specialist", "foreign_officer"}
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
        user = getattr(people, persona)
        client.force_login(with_totp(user) if persona in OFFICERS else user)
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
    client.force_login(with_totp(people.reception))
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
    client.force_login(with_totp(people.reception))
    response = client.get(reverse("dossiers:detail", args=[dossier.public_id]))
    assert response.status_code == 200
    assert reverse("dossiers:withdraw", args=[dossier.public_id]) not in response.content.decode()


def role_less_officer(people):
    """An account with an officer profile of the agency but no officer role (roles removed)."""
    user = with_totp(UserFactory(roles=["citizen"]))
    OfficerProfile.objects.create(user=user, agency=people.agency)
    return user


@pytest.mark.parametrize("who", ["officer_without_mfa", "profile_without_role"])
def test_an_officer_reads_dossiers_only_as_the_back_office_allows(
    client, people, dossier_with_files, who
):
    """The back office wants an officer role and MFA set up; the citizen's pages want the same
    of an officer, or a password alone would read every dossier of the agency."""
    dossier, documents, outputs = dossier_with_files
    client.force_login(
        people.reception if who == "officer_without_mfa" else role_less_officer(people)
    )
    for what, url in urls_of(dossier, documents, outputs):
        assert client.get(url).status_code == 404, (who, what)
    client.force_login(with_totp(people.reception))
    for what, url in urls_of(dossier, documents, outputs):
        assert client.get(url).status_code == 200, what


def test_a_draft_is_the_applicants_alone(client, people):
    draft = people.dossier(DossierStatus.DRAFT)
    document = people.document(draft, name="nháp.pdf")
    urls = [
        reverse("dossiers:detail", args=[draft.public_id]),
        reverse("dossiers:document_download", args=[draft.public_id, document.pk]),
    ]
    client.force_login(with_totp(people.reception))
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(people.applicant)
    assert [client.get(url).status_code for url in urls] == [200, 200]


def test_a_draft_withdrawn_before_filing_stays_the_applicants(client, people):
    """Never filed (no code), though withdrawn: not the agency's, here or in the back office."""
    from tests.dossiers.officer_support import officer_url

    draft = people.dossier(DossierStatus.WITHDRAWN, code=None)
    scan = people.document(draft, name="cccd.pdf")
    client.force_login(with_totp(people.reception))
    for url in (
        reverse("dossiers:detail", args=[draft.public_id]),
        reverse("dossiers:document_download", args=[draft.public_id, scan.pk]),
        officer_url("detail", draft),
    ):
        assert client.get(url).status_code == 404, url


def test_the_draft_result_is_the_agencys_until_it_is_issued(client, people):
    """The specialist's draft decision (slot RESULT_DRAFT_SLOT) is not shown to the citizen, not
    downloadable by them, not offered for reuse; the agency's officers see it."""
    from dossiers.filing import reusable_documents
    from dossiers.views.officer import result_draft_slot

    dossier = people.dossier(DossierStatus.AWAITING_APPROVAL)
    scan = people.document(dossier, name="giấy chứng sinh.pdf")
    draft = people.document(dossier, name="du-thao-quyet-dinh.pdf", slot=result_draft_slot().key)
    page = reverse("dossiers:detail", args=[dossier.public_id])
    download = reverse("dossiers:document_download", args=[dossier.public_id, draft.pk])

    client.force_login(people.applicant)
    html = client.get(page).content.decode()
    assert "giấy chứng sinh.pdf" in html and "du-thao-quyet-dinh.pdf" not in html
    assert client.get(download).status_code == 404
    other = people.dossier(DossierStatus.DRAFT)
    assert list(reusable_documents(user=people.applicant, exclude_dossier=other)) == [scan]

    client.force_login(with_totp(people.specialist))
    assert client.get(download).status_code == 200
    officer_page = reverse("dossiers:officer:detail", args=[dossier.public_id])
    assert "du-thao-quyet-dinh.pdf" in client.get(officer_page).content.decode()


def test_the_catalog_cannot_give_a_citizen_slot_the_draft_results_key():
    from django.core.exceptions import ValidationError

    from procedures.models import RESERVED_DOCUMENT_KEYS, validate_document_key

    assert RESULT_DRAFT_SLOT in RESERVED_DOCUMENT_KEYS
    with pytest.raises(ValidationError) as raised:
        validate_document_key(RESULT_DRAFT_SLOT)
    assert raised.value.code == "reserved"
    validate_document_key("giay_chung_sinh")
