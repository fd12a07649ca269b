"""``manage.py make_agency_certificate AGENCY_CODE``: a self-signed signing certificate for an
agency (RSA 2048, CN = agency name, O = agency code, valid 2 years), made its active one.

The private key is stored encrypted with a key derived from SECRET_KEY (see dossiers.signing);
production would use an HSM and a CA-issued certificate instead.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from dossiers.models import SigningCertificate
from dossiers.signing import signing_certificate_create
from portal.models import Agency


class Command(BaseCommand):
    help = "Create a self-signed signing certificate for an agency (Chứng thư số của cơ quan)."

    def add_arguments(self, parser):
        parser.add_argument("agency_code")
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when the agency already has an active certificate.",
        )

    def handle(self, *args, agency_code: str, if_missing: bool = False, **options):
        agency = Agency.objects.filter(code=agency_code).first()
        if agency is None:
            raise CommandError(f"No agency with code {agency_code!r}.")
        active = SigningCertificate.objects.filter(agency=agency, is_active=True).first()
        if if_missing and active is not None:
            self.stdout.write(f"{agency.code}: already has {active}")
            return
        certificate = signing_certificate_create(agency=agency)
        self.stdout.write(
            self.style.SUCCESS(
                f"{agency.code}: {certificate.subject}, serial {certificate.serial_number}, "
                f"valid until {certificate.not_after:%Y-%m-%d}, "
                f"SHA-256 {certificate.fingerprint_sha256}"
            )
        )
