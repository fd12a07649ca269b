"""Two officers claim the same dossier at the same moment: one wins, the other is told."""

import threading

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


@pytest.mark.django_db(transaction=True)
def test_a_counter_intake_and_an_online_reception_at_once_do_not_deadlock(
    people, settings, tmp_path, monkeypatch
):
    """The intake submits then receives in one transaction. An online reception at the same
    agency starting between the two (held there on purpose) used to hold the logbook counter and
    the "received" count while waiting for the "submitted" count the intake held, and the intake
    then waited for them: PostgreSQL aborted one of the two. Now both take them in one order."""
    import time

    from dossiers.views.officer import counter_dossier_file

    assert connection.vendor == "postgresql"
    settings.MEDIA_ROOT = tmp_path
    online = people.dossier(S.SUBMITTED)
    second = make_officer(agency=people.agency, roles=["reception_officer"], with_totp=False)
    between = threading.Event()
    real_receive = workflow.dossier_receive

    def receive_later(**kwargs):
        if threading.current_thread().name == "intake":
            between.set()  # submitted: let the online reception start now
            time.sleep(1.5)  # long enough for it to reach the rows it waits for
        return real_receive(**kwargs)

    monkeypatch.setattr(workflow, "dossier_receive", receive_later)
    errors = []

    def intake():
        try:
            counter_dossier_file(
                agency=people.agency,
                version=people.version,
                officer=people.reception,
                applicant={"full_name": "Phạm Thị Hoa", "citizen_id": "079190000123"},
                answers={"child_name": "Phạm Văn Bé"},
                uploads={},
                slots={},
                delivery={"result_delivery": "counter"},
            )
        except Exception as exc:  # collected below
            errors.append(exc)
        finally:
            connection.close()

    def reception():
        try:
            assert between.wait(timeout=20)
            real_receive(dossier=online, actor=second)
        except Exception as exc:  # collected below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=intake, name="intake"),
        threading.Thread(target=reception, name="online"),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    walk_in = Dossier.objects.get(channel="counter")
    online.refresh_from_db()
    assert (walk_in.status, online.status) == (S.RECEIVED, S.RECEIVED)
    assert sorted([walk_in.logbook_number, online.logbook_number]) == [1, 2]
