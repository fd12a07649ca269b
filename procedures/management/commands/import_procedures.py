import json

from django.core.management.base import BaseCommand, CommandError

from procedures.transfer import catalog_import


class Command(BaseCommand):
    help = (
        "Import procedures from a JSON file made by export_procedures. Idempotent; imports "
        "nothing when any row is refused, and lists each refusal with its reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            with open(file, encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(f"Không đọc được tệp (cannot read file): {exc}") from exc
        report = catalog_import(data)
        if not report.ok:
            for line in report.refused:
                self.stderr.write(f"REFUSED {line}")
            raise CommandError(
                f"{len(report.refused)} lỗi, không nhập gì (nothing imported: "
                f"{len(report.refused)} problem(s))."
            )
        self.stdout.write(report.summary())
