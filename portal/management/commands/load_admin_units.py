from django.core.management.base import BaseCommand

from portal.admin_units import admin_units_load, hcmc_agencies_load


class Command(BaseCommand):
    help = "Load provinces and wards (34 provinces since 1/7/2025) and HCMC's agencies. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-agencies", action="store_true", help="Only the administrative units."
        )

    def handle(self, *args, no_agencies=False, **options):
        result = admin_units_load()
        self.stdout.write(
            f"Administrative units: {result.provinces} provinces, {result.wards} wards "
            f"({result.created} created, {result.updated} updated)."
        )
        if not no_agencies:
            self.stdout.write(
                f"Agencies for Ho Chi Minh City: {hcmc_agencies_load()} in the catalog."
            )
