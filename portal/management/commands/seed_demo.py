from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo personas (idempotent). Refuses unless DEBUG or DEMO_MODE is on."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet_logins=False, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError(
                "seed_demo creates known passwords: set DEBUG=true or DEMO_MODE=true."
            )
        rows = seed_demo()
        if quiet_logins:
            return
        self.stdout.write(f"Demo logins (password for all: {rows[0]['password']})")
        for row in rows:
            line = f"  {row['email']:<34} {row['roles']}"
            if row["agency"]:
                line += f" @ {row['agency']}"
            if row["totp_secret"]:
                line += f"\n      TOTP secret (add to an authenticator app): {row['totp_secret']}"
            self.stdout.write(line)
