"""Two officers claim the same dossier at the same moment: one wins, the other is told."""

import pytest
from django.db import connection

from dossiers import workflow
from dossiers.models import Dossier
from dossiers.models import DossierStatus as S
from tests.dossiers.parallel import in_parallel
from tests.factories import make_officer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [S.SUBMITTED, S.RECEIVED])
def test_two_officers_claiming_one_dossier_at_once(people, status):
    assert connection.vendor == "postgresql"
    role = "reception_officer" if status == S.SUBMITTED else "specialist"
    officers = [make_officer(agency=people.agency, roles=[role], with_totp=False) for _ in range(2)]
    dossier = people.dossier(status)
    results = {}

    def claim(officer):
        try:
            workflow.dossier_claim(dossier=Dossier.objects.get(pk=dossier.pk), actor=officer)
            results[officer.pk] = "won"
        except workflow.WorkflowError as exc:
            results[officer.pk] = exc.message

    assert in_parallel(claim, officers, timeout=30) == []
    assert sorted(results.values(), key=len)[0] == "won"
    assert list(results.values()).count("won") == 1, results
    loser = next(v for v in results.values() if v != "won")
    assert "cán bộ khác" in loser or "trạng thái" in loser
    fresh = Dossier.objects.get(pk=dossier.pk)
    winner = next(pk for pk, v in results.items() if v == "won")
    assert (fresh.claimed_by_id if status == S.SUBMITTED else fresh.assigned_to_id) == winner


@pytest.mark.django_db(transaction=True)
def test_take_next_by_many_officers_at_once_never_hands_one_dossier_twice(people):
    officers = [
        make_officer(agency=people.agency, roles=["reception_officer"], with_totp=False)
        for _ in range(6)
    ]
    for _ in range(4):
        people.dossier(S.SUBMITTED)
    taken = []

    def take(officer):
        d = workflow.dossier_take_next(agency=people.agency, actor=officer, queue="reception")
        taken.append(d.pk if d else None)

    errors = in_parallel(take, officers, timeout=30)
    assert errors == []
    got = [pk for pk in taken if pk]
    assert len(got) == len(set(got)) == 4 and taken.count(None) == 2
