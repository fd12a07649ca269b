"""``manage.py recount_queue_counts``: rebuild the back-office queue counts (``QueueCount``)
from the dossiers, e.g. after loading fixtures that held both dossiers and counts, or after a
``TRUNCATE`` of the counts alone. The triggers (migrations 0005, 0007) keep them right otherwise.

On PostgreSQL the dossier table is locked against writes (SHARE mode) for the few milliseconds
of the recount, so no transition slips between the count and its storage.
"""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from dossiers.models import QueueCount


class Command(BaseCommand):
    help = "Đếm lại số hồ sơ của các hàng đợi (recount the back-office queue counts)."

    def handle(self, *args, **options):
        backfill = importlib.import_module(
            "dossiers.migrations.0007_queue_counts_filed_only"
        ).BACKFILL
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE dossiers_dossier IN SHARE MODE")
            QueueCount.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(backfill)
        rows = QueueCount.objects.count()
        self.stdout.write(f"Đã đếm lại: {rows} dòng (recounted: {rows} agency/status rows).")
