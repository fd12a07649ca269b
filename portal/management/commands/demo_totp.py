import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.demo import PERSONAS, demo_totp_secret


class Command(BaseCommand):
    help = "Print the current TOTP code of each demo officer (demo only, instead of an app)."

    def handle(self, *args, **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError("demo_totp is for the demo: set DEBUG=true or DEMO_MODE=true.")
        counter = int(time.time()) // 30
        left = 30 - int(time.time()) % 30
        for persona in PERSONAS:
            if persona.agency:
                code = format_hotp_value(hotp_value(demo_totp_secret(persona.email), counter))
                self.stdout.write(f"{persona.email:<34} {code}  (valid {left} s more)")
