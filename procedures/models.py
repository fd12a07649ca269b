"""Danh mục thủ tục hành chính: procedures, their versions, required documents and fee waivers.

A citizen files against a *procedure version*. A version is a draft until it is published; a
published (or retired) version is frozen: ``save()`` refuses content changes and, on PostgreSQL,
a trigger refuses them too (see migration 0002). Editing a published version means making a new
draft (``procedures.services.version_new_draft``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import Agency, choices_check
from procedures.text import search_normalize

CODE_REGEX = r"^[0-9]\.[0-9]{6}$"


class FrozenVersionError(ValidationError):
    """Raised when something tries to change a published or retired version."""

    def __init__(self, message: str | None = None):
        super().__init__(
            message
            or "Phiên bản đã công bố không được sửa; hãy tạo phiên bản nháp mới "
            "(a published version is frozen; make a new draft).",
            code="frozen",
        )


class Field(models.TextChoices):
    """Lĩnh vực."""

    CIVIL_STATUS = "civil_status", _("Hộ tịch (Civil status)")
    CERTIFICATION = "certification", _("Chứng thực (Certification)")
    JUDICIAL_RECORD = "judicial_record", _("Lý lịch tư pháp (Judicial record)")
    BUSINESS_HOUSEHOLD = "business_household", _("Hộ kinh doanh (Business households)")
    CONSTRUCTION = "construction", _("Xây dựng (Construction)")
    LAND = "land", _("Đất đai (Land)")
    SOCIAL_PROTECTION = "social_protection", _("Bảo trợ xã hội (Social protection)")
    EDUCATION = "education", _("Giáo dục (Education)")
    CULTURE = "culture", _("Văn hóa (Culture)")
    ENVIRONMENT = "environment", _("Môi trường (Environment)")
    HEALTH = "health", _("Y tế (Health)")
    OTHER = "other", _("Khác (Other)")


class AgencyLevel(models.TextChoices):
    """Cấp thực hiện."""

    WARD = "ward", _("Cấp xã, phường (Ward level)")
    CITY = "city", _("Cấp thành phố, sở ngành (City/department level)")


class OnlineLevel(models.TextChoices):
    """Mức độ dịch vụ công trực tuyến."""

    FULL = "full", _("Toàn trình (Fully online)")
    PARTIAL = "partial", _("Một phần (Partly online)")
    OFFLINE = "offline", _("Trực tiếp (Offline only)")


class Procedure(models.Model):
    """Thủ tục hành chính: what it is, who handles it and how far it can be done online."""

    code = models.CharField(
        "Mã thủ tục (National code)",
        max_length=12,
        unique=True,
        help_text="Mã trên Cổng DVC quốc gia, ví dụ 1.001612 (national code).",
    )
    name = models.CharField("Tên thủ tục (Name)", max_length=300)
    field = models.CharField("Lĩnh vực (Field)", max_length=30, choices=Field.choices)
    agency_level = models.CharField(
        "Cấp thực hiện (Agency level)", max_length=10, choices=AgencyLevel.choices
    )
    online_level = models.CharField(
        "Mức độ trực tuyến (Online level)", max_length=10, choices=OnlineLevel.choices
    )
    description = models.TextField("Mô tả (Description)", blank=True)
    steps = models.TextField(
        "Trình tự thực hiện (Steps)", blank=True, help_text="Một bước mỗi dòng (one step a line)."
    )
    result_type = models.CharField("Kết quả (Result)", max_length=300, blank=True)
    legal_basis = models.TextField("Căn cứ pháp lý (Legal basis)", blank=True)
    is_sample = models.BooleanField(
        "Dữ liệu mẫu (Sample data)",
        default=False,
        help_text="Dữ liệu minh họa, không phải văn bản chính thức (demo data, not official).",
    )
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="procedures",
        verbose_name="Cơ quan tiếp nhận (Agencies offering it)",
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "Thủ tục (Procedure)"
        verbose_name_plural = "Thủ tục (Procedures)"
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=CODE_REGEX), name="procedure_code_format"
            ),
            choices_check("field", Field, "procedure_field_valid"),
            choices_check("agency_level", AgencyLevel, "procedure_agency_level_valid"),
            choices_check("online_level", OnlineLevel, "procedure_online_level_valid"),
        ]
        indexes = [models.Index(fields=["field", "agency_level", "online_level"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"code", "name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def build_search_text(self) -> str:
        return search_normalize(f"{self.name} {self.code}")

    @property
    def step_list(self) -> list[str]:
        return [line.strip() for line in self.steps.splitlines() if line.strip()]

    @property
    def is_online(self) -> bool:
        return self.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Nháp (Draft)"
    PUBLISHED = "published", "Đã công bố (Published)"
    RETIRED = "retired", "Ngừng áp dụng (Retired)"


class FeeKind(models.TextChoices):
    FREE = "free", "Miễn phí (Free)"
    FIXED = "fixed", "Mức cố định (Fixed)"
    PER_UNIT = "per_unit", "Theo bản/trang (Per copy or page)"


class FeeDueOn(models.TextChoices):
    """When the fee must be paid."""

    SUBMISSION = "submission", _("Khi nộp hồ sơ (On submission)")
    RESULT = "result", _("Khi nhận kết quả (On handing back the result)")


class SupplementClock(models.TextChoices):
    """What the processing clock does when a citizen resubmits after a supplement request."""

    RESTART = "restart", "Tính lại từ đầu (Restart the count)"
    CONTINUE = "continue", "Tính tiếp (Continue the count)"


# Fields of a version that make up its content: frozen once published.
VERSION_CONTENT_FIELDS = (
    "procedure_id",
    "number",
    "processing_days",
    "processing_note",
    "form_schema",
    "fee_kind",
    "fee_amount",
    "fee_unit",
    "fee_cap",
    "fee_note",
    "fee_due_on",
    "supplement_clock",
    "change_note",
)


class ProcedureVersion(models.Model):
    """Phiên bản thủ tục: the form, documents, fee and time a dossier is filed under."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("Phiên bản số (Version)")
    status = models.CharField(
        "Trạng thái (Status)",
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
    )
    processing_days = models.PositiveSmallIntegerField(
        "Thời hạn giải quyết, ngày làm việc (Processing time, working days)"
    )
    processing_note = models.CharField(
        "Ghi chú thời hạn (Note on time)", max_length=300, blank=True
    )
    form_schema = models.JSONField(
        "Biểu mẫu (Form definition)",
        default=dict,
        blank=True,
        help_text="Định nghĩa biểu mẫu dạng JSON (declarative form schema, see procedures/schema.py).",
    )
    fee_kind = models.CharField(
        "Loại phí, lệ phí (Fee kind)", max_length=10, choices=FeeKind.choices, default=FeeKind.FREE
    )
    fee_amount = models.PositiveIntegerField("Mức phí, VNĐ (Fee, VND)", default=0)
    fee_unit = models.CharField(
        "Đơn vị tính (Unit)", max_length=30, blank=True, help_text="Ví dụ: bản, trang (copy, page)."
    )
    fee_cap = models.PositiveIntegerField(
        "Mức tối đa, VNĐ (Cap, VND)", null=True, blank=True, help_text="Tối đa mỗi hồ sơ."
    )
    fee_note = models.CharField("Ghi chú phí (Note on fee)", max_length=500, blank=True)
    fee_due_on = models.CharField(
        "Thời điểm nộp phí (Fee due)",
        max_length=10,
        choices=FeeDueOn.choices,
        default=FeeDueOn.SUBMISSION,
    )
    supplement_clock = models.CharField(
        "Khi bổ sung hồ sơ (Clock after a supplement)",
        max_length=10,
        choices=SupplementClock.choices,
        default=SupplementClock.RESTART,
    )
    change_note = models.CharField("Nội dung thay đổi (Change note)", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Phiên bản thủ tục (Procedure version)"
        verbose_name_plural = "Phiên bản thủ tục (Procedure versions)"
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="version_number_unique"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published"),
                name="version_one_published_per_procedure",
            ),
            choices_check("status", VersionStatus, "version_status_valid"),
            choices_check("fee_kind", FeeKind, "version_fee_kind_valid"),
            choices_check("supplement_clock", SupplementClock, "version_supplement_clock_valid"),
            choices_check("fee_due_on", FeeDueOn, "version_fee_due_on_valid"),
            models.CheckConstraint(
                condition=Q(fee_kind="free", fee_amount=0)
                | (~Q(fee_kind="free") & Q(fee_amount__gt=0)),
                name="version_fee_amount_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="version_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_status_display()})"

    def save(self, *args, **kwargs):
        from procedures.schema import schema_validate

        if self.pk is not None and not kwargs.get("force_insert"):
            stored = (
                type(self)
                .objects.filter(pk=self.pk)
                .values("status", *[f for f in VERSION_CONTENT_FIELDS])
                .first()
            )
            if stored is not None and stored["status"] != VersionStatus.DRAFT:
                changed = [f for f in VERSION_CONTENT_FIELDS if getattr(self, f) != stored[f]]
                if changed:
                    raise FrozenVersionError(
                        "Phiên bản đã công bố không được sửa (a published version is frozen): "
                        + ", ".join(changed)
                    )
                if self.status == VersionStatus.DRAFT:
                    raise FrozenVersionError(
                        "Không thể đưa phiên bản đã công bố về nháp (cannot reopen a published "
                        "version as a draft)."
                    )
        schema_validate(self.form_schema)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status != VersionStatus.DRAFT:
            raise FrozenVersionError("Chỉ xóa được phiên bản nháp (only drafts can be deleted).")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        from procedures.schema import schema_validate

        try:
            schema_validate(self.form_schema)
        except ValidationError as exc:
            raise ValidationError({"form_schema": exc.error_list}) from exc
        if self.fee_kind == FeeKind.FREE and self.fee_amount:
            raise ValidationError({"fee_amount": "Thủ tục miễn phí phải có mức phí 0 (free = 0)."})
        if self.fee_kind != FeeKind.FREE and not self.fee_amount:
            raise ValidationError({"fee_amount": "Hãy nhập mức phí lớn hơn 0 (enter a fee > 0)."})

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT

    @property
    def is_free(self) -> bool:
        return self.fee_kind == FeeKind.FREE


