"""Due dates of dossiers (DESIGN §5). The working-day arithmetic lives in portal/workdays.py."""

from __future__ import annotations

from datetime import datetime

from dossiers.models import Dossier
from portal.workdays import add_working_days


def due_at_for(*, dossier: Dossier, start: datetime) -> datetime:
    """Appointment for the result: ``start`` + the version's processing time in working days."""
    return add_working_days(start, dossier.version.processing_days, agency_id=dossier.agency_id)
