import pytest
from django.core.files.base import ContentFile

from dossiers.models import Dossier, DossierDocument, DossierOutput, DossierStatus, OutputKind
from tests.factories import UserFactory, make_officer
from tests.factories.procedures import published_version


class Personas:
    """The people around one dossier: its applicant, officers of its agency, outsiders."""

    def __init__(self, agency, other_agency):
        self.agency = agency
        self.applicant = UserFactory(roles=["citizen"], full_name="Nguyễn Thị Lan")
        self.other_citizen = UserFactory(roles=["citizen"])
        self.reception = make_officer(agency=agency, roles=["reception_officer"], with_totp=False)
        self.specialist = make_officer(agency=agency, roles=["specialist"], with_totp=False)
        self.approver = make_officer(agency=agency, roles=["approver"], with_totp=False)
        self.foreign_officer = make_officer(
            agency=other_agency,
            roles=["reception_officer", "specialist", "approver"],
            with_totp=False,
        )
        self.version = published_version(agencies=[agency, other_agency])

    def dossier(self, status=DossierStatus.DRAFT, **kwargs) -> Dossier:
        """A dossier put straight into ``status`` (test set-up; real code goes through workflow)."""
        n = Dossier.objects.count() + 1
        values = {
            "version": self.version,
            "applicant": self.applicant,
            "agency": self.agency,
            "status": status,
            "code": None if status == DossierStatus.DRAFT else f"{self.agency.code}-260101-{n:04d}",
            "applicant_data": {
                "full_name": self.applicant.full_name,
                "email": self.applicant.email,
            },
            "form_data": {"child_name": "Nguyễn Văn An"},
        }
        if status in (DossierStatus.IN_REVIEW, DossierStatus.AWAITING_APPROVAL):
            values["assigned_to"] = self.specialist
        if status == DossierStatus.SUPPLEMENT_REQUESTED:
            values["resume_status"] = DossierStatus.IN_REVIEW
        values.update(kwargs)
        return Dossier.objects.create(**values)

    def document(self, dossier, *, name="giay-chung-sinh.pdf", content=b"%PDF-1.4 test\n", **kw):
        """A stored document in the dossier's ``giay_chung_sinh`` slot."""
        document = DossierDocument(
            dossier=dossier,
            slot=kw.pop("slot", "giay_chung_sinh"),
            original_name=name,
            content_type=kw.pop("content_type", "application/pdf"),
            size=len(content),
            sha256="0" * 64,
            uploaded_by=dossier.applicant,
            **kw,
        )
        document.file.save("upload", ContentFile(content), save=False)
        document.save()
        return document

    def output(self, dossier, kind=OutputKind.ACKNOWLEDGEMENT, key="", content=b"%PDF-1.4 out\n"):
        output = DossierOutput(dossier=dossier, kind=kind, key=key)
        output.file.save("output.pdf", ContentFile(content), save=False)
        output.save()
        return output


@pytest.fixture
def people(agency, other_agency):
    return Personas(agency, other_agency)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files and issued PDFs go to a directory of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
