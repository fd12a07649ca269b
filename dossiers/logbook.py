"""Mẫu 06 (Sổ theo dõi hồ sơ, Circular 01/2018/TT-VPCP): the reception desk's logbook, one row a
dossier the agency received, a month at a time, on the officers' page and as a CSV file.

The row's number is the dossier's number in the year's logbook, the one Mẫu 01 prints
(``dossiers.outputs.receipt_context``): given on reception from the agency's yearly counter
(``workflow.next_logbook_number``); a dossier without one (put in place without the workflow) is
counted among the agency's receptions since 1 January, local time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from dossiers.models import Channel, Dossier, DossierEvent, DossierStatus
from dossiers.outputs import _address

# The columns of Mẫu 06, in its order, with their English glosses for the page ("ký nhận" is
# signed on paper: empty here).
COLUMNS = [
    ("STT", "No."),
    ("Mã hồ sơ", "Dossier code"),
    ("Tên thủ tục hành chính", "Procedure"),
    ("Số lượng hồ sơ (bộ)", "Sets"),
    ("Tên cá nhân, tổ chức", "Applicant"),
    ("Địa chỉ, số điện thoại", "Address, phone"),
    ("Cơ quan chủ trì giải quyết", "Deciding agency"),
    ("Nhận hồ sơ", "Received"),
    ("Hẹn trả kết quả", "Appointment"),
    ("Chuyển hồ sơ đến cơ quan giải quyết", "Sent for processing"),
    ("Trả kết quả", "Result returned"),
    ("Ký nhận", "Collected by (signature)"),
    ("Ghi chú", "Notes"),
]

FINAL_NOTES = {
    DossierStatus.REJECTED: "Không giải quyết",
    DossierStatus.WITHDRAWN: "Đã rút",
}


@dataclass(frozen=True)
class LogbookRow:
    number: int
    dossier: Dossier
    applicant: str
    address_phone: str
    handed_on_at: dt.datetime | None
    notes: str

    def cells(self) -> list[str]:
        d = self.dossier
        return [
            str(self.number),
            d.code or "",
            d.version.procedure.name,
            "1",
            self.applicant,
            self.address_phone,
            d.agency.name if d.agency else "",
            _when(d.received_at),
            _when(d.due_at),
            _when(self.handed_on_at),
            _when(d.completed_at),
            "",
            self.notes,
        ]


def _when(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%H:%M %d/%m/%Y}" if value else ""


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month, local time, as [start, end)."""
    start = timezone.make_aware(dt.datetime(year, month, 1))
    end = timezone.make_aware(dt.datetime(year + month // 12, month % 12 + 1, 1))
    return start, end


def _notes(dossier: Dossier) -> str:
    notes = ["Nộp trực tuyến" if dossier.channel == Channel.ONLINE else "Nộp trực tiếp"]
    if dossier.late_episodes:
        notes.append(f"Hẹn lại {dossier.late_episodes} lần (Mẫu 04)")
    if dossier.completed_late or (dossier.overdue_at and not dossier.completed_at):
        notes.append("Trễ hạn")
    if dossier.status in FINAL_NOTES:
        notes.append(FINAL_NOTES[dossier.status])
    return "; ".join(notes)


def logbook_rows(*, agency, year: int, month: int) -> list[LogbookRow]:
    """The month's rows of the agency's logbook, in the order of their numbers: one query (and
    a count when a dossier has no number of its own)."""
    start, end = month_bounds(year, month)
    year_start, _ = month_bounds(year, 1)
    received = Dossier.objects.filter(agency=agency, received_at__isnull=False)
    handed_on = (
        DossierEvent.objects.filter(dossier=OuterRef("pk"), action="assign")
        .order_by("created_at")
        .values("created_at")[:1]
    )
    dossiers = (
        received.filter(received_at__gte=start, received_at__lt=end)
        .select_related("version__procedure", "agency", "applicant")
        .annotate(handed_on_at=Subquery(handed_on))
        .order_by(F("logbook_number").asc(nulls_last=True), "received_at", "pk")
    )
    before = None
    rows = []
    for position, dossier in enumerate(dossiers, start=1):
        number = dossier.logbook_number
        if number is None:
            if before is None:
                before = received.filter(received_at__gte=year_start, received_at__lt=start).count()
            number = before + position
        data = dossier.applicant_data or {}
        address = _address(data.get("address") or dossier.applicant.address)
        phone = data.get("phone") or dossier.applicant.phone
        rows.append(
            LogbookRow(
                number=number,
                dossier=dossier,
                applicant=data.get("full_name") or dossier.applicant.get_full_name(),
                address_phone="; ".join(p for p in (address, phone) if p),
                handed_on_at=dossier.handed_on_at,
                notes=_notes(dossier),
            )
        )
    return rows


# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): a name a citizen typed
# as "=HYPERLINK(...)" must stay text, after spaces too, and in full-width letters.
_FORMULA_START = tuple("=+-@\t\r＝＋－＠")


def _text_cell(value: str) -> str:
    return f"'{value}" if value.lstrip(" ").startswith(_FORMULA_START) else value


def logbook_csv(rows: list[LogbookRow]) -> str:
    """The rows as CSV with the column titles, a byte-order mark first so that spreadsheet
    programs read the Vietnamese letters as UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(vi for vi, _en in COLUMNS)
    writer.writerows([_text_cell(cell) for cell in row.cells()] for row in rows)
    return out.getvalue()
