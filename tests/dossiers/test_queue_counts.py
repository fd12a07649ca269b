"""Queue counts kept by database triggers (dossiers.models.QueueCount, migrations 0005 and
0007): after any write — the workflow, a bulk insert, a bulk update, a delete, a move to another
agency — they equal a GROUP BY over the filed dossiers; drafts, filed or withdrawn before filing,
are not counted; concurrent transitions in one agency neither lose an update nor deadlock."""

import io
import threading

import pytest
from django.db import connection
from django.db.models import Count

from dossiers import queues, workflow
from dossiers.models import Dossier, QueueCount
from dossiers.models import DossierStatus as S
from tests.factories import make_officer


def counted() -> dict[tuple[int, str], int]:
    return {
        (agency, status): n
        for agency, status, n in QueueCount.objects.exclude(n=0).values_list(
            "agency_id", "status", "n"
        )
    }


def grouped() -> dict[tuple[int, str], int]:
    return {
        (row["agency_id"], row["status"]): row["n"]
        for row in Dossier.objects.exclude(code=None)
        .exclude(agency=None)
        .order_by()
        .values("agency_id", "status")
        .annotate(n=Count("id"))
    }


def test_counts_follow_every_kind_of_write(people):
    other = people.foreign_officer.officer_profile.agency
    draft = people.dossier(S.DRAFT)
    assert counted() == {}, "a draft is not in any queue"

    submitted = [people.dossier(S.SUBMITTED) for _ in range(3)]
    people.dossier(S.IN_REVIEW)
    assert (
        counted()
        == grouped()
        == {
            (people.agency.pk, S.SUBMITTED): 3,
            (people.agency.pk, S.IN_REVIEW): 1,
        }
    )

    workflow.dossier_submit(dossier=draft, actor=people.applicant)  # draft → submitted
    workflow.dossier_receive(dossier=submitted[0], actor=people.reception)
    assert counted()[(people.agency.pk, S.SUBMITTED)] == 3
    assert counted()[(people.agency.pk, S.RECEIVED)] == 1

    Dossier.objects.bulk_create(
        [
            Dossier(
                version=people.version,
                applicant=people.applicant,
                agency=other,
                status=S.RESULT_READY,
                code=f"BULK-{i}",
            )
            for i in range(50)
        ]
    )
    Dossier.objects.filter(agency=other, code__in=[f"BULK-{i}" for i in range(10)]).update(
        status=S.COMPLETED
    )
    Dossier.objects.filter(pk=submitted[1].pk).update(agency=other)  # moved to another agency
    Dossier.objects.filter(pk=submitted[2].pk).delete()
    Dossier.objects.filter(agency=other).update(form_data={"x": 1})  # no status change
    assert counted() == grouped()
    assert counted()[(other.pk, S.RESULT_READY)] == 40
    assert counted()[(other.pk, S.SUBMITTED)] == 1


def test_a_draft_withdrawn_before_filing_is_in_no_queue(people, client):
    """Such a draft is its citizen's alone: not counted, not listed in "Tất cả hồ sơ"."""
    from tests.dossiers.officer_support import login, officer_url

    filed = people.dossier(S.SUBMITTED)
    draft = people.dossier(S.DRAFT)
    workflow.dossier_withdraw(dossier=draft, actor=people.applicant, reason="")
    assert Dossier.objects.get(pk=draft.pk).status == S.WITHDRAWN
    assert counted() == grouped() == {(people.agency.pk, S.SUBMITTED): 1}
    assert queues.queue_counts(agency=people.agency, user=people.reception)["all"] == 1
    login(client, people.reception)
    page = client.get(officer_url("queue", slug="all")).content.decode()
    assert filed.code in page and str(draft.public_id) not in page


def test_the_queue_page_counts_are_the_counters(people, client):
    for status in [S.SUBMITTED, S.SUBMITTED, S.RECEIVED, S.IN_REVIEW, S.COMPLETED]:
        people.dossier(status)
    people.dossier(S.DRAFT)
    counts = queues.queue_counts(agency=people.agency, user=people.specialist)
    assert counts["reception"] == 2
    assert counts["unassigned"] == 1
    assert counts["mine"] == 1  # people.dossier assigns in-review dossiers to the specialist
    assert counts["all"] == 5
    # Another role has no "my work": its count is not even queried.
    assert queues.queue_counts(agency=people.agency, user=people.reception)["mine"] == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_transitions_in_one_agency_keep_exact_counts(people):
    """Eight officers receive dossiers of one agency at once (each transaction moves a dossier
    submitted → received: the same two counter rows): no lost update, no deadlock."""
    assert connection.vendor == "postgresql"
    officers = [
        make_officer(agency=people.agency, roles=["reception_officer"], with_totp=False)
        for _ in range(8)
    ]
    dossiers = [people.dossier(S.SUBMITTED) for _ in range(40)]
    barrier = threading.Barrier(len(officers))
    errors = []

    def work(index, officer):
        from django.db import connection as thread_connection

        try:
            barrier.wait(timeout=10)
            for dossier in dossiers[index :: len(officers)]:
                workflow.dossier_receive(dossier=Dossier.objects.get(pk=dossier.pk), actor=officer)
        except Exception as exc:  # noqa: BLE001 — reported below
            errors.append(repr(exc))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(i, o)) for i, o in enumerate(officers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert counted() == grouped() == {(people.agency.pk, S.RECEIVED): 40}


@pytest.mark.django_db(transaction=True)
def test_truncating_the_dossiers_empties_the_counts(people):
    people.dossier(S.SUBMITTED)
    assert counted() != {}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dossiers_dossier CASCADE")
    assert counted() == grouped() == {}


def test_recount_queue_counts_repairs_drifted_counts(people):
    from django.core.management import call_command

    people.dossier(S.SUBMITTED)
    people.dossier(S.RECEIVED)
    QueueCount.objects.update(n=99)
    QueueCount.objects.create(agency=people.agency, status=S.COMPLETED, n=5)
    out = io.StringIO()
    call_command("recount_queue_counts", stdout=out)
    assert "2" in out.getvalue()
    assert (
        counted()
        == grouped()
        == {
            (people.agency.pk, S.SUBMITTED): 1,
            (people.agency.pk, S.RECEIVED): 1,
        }
    )
