"""The case: dossiers, their documents, the append-only event history and the sync outbox.

Only ``dossiers/workflow.py`` changes ``Dossier.status``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import choices_check
from procedures.models import RESERVED_DOCUMENT_KEYS


class DossierStatus(models.TextChoices):
    """Statuses as citizens read them (FORMS.md)."""

    DRAFT = "draft", "Bản nháp (Draft)"
    SUBMITTED = "submitted", "Mới nộp (Submitted)"
    RECEIVED = "received", "Đã tiếp nhận (Received)"
    IN_REVIEW = "in_review", "Đang xử lý (In review)"
    AWAITING_APPROVAL = "awaiting_approval", "Chờ phê duyệt (Awaiting approval)"
    SUPPLEMENT_REQUESTED = "supplement_requested", "Yêu cầu bổ sung (Supplement requested)"
    RESULT_READY = "result_ready", "Có kết quả (Result ready)"
    COMPLETED = "completed", "Đã trả kết quả (Completed)"
    REFUSED = "refused", "Từ chối tiếp nhận (Refused)"
    REJECTED = "rejected", "Không giải quyết (Rejected)"
    WITHDRAWN = "withdrawn", "Đã rút (Withdrawn)"


FINAL_STATUSES = frozenset(
    {
        DossierStatus.COMPLETED,
        DossierStatus.REFUSED,
        DossierStatus.REJECTED,
        DossierStatus.WITHDRAWN,
    }
)


class Channel(models.TextChoices):
    ONLINE = "online", _("Trực tuyến (Online)")
    COUNTER = "counter", _("Tại quầy (At the counter)")


class ResultDelivery(models.TextChoices):
    ONLINE = "online", _("Nhận trực tuyến (Online download)")
    COUNTER = "counter", _("Nhận tại quầy (At the counter)")
    POST = "post", _("Qua bưu chính (By post)")


class Dossier(models.Model):
    """Hồ sơ: one application for one procedure version at one receiving agency."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        "Mã hồ sơ (Dossier code)", max_length=32, unique=True, null=True, blank=True
    )
    version = models.ForeignKey(
        "procedures.ProcedureVersion", on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="dossiers"
    )
    applicant_data = models.JSONField(
        "Thông tin người nộp (Applicant)",
        default=dict,
        blank=True,
        help_text="Snapshot at submission: full_name, citizen_id, date_of_birth, phone, email, address.",
    )
    agency = models.ForeignKey(
        "portal.Agency",
        on_delete=models.PROTECT,
        related_name="dossiers",
        null=True,
        blank=True,
        verbose_name="Cơ quan tiếp nhận (Receiving agency)",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    owner_check_pending = models.BooleanField(
        "Chờ người nộp xác nhận CCCD (Owner check pending)",
        default=False,
        help_text="Filed at the counter under an account made for the e-mail the citizen gave: "
        "the account sees it once its holder types the CCCD given at the counter (a mistyped "
        "address must not show the dossier to whoever owns it).",
    )
    result_delivery = models.CharField(
        "Hình thức nhận kết quả (Result delivery)",
        max_length=10,
        choices=ResultDelivery.choices,
        default=ResultDelivery.ONLINE,
    )
    delivery_address = models.CharField(
        "Địa chỉ nhận (Delivery address)", max_length=300, blank=True
    )
    form_data = models.JSONField("Dữ liệu biểu mẫu (Form data)", default=dict, blank=True)
    status = models.CharField(
        max_length=24, choices=DossierStatus.choices, default=DossierStatus.DRAFT
    )
    resume_status = models.CharField(
        max_length=24,
        choices=DossierStatus.choices,
        blank=True,
        help_text="Where a resubmission returns to after a supplement request.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
    )
    draft_step = models.CharField(
        max_length=30, blank=True, help_text="Where the citizen left the form."
    )
    draft_values = models.JSONField(
        "Giá trị đang nhập (Draft values)",
        default=dict,
        blank=True,
        help_text="Raw values of the filing steps as typed, kept even when invalid (drafts).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    logbook_number = models.PositiveIntegerField(
        "Số thứ tự trong sổ theo dõi (Logbook number)",
        null=True,
        blank=True,
        help_text="Given on reception: the agency's count of received dossiers in the year "
        "(Mẫu 01, Mẫu 06).",
    )
    due_at = models.DateTimeField("Hạn trả kết quả (Due)", null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Deadlines (DESIGN §5, dossiers/deadlines.py)
    clock_paused_at = models.DateTimeField(
        null=True, blank=True, help_text="Set while a supplement request stops the clock."
    )
    overdue_at = models.DateTimeField(
        null=True, blank=True, help_text="When the deadline sweep found the dossier overdue."
    )
    late_episodes = models.PositiveSmallIntegerField(
        default=0, help_text="Lateness episodes whose apology (Mẫu 04) set a new appointment."
    )
    expected_result_at = models.DateTimeField(
        "Ngày dự kiến có kết quả (Expected result)",
        null=True,
        blank=True,
        help_text="Recorded by an officer who foresees a delay: the sweep's apology uses it as "
        "the new appointment.",
    )
    completed_late = models.BooleanField(
        null=True, blank=True, help_text="Set once when the result is returned (never edited)."
    )
    # Back office (issue 7): "being handled by" — an officer took the dossier from a queue.
    # Valid only while the dossier is still in ``claimed_status`` (workflow.dossier_claim).
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_dossiers",
        verbose_name="Đang xử lý bởi (Being handled by)",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_status = models.CharField(max_length=24, blank=True)

    class Meta:
        verbose_name = "Hồ sơ (Dossier)"
        verbose_name_plural = "Hồ sơ (Dossiers)"
        indexes = [
            models.Index(fields=["agency", "status", "due_at", "id"], name="dossier_queue_idx"),
            models.Index(fields=["applicant", "-created_at", "-id"], name="dossier_applicant_idx"),
            # The deadline sweep: open dossiers whose clock runs and are not yet marked overdue.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    status__in=["received", "in_review", "awaiting_approval", "result_ready"],
                    overdue_at__isnull=True,
                ),
                name="dossier_deadline_open_idx",
            ),
            # Back-office queues (issue 7): each queue's filter + its due-date order.
            models.Index(
                fields=["agency", "assigned_to", "status", "due_at", "id"],
                name="dossier_assigned_queue_idx",
            ),
            models.Index(fields=["agency", "due_at", "id"], name="dossier_agency_due_idx"),
            # The logbook (Mẫu 06): an agency's received dossiers of a month, in order.
            models.Index(
                fields=["agency", "received_at", "id"],
                condition=Q(received_at__isnull=False),
                name="dossier_logbook_idx",
            ),
        ]
        constraints = [
            choices_check("status", DossierStatus, "dossier_status_valid"),
            choices_check("channel", Channel, "dossier_channel_valid"),
            choices_check("result_delivery", ResultDelivery, "dossier_delivery_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "withdrawn"])
                | (Q(code__isnull=False) & Q(agency__isnull=False)),
                name="dossier_filed_has_code_and_agency",
            ),
            # Returned after the due date: late for good (no edit can turn it "on time").
            models.CheckConstraint(
                condition=~Q(completed_late=False) | Q(completed_at__lte=models.F("due_at")),
                name="dossier_late_stays_late",
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"Nháp {self.public_id.hex[:8]}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class DossierCodeCounter(models.Model):
    """Daily sequence per agency behind dossier codes (``X26740-261123-0042``)."""

    agency = models.ForeignKey("portal.Agency", on_delete=models.CASCADE)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dossier_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


class LogbookCounter(models.Model):
    """Yearly sequence per agency behind logbook numbers (Sổ theo dõi hồ sơ, Mẫu 06)."""

    agency = models.ForeignKey("portal.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year"], name="logbook_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year}: {self.last}"


class QueueCount(models.Model):
    """How many filed dossiers an agency has in each status: the back-office queue counts.

    Maintained by the database, not by Python: triggers on ``dossiers_dossier`` (migration
    0005) add and subtract on every INSERT, UPDATE and DELETE and empty the counts on TRUNCATE,
    whoever writes (the workflow, the bench's bulk load, a test factory), so a queue page reads a
    handful of rows instead of counting an agency's dossiers. Only filed dossiers (an agency and
    a code, migration 0007) are counted: not drafts, nor drafts withdrawn before filing. Not for fixtures: loading dossiers counts them already.
    """

    agency = models.ForeignKey("portal.Agency", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=24)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "status"], name="queue_count_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.status}: {self.n}"


def document_upload_to(instance: DossierDocument, filename: str) -> str:
    # Random name; the citizen's filename is kept (sanitised) in original_name only.
    return f"dossiers/{instance.dossier.public_id.hex}/{uuid.uuid4().hex}"


# The slot of the specialist's draft result (dossiers/views/officer.py, dossiers/signing.py).
RESULT_DRAFT_SLOT = "result_draft"
# The agency's working documents: shown to its officers only, never to the citizen (who must not
# read an unapproved decision) nor offered for reuse in another dossier.
INTERNAL_SLOTS = RESERVED_DOCUMENT_KEYS
assert RESULT_DRAFT_SLOT in INTERNAL_SLOTS


class DossierDocument(models.Model):
    """Thành phần hồ sơ: a file in one slot of a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="documents")
    slot = models.SlugField(max_length=60, help_text="Key of the required document.")
    file = models.FileField(upload_to=document_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="reuses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slot", "created_at"]
        indexes = [models.Index(fields=["dossier", "slot"])]

    def __str__(self) -> str:
        return self.original_name


class DossierEvent(models.Model):
    """Append-only history: every status change (and notable action) of a dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["dossier", "created_at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status or '-'} → {self.to_status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Dossier events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Dossier events are append-only.")


class SyncOutbox(models.Model):
    """Status changes waiting to be sent to the National Public Service Portal.

    Written in the same transaction as the change, so none is lost while the portal is down.
    """

    event = models.OneToOneField(DossierEvent, on_delete=models.CASCADE, related_name="outbox")
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"], condition=Q(sent_at__isnull=True), name="outbox_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"outbox {self.event_id} ({'sent' if self.sent_at else 'pending'})"


class OutputKind(models.TextChoices):
    """Official documents the portal issues for a dossier (PDF)."""

    ACKNOWLEDGEMENT = "acknowledgement", "Giấy xác nhận nộp hồ sơ trực tuyến (Acknowledgement)"
    RECEIPT_01 = "receipt_01", "Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Receipt)"
    SUPPLEMENT_02 = "supplement_02", "Mẫu 02: Phiếu yêu cầu bổ sung hồ sơ (Supplement request)"
    REFUSAL_03 = "refusal_03", "Mẫu 03: Phiếu từ chối tiếp nhận (Refusal)"
    APOLOGY_04 = "apology_04", "Mẫu 04: Phiếu xin lỗi và hẹn lại ngày trả kết quả (Apology)"
    RESULT = "result", "Kết quả giải quyết (Result)"


def output_upload_to(instance: DossierOutput, filename: str) -> str:
    return f"outputs/{instance.dossier.public_id.hex}/{instance.kind}-{uuid.uuid4().hex}.pdf"


class DossierOutput(models.Model):
    """A document issued for a dossier, stored through the storage API (never a public URL)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(max_length=20, choices=OutputKind.choices)
    key = models.CharField(
        max_length=40, blank=True, help_text="Distinguishes several of a kind (e.g. event id)."
    )
    file = models.FileField(upload_to=output_upload_to, max_length=200)
    event = models.ForeignKey(
        DossierEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "key"], name="output_unique_per_key"
            ),
            choices_check("kind", OutputKind, "output_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} {self.kind} {self.key}".strip()


class SigningCertificate(models.Model):
    """Chứng thư số của cơ quan: the key and certificate that sign an agency's result documents.

    The private key is stored in the database as PKCS#8 PEM encrypted (AES-256, cryptography's
    ``BestAvailableEncryption``) with a passphrase derived from ``SECRET_KEY`` (HMAC, salted with
    the agency code; see ``dossiers.signing``): a database dump alone does not give the key, but
    rotating ``SECRET_KEY`` needs the old one in ``SECRET_KEY_FALLBACKS`` until the certificates
    are reissued. Production would keep the key in an HSM (PKCS#11) and a CA-issued certificate.
    """

    agency = models.ForeignKey(
        "portal.Agency", on_delete=models.PROTECT, related_name="signing_certificates"
    )
    subject = models.CharField("Chủ thể (Subject)", max_length=300)
    serial_number = models.CharField(max_length=64)
    fingerprint_sha256 = models.CharField(max_length=64, unique=True)
    certificate_pem = models.TextField("Chứng thư (Certificate, PEM)")
    private_key_pem = models.TextField("Khóa bí mật, đã mã hóa (Encrypted private key, PEM)")
    not_before = models.DateTimeField()
    not_after = models.DateTimeField()
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Chứng thư số (Signing certificate)"
        verbose_name_plural = "Chứng thư số (Signing certificates)"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(is_active=True),
                name="signing_certificate_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.not_before:%Y-%m-%d} – {self.not_after:%Y-%m-%d})"


class ApologyState(models.TextChoices):
    WAITING_FOR_DATE = "waiting_for_date", "Chờ cán bộ hẹn lại ngày (Waiting for a new date)"
    ISSUED = "issued", "Đã phát hành (Issued)"


class Handover(models.TextChoices):
    """How a letter that could not be e-mailed reached the applicant."""

    IN_PERSON = "in_person", "Trao trực tiếp (In person)"
    POST = "post", "Gửi qua dịch vụ bưu chính (By post)"


class Apology(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04): one per lateness episode."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="apologies")
    episode = models.PositiveSmallIntegerField(help_text="1 for the first lateness, then 2, …")
    reason = models.TextField("Lý do chậm trễ (Reason)", blank=True)
    original_due_at = models.DateTimeField("Ngày hẹn cũ (Original appointment)", null=True)
    new_appointment = models.DateTimeField("Ngày hẹn mới (New appointment)", null=True, blank=True)
    state = models.CharField(
        max_length=20, choices=ApologyState.choices, default=ApologyState.WAITING_FOR_DATE
    )
    issued_at = models.DateTimeField(null=True, blank=True)
    # Delivery, claimed once (``apologies.apology_deliver``): ``emailed_to`` stays empty when the
    # applicant has no e-mail address; an officer then hands the letter over and records it.
    emailed_at = models.DateTimeField(null=True, blank=True)
    emailed_to = models.CharField(max_length=254, blank=True, default="", db_default="")
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handover = models.CharField(
        max_length=10, choices=Handover.choices, blank=True, default="", db_default=""
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "Thư xin lỗi (Apology)"
        verbose_name_plural = "Thư xin lỗi (Apologies)"
        constraints = [
            models.UniqueConstraint(fields=["dossier", "episode"], name="apology_one_per_episode"),
            choices_check("state", ApologyState, "apology_state_valid"),
            models.CheckConstraint(
                condition=Q(state="waiting_for_date")
                | (Q(new_appointment__isnull=False) & Q(issued_at__isnull=False)),
                name="apology_issued_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["state"], condition=Q(emailed_at__isnull=True), name="apology_pending_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} xin lỗi #{self.episode}"


class DigestLog(models.Model):
    """One deadline digest per agency per day, claimed by INSERT … ON CONFLICT DO NOTHING."""

    agency = models.ForeignKey("portal.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="digest_one_per_agency_day")
        ]

    def __str__(self) -> str:
        return f"digest {self.agency_id} {self.day}"


class EmailLog(models.Model):
    """A mail the deadline machinery sent (written in the transaction that claims it)."""

    kind = models.CharField(max_length=20)
    ref = models.CharField(max_length=60, help_text="What the mail is about, e.g. apology:12.")
    to = models.TextField()
    subject = models.CharField(max_length=250)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="emaillog_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.ref}"
