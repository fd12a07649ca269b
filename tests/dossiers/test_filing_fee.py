"""After submitting a procedure with a fee, the citizen is offered "Thanh toán" at once."""

import pytest
from django.urls import reverse

from dossiers import workflow
from dossiers.models import DossierStatus
from tests.factories.procedures import published_version

pytestmark = pytest.mark.django_db


def test_the_confirmation_page_offers_payment_of_a_due_fee(client, people):
    paid = published_version(agencies=[people.agency], fee=50_000)
    dossier = people.dossier(DossierStatus.DRAFT, version=paid)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    client.force_login(people.applicant)
    html = client.get(reverse("dossiers:file_done", args=[dossier.public_id])).content.decode()
    assert reverse("payments:start", args=[dossier.public_id]) in html
    assert "50000 đồng" in html or "50.000" in html
    detail = client.get(reverse("dossiers:detail", args=[dossier.public_id])).content.decode()
    assert reverse("payments:start", args=[dossier.public_id]) in detail


def test_a_free_procedure_offers_no_payment(client, people):
    dossier = people.dossier(DossierStatus.DRAFT)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    client.force_login(people.applicant)
    html = client.get(reverse("dossiers:file_done", args=[dossier.public_id])).content.decode()
    assert "/payments/dossier/" not in html
