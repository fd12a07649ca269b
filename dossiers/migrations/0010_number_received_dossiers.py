"""Dossiers received before logbook numbers were stored get the number their Mẫu 01 printed: their
rank among the agency's receptions of the (local) year; the counters go on from there.

Not atomic, and apart from the schema change (0008): the table is not held locked while the rows
are numbered. On PostgreSQL one set-based UPDATE; elsewhere (the SQLite demo) a loop.
"""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

NUMBER_SQL = """
UPDATE dossiers_dossier AS d SET logbook_number = ranked.n
FROM (
    SELECT id, row_number() OVER (
        PARTITION BY agency_id, extract(year FROM received_at AT TIME ZONE %(tz)s)
        ORDER BY received_at, id
    ) AS n
    FROM dossiers_dossier WHERE received_at IS NOT NULL AND agency_id IS NOT NULL
) AS ranked
WHERE d.id = ranked.id AND d.logbook_number IS NULL
"""

COUNTERS_SQL = """
INSERT INTO dossiers_logbookcounter (agency_id, year, last)
SELECT agency_id, extract(year FROM received_at AT TIME ZONE %(tz)s)::int, max(logbook_number)
FROM dossiers_dossier WHERE logbook_number IS NOT NULL AND agency_id IS NOT NULL
GROUP BY 1, 2
ON CONFLICT (agency_id, year)
DO UPDATE SET last = GREATEST(dossiers_logbookcounter.last, EXCLUDED.last)
"""


def number_received_dossiers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(NUMBER_SQL, {"tz": settings.TIME_ZONE})
            cursor.execute(COUNTERS_SQL, {"tz": settings.TIME_ZONE})
        return
    Dossier = apps.get_model("dossiers", "Dossier")
    LogbookCounter = apps.get_model("dossiers", "LogbookCounter")
    last: dict[tuple[int, int], int] = {}
    received = (
        Dossier.objects.filter(received_at__isnull=False, agency__isnull=False)
        .order_by("agency_id", "received_at", "id")
        .only("id", "agency_id", "received_at", "logbook_number")
    )
    for dossier in received.iterator(chunk_size=2000):
        key = (dossier.agency_id, timezone.localtime(dossier.received_at).year)
        last[key] = last.get(key, 0) + 1
        if dossier.logbook_number is None:
            Dossier.objects.filter(pk=dossier.pk).update(logbook_number=last[key])
    for (agency_id, year), n in last.items():
        counter, _ = LogbookCounter.objects.get_or_create(agency_id=agency_id, year=year)
        if counter.last < n:
            LogbookCounter.objects.filter(pk=counter.pk).update(last=n)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("dossiers", "0009_apology_handover")]

    operations = [migrations.RunPython(number_received_dossiers, migrations.RunPython.noop)]
