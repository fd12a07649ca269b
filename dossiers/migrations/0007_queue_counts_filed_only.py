"""Queue counts: only filed dossiers (with a code) are counted.

A draft withdrawn before it was filed (``withdrawn``, no code) was counted in the officers' "all"
queue and listed there (its link answered 404: such a draft is its citizen's alone). The triggers
of migration 0005 are redefined with the rule "an agency and a code" (a draft never has a code;
a submitted dossier always has one, set in the same UPDATE as its status), and the counts are
rebuilt from the dossiers. SQLite's UPDATE trigger now also fires when the code changes.
"""

from django.db import migrations

COUNTED = "agency_id IS NOT NULL AND code IS NOT NULL"

PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION dossiers_queue_count_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    DELETE FROM dossiers_queuecount;
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO dossiers_queuecount (agency_id, status, n)
    SELECT agency_id, status, count(*) FROM new_rows
     WHERE {COUNTED}
     GROUP BY agency_id, status ORDER BY agency_id, status
    ON CONFLICT (agency_id, status) DO UPDATE SET n = dossiers_queuecount.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dossiers_queuecount (agency_id, status, n)
    SELECT agency_id, status, -count(*) FROM old_rows
     WHERE {COUNTED}
     GROUP BY agency_id, status ORDER BY agency_id, status
    ON CONFLICT (agency_id, status) DO UPDATE SET n = dossiers_queuecount.n + EXCLUDED.n;
  ELSE
    INSERT INTO dossiers_queuecount (agency_id, status, n)
    SELECT agency_id, status, sum(delta) FROM (
        SELECT agency_id, status, code, -1 AS delta FROM old_rows
        UNION ALL
        SELECT agency_id, status, code, 1 FROM new_rows
      ) AS moved
     WHERE {COUNTED}
     GROUP BY agency_id, status HAVING sum(delta) <> 0 ORDER BY agency_id, status
    ON CONFLICT (agency_id, status) DO UPDATE SET n = dossiers_queuecount.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END
$$;
"""
_COUNTED_NEW = "NEW.agency_id IS NOT NULL AND NEW.code IS NOT NULL"
_COUNTED_OLD = "OLD.agency_id IS NOT NULL AND OLD.code IS NOT NULL"
_ADD_NEW = (
    "INSERT INTO dossiers_queuecount (agency_id, status, n) "
    f"SELECT NEW.agency_id, NEW.status, 1 WHERE {_COUNTED_NEW} "
    "ON CONFLICT (agency_id, status) DO UPDATE SET n = n + 1;"
)
_REMOVE_OLD = (
    "UPDATE dossiers_queuecount SET n = n - 1 "
    f"WHERE agency_id = OLD.agency_id AND status = OLD.status AND {_COUNTED_OLD};"
)
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS dossiers_queue_count_ins",
    "DROP TRIGGER IF EXISTS dossiers_queue_count_upd",
    "DROP TRIGGER IF EXISTS dossiers_queue_count_del",
    f"CREATE TRIGGER dossiers_queue_count_ins AFTER INSERT ON dossiers_dossier "
    f"BEGIN {_ADD_NEW} END",
    "CREATE TRIGGER dossiers_queue_count_upd AFTER UPDATE OF status, agency_id, code "
    "ON dossiers_dossier WHEN OLD.status IS NOT NEW.status OR OLD.agency_id IS NOT NEW.agency_id "
    "OR OLD.code IS NOT NEW.code "
    f"BEGIN {_REMOVE_OLD} {_ADD_NEW} END",
    f"CREATE TRIGGER dossiers_queue_count_del AFTER DELETE ON dossiers_dossier "
    f"BEGIN {_REMOVE_OLD} END",
]
BACKFILL = f"""
INSERT INTO dossiers_queuecount (agency_id, status, n)
SELECT agency_id, status, count(*) FROM dossiers_dossier
 WHERE {COUNTED}
 GROUP BY agency_id, status
"""


def redefine(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("LOCK TABLE dossiers_dossier IN SHARE MODE")
        schema_editor.execute(PG_FUNCTION)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)
    else:  # pragma: no cover
        raise RuntimeError(f"queue counts: no triggers for {vendor}")
    schema_editor.execute("DELETE FROM dossiers_queuecount")
    schema_editor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_owner_check_pending")]

    # Back to 0006: the counts stay as this rule made them (the earlier rule only counted
    # withdrawn drafts too); re-run 0005's BACKFILL by hand if that matters.
    operations = [migrations.RunPython(redefine, migrations.RunPython.noop)]
