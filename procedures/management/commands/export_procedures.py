import json
import sys

from django.core.management.base import BaseCommand

from procedures.transfer import catalog_export, catalog_export_csv


class Command(BaseCommand):
    help = "Export the procedure catalog: lossless JSON (default) or a CSV summary."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="Output file (default: standard output).")
        parser.add_argument("--format", choices=["json", "csv"], default="json")

    def handle(self, *args, file=None, format="json", **options):  # noqa: A002
        if format == "csv":
            text = catalog_export_csv()
        else:
            text = json.dumps(catalog_export(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        if file:
            with open(file, "w", encoding="utf-8", newline="") as out:
                out.write(text)
        else:
            sys.stdout.write(text)
