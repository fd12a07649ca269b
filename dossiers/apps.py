import importlib

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = "Hồ sơ (Dossiers)"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from dossiers.queues import bump_catalog_generation
        from procedures.models import Procedure, ProcedureVersion

        post_migrate.connect(ensure_sqlite_queue_count_triggers, sender=self)
        # The queue pages' cached procedure index (dossiers.queues.procedure_index).
        for model in (Procedure, ProcedureVersion):
            post_save.connect(bump_catalog_generation, sender=model, dispatch_uid=f"bump-{model}")
            post_delete.connect(
                bump_catalog_generation, sender=model, dispatch_uid=f"bump-del-{model}"
            )
        m2m_changed.connect(
            bump_catalog_generation,
            sender=Procedure.agencies.through,
            dispatch_uid="bump-procedure-agencies",
        )


def ensure_sqlite_queue_count_triggers(sender=None, using="default", **kwargs) -> None:
    """SQLite (the demo) rebuilds a table to alter it, which drops its triggers: after every
    ``migrate``, put back the queue-count triggers of migration 0005 if one is missing and
    recount. PostgreSQL keeps triggers through ALTER TABLE."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    sql = importlib.import_module("dossiers.migrations.0005_queue_counts")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s)",
            ["dossiers_queue_count_ins", "dossiers_queue_count_upd", "dossiers_queue_count_del"],
        )
        present = len(cursor.fetchall())
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = %s",
            ["dossiers_queuecount"],
        )
        if present == 3 or not cursor.fetchone()[0]:
            return
        for statement in [*sql.SQLITE_DROP, *sql.SQLITE_TRIGGERS]:
            cursor.execute(statement)
        cursor.execute("DELETE FROM dossiers_queuecount")
        cursor.execute(sql.BACKFILL)