class _VersionChild(models.Model):
    """A row that belongs to a version's content: refused once the version is not a draft."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._guard()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._guard()
        return super().delete(*args, **kwargs)

    def _guard(self) -> None:
        status = (
            ProcedureVersion.objects.filter(pk=self.version_id)
            .values_list("status", flat=True)
            .first()
        )
        if status is not None and status != VersionStatus.DRAFT:
            raise FrozenVersionError()


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", _("Bản chính (Original)")
    COPY = "copy", _("Bản sao (Copy)")
    CERTIFIED_COPY = "certified_copy", _("Bản sao chứng thực (Certified copy)")
    ORIGINAL_OR_COPY = "original_or_copy", _("Bản chính hoặc bản sao (Original or copy)")


DEFAULT_FILE_TYPES = ["pdf", "jpg", "jpeg", "png"]


# Document slots the agency uses for its own working files (the specialist's draft result,
# dossiers/signing.py): never a citizen's upload slot, so no required document may take the key.
RESERVED_DOCUMENT_KEYS = frozenset({"result_draft"})


def validate_document_key(value: str) -> None:
    if value in RESERVED_DOCUMENT_KEYS:
        raise ValidationError(
            "Mã giấy tờ này dành riêng cho hệ thống (this key is reserved): %(value)s",
            code="reserved",
            params={"value": value},
        )


class RequiredDocument(_VersionChild):
    """Thành phần hồ sơ."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="documents"
    )
    position = models.PositiveSmallIntegerField("Thứ tự (Order)", default=0)
    key = models.SlugField(
        "Mã giấy tờ (Key)",
        max_length=50,
        validators=[validate_document_key],
        help_text="Dùng trong biểu mẫu để gắn ô tải lên (used by document slots in the form).",
    )
    name = models.CharField("Tên giấy tờ (Name)", max_length=300)
    form = models.CharField(
        "Bản chính/bản sao (Original/copy)",
        max_length=20,
        choices=DocumentForm.choices,
        default=DocumentForm.ORIGINAL,
    )
    copies = models.PositiveSmallIntegerField("Số lượng (Copies)", default=1)
    required = models.BooleanField("Bắt buộc (Required)", default=True)
    file_types = models.JSONField(
        "Định dạng chấp nhận (Accepted file types)",
        default=list,
        blank=True,
        help_text='Ví dụ ["pdf", "jpg", "png"].',
    )
    max_size_mb = models.PositiveSmallIntegerField(
        "Dung lượng tối đa, MB (Max size, MB)", default=5
    )
    note = models.CharField("Ghi chú (Note)", max_length=500, blank=True)

    class Meta:
        verbose_name = "Thành phần hồ sơ (Required document)"
        verbose_name_plural = "Thành phần hồ sơ (Required documents)"
        ordering = ["version", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="document_key_unique"),
            choices_check("form", DocumentForm, "document_form_valid"),
            models.CheckConstraint(condition=Q(copies__gte=1), name="document_copies_positive"),
            models.CheckConstraint(
                condition=Q(max_size_mb__gte=1, max_size_mb__lte=50), name="document_size_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def accepted_types(self) -> list[str]:
        return list(self.file_types or DEFAULT_FILE_TYPES)


class WaiverCondition(models.TextChoices):
    ONLINE_FILING = "online", "Nộp hồ sơ trực tuyến (Filed online)"
    BENEFICIARY = "beneficiary", "Đối tượng được miễn, giảm (Eligible group)"


class FeeWaiver(_VersionChild):
    """Miễn, giảm phí, lệ phí: a rule as data (e.g. the city waives the fee for online filing)."""

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="waivers")
    condition = models.CharField(
        "Điều kiện (Condition)", max_length=20, choices=WaiverCondition.choices
    )
    percent = models.PositiveSmallIntegerField(
        "Tỷ lệ miễn giảm, % (Percent waived)", default=100, help_text="100 = miễn toàn bộ (free)."
    )
    description = models.CharField("Mô tả (Description)", max_length=300)
    legal_basis = models.CharField("Căn cứ (Legal basis)", max_length=300, blank=True)
    valid_from = models.DateField("Áp dụng từ (From)", null=True, blank=True)
    valid_until = models.DateField("Áp dụng đến (Until)", null=True, blank=True)

    class Meta:
        verbose_name = "Miễn, giảm phí (Fee waiver)"
        verbose_name_plural = "Miễn, giảm phí (Fee waivers)"
        ordering = ["version", "id"]
        constraints = [
            choices_check("condition", WaiverCondition, "waiver_condition_valid"),
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="waiver_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="waiver_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.description
