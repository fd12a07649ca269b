"""Isolation (issue 7): every back-office URL answers 404 for a dossier of another agency.

The table is every URL name of the ``dossiers:officer`` namespace, read from the resolver, so a
URL added later is covered (or this test fails until it is given its arguments)."""

import pytest
from django.urls import get_resolver, reverse

from dossiers.models import Dossier
from dossiers.models import DossierStatus as S
from tests.dossiers.officer_support import login
from tests.factories import make_officer

pytestmark = pytest.mark.django_db

# URL names that do not take a dossier, and how each one is checked instead.
NOT_DOSSIER_URLS = {"home", "queue", "take_next", "counter_start", "counter_intake", "logbook"}


def officer_url_names() -> list[str]:
    resolver = get_resolver().namespace_dict["dossiers"][1].namespace_dict["officer"][1]
    return sorted({name for name in resolver.reverse_dict if isinstance(name, str)})


def test_the_table_covers_every_officer_url():
    names = officer_url_names()
    assert {"detail", "claim", "receive", "approve", "document", "output"} <= set(names)
    assert len(names) >= 17


@pytest.mark.parametrize("name", officer_url_names())
@pytest.mark.parametrize("status", [S.SUBMITTED, S.IN_REVIEW, S.AWAITING_APPROVAL, S.RESULT_READY])
def test_an_officer_of_another_ward_gets_404(people, client, name, status):
    """Officers of two wards: the foreign officer holds every role, yet sees nothing of ours."""
    ours = people.dossier(status)
    document = people.document(ours)
    output = people.output(ours)
    outsider = people.foreign_officer
    login(client, outsider)
    if name in NOT_DOSSIER_URLS:
        kwargs = {"slug": "all"} if name in ("queue", "take_next") else {}
        if name == "counter_intake":
            kwargs = {"code": people.version.procedure.code}
        url = reverse(f"dossiers:officer:{name}", kwargs=kwargs)
        response = client.get(url) if name != "take_next" else client.post(url)
        assert ours.code not in response.content.decode()
        return
    kwargs = {"public_id": ours.public_id}
    if name == "document":
        kwargs["document_id"] = document.pk
    if name == "output":
        kwargs["output_id"] = output.pk
    if name == "apology_handed_over":
        kwargs["episode"] = 1
    url = reverse(f"dossiers:officer:{name}", kwargs=kwargs)
    for method in ("get", "post"):
        for headers in ({}, {"HX-Request": "true"}):
            response = getattr(client, method)(url, headers=headers)
            assert response.status_code in (404, 405), (name, method, response.status_code)
    assert any(getattr(client, m)(url).status_code == 404 for m in ("get", "post")), name
    fresh = Dossier.objects.get(pk=ours.pk)
    assert (fresh.status, fresh.claimed_by_id, fresh.assigned_to_id) == (
        ours.status,
        ours.claimed_by_id,
        ours.assigned_to_id,
    )
    assert not fresh.events.exists()


def test_an_officer_sees_another_wards_documents_only_as_404(people, client):
    ours = people.dossier(S.SUBMITTED)
    theirs = people.dossier(S.SUBMITTED, agency=people.foreign_officer.officer_profile.agency)
    doc = people.document(theirs)
    login(client, people.reception)
    url = reverse(
        "dossiers:officer:document", kwargs={"public_id": ours.public_id, "document_id": doc.pk}
    )
    assert client.get(url).status_code == 404


def test_a_queue_of_another_role_is_403(people, client):
    login(client, people.reception)
    assert client.get(reverse("dossiers:officer:queue", args=["approval"])).status_code == 403
    assert client.post(reverse("dossiers:officer:take_next", args=["approval"])).status_code == 403
    specialist_elsewhere = make_officer(agency=people.agency, roles=["specialist"])
    login(client, specialist_elsewhere)
    assert client.get(reverse("dossiers:officer:counter_start")).status_code == 403
