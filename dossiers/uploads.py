"""Checks on a file a citizen attaches to a dossier slot (thành phần hồ sơ).

A file is accepted by its **content** (libmagic), not by its name or the browser's content type:
only the types the slot's :class:`procedures.models.RequiredDocument` allows (PDF, JPEG and PNG
by default). The size is limited per file (the slot's ``max_size_mb``) and per dossier
(``settings.DOSSIER_MAX_TOTAL_MB``, default 50). The citizen's filename is only kept for display
(sanitised); the stored name is random (``DossierDocument.file``'s ``upload_to``) and files are
never served under a public URL.

    checked = upload_check(file=request.FILES["file"], slot=required_document, dossier=dossier)
    # raises django.core.exceptions.ValidationError with a Vietnamese message
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext_lazy

MB = 1024 * 1024
DEFAULT_MAX_TOTAL_MB = 50
MAX_NAME_LENGTH = 120
SNIFF_BYTES = 4096

# File type names used in RequiredDocument.file_types → the content types libmagic reports.
TYPE_MIMES: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "jpg": frozenset({"image/jpeg"}),
    "jpeg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
}
# The extension a stored name should carry for a detected content type.
MIME_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class CheckedUpload:
    """A file that passed every check, with what the dossier stores about it."""

    file: object
    name: str
    content_type: str
    size: int
    sha256: str


def max_total_bytes() -> int:
    return int(getattr(settings, "DOSSIER_MAX_TOTAL_MB", DEFAULT_MAX_TOTAL_MB)) * MB


def sanitize_filename(name: str, *, fallback: str = "tep") -> str:
    """The last path component, NFC, no control characters, at most ``MAX_NAME_LENGTH`` long.

    Vietnamese letters are kept. ``"../../etc/passwd.pdf"`` becomes ``"passwd.pdf"``.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        " " if ch in "\t\r\n" else ch
        for ch in name
        if ch in "\t\r\n" or not unicodedata.category(ch).startswith("C")  # control, format
    )
    name = " ".join(name.split())  # collapse whitespace
    name = name.strip(" .")  # no hidden files, no "..", no trailing dots
    for bad in '<>:"|?*':
        name = name.replace(bad, "_")
    if not name:
        name = fallback
    if len(name) > MAX_NAME_LENGTH:
        path = PurePosixPath(name)
        suffix = path.suffix if len(path.suffix) <= 10 else ""
        name = path.name[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix
    return name


def _with_extension(name: str, content_type: str) -> str:
    """Make the displayed name's extension match the content (a PNG called .pdf → .png)."""
    wanted = MIME_EXTENSIONS.get(content_type)
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    if wanted is None or TYPE_MIMES.get(suffix, frozenset()) == TYPE_MIMES[wanted]:
        return name
    stem = PurePosixPath(name).stem if suffix in TYPE_MIMES else name
    return sanitize_filename(f"{stem}.{wanted}")


def _read_head(file) -> bytes:
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return head


def _sha256_and_size(file) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(64 * 1024), b"")
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
    file.seek(0)
    return digest.hexdigest(), size


def accepted_types(slot) -> list[str]:
    return [t.lower().lstrip(".") for t in slot.accepted_types]


def upload_check(
    *, file, slot, dossier=None, name: str | None = None, already: int = 0
) -> CheckedUpload:
    """Check ``file`` for ``slot`` (a RequiredDocument); raise ``ValidationError`` if refused.

    With ``dossier``, the documents it already holds count towards the per-dossier limit.
    ``already`` is the bytes of the other files accepted in the same request and not stored yet
    (a form with several file fields): they count too, so files sent together cannot exceed the
    limit that each of them alone would meet. Add each accepted ``CheckedUpload.size`` to it::

        already = 0
        for upload in uploads:
            checked = upload_check(file=upload, slot=slot, dossier=dossier, already=already)
            already += checked.size
    """
    types = accepted_types(slot)
    type_list = ", ".join(t.upper() for t in types)
    size = getattr(file, "size", None)
    if size is None:
        _, size = _sha256_and_size(file)
    if size == 0:
        raise ValidationError(
            gettext_lazy("Tệp rỗng (0 byte), vui lòng chọn lại tệp (the file is empty)."),
            code="empty",
        )
    if size > slot.max_size_mb * MB:
        raise ValidationError(
            gettext_lazy("Tệp lớn hơn mức cho phép %(mb)s MB (the file is larger than %(mb)s MB)."),
            code="file_size",
            params={"mb": slot.max_size_mb},
        )
    content_type = magic.from_buffer(_read_head(file), mime=True)
    allowed = frozenset().union(*(TYPE_MIMES.get(t, frozenset()) for t in types))
    if content_type not in allowed:
        raise ValidationError(
            gettext_lazy(
                "Nội dung tệp không phải định dạng được chấp nhận (%(types)s). Tệp đổi tên đuôi "
                "cũng không được nhận (file content is not one of %(types)s)."
            ),
            code="file_type",
            params={"types": type_list},
        )
    if dossier is not None or already:
        stored = 0
        if dossier is not None:
            stored = dossier.documents.aggregate(total=Sum("size"))["total"] or 0
        limit = max_total_bytes()
        if stored + already + size > limit:
            if already:
                raise ValidationError(
                    gettext_lazy(
                        "Tổng dung lượng giấy tờ của hồ sơ vượt quá %(mb)s MB (đã lưu %(used).1f "
                        "MB, các tệp khác gửi cùng lần này %(already).1f MB). Hãy giảm kích thước "
                        "tệp hoặc gửi bớt tệp (the dossier's files, with the other files sent "
                        "together, would exceed %(mb)s MB)."
                    ),
                    code="dossier_total",
                    params={"mb": limit // MB, "used": stored / MB, "already": already / MB},
                )
            raise ValidationError(
                gettext_lazy(
                    "Tổng dung lượng giấy tờ của hồ sơ vượt quá %(mb)s MB (đã dùng %(used).1f MB). "
                    "Hãy giảm kích thước tệp (the dossier's files would exceed %(mb)s MB)."
                ),
                code="dossier_total",
                params={"mb": limit // MB, "used": stored / MB},
            )
    sha256, _ = _sha256_and_size(file)
    display = sanitize_filename(name if name is not None else getattr(file, "name", ""))
    return CheckedUpload(
        file=file,
        name=_with_extension(display, content_type),
        content_type=content_type,
        size=size,
        sha256=sha256,
    )


def form_uploads_check(form, slots: dict, *, dossier=None) -> list[tuple[str, CheckedUpload]]:
    """Check each file of a schema form's post (``form.uploaded_files()``; ``slots``: key →
    RequiredDocument): ``(slot key, CheckedUpload)`` for those that pass; a refused one gets its
    message on its field, unless the form already says it (a non-field error).

    The files of one post count towards the dossier's total together (``already``): the first
    one that would take it over the limit is refused.
    """
    from procedures.schema import schema_document_fields

    fields = schema_document_fields(form.schema)
    said = {str(e) for e in form.non_field_errors()}
    checked: list[tuple[str, CheckedUpload]] = []
    already = 0  # bytes of this post's files accepted so far (not stored yet)
    for key, upload in form.uploaded_files().items():
        slot = slots.get(key)
        if slot is None or key not in fields:
            continue
        try:
            accepted = upload_check(file=upload, slot=slot, dossier=dossier, already=already)
        except ValidationError as exc:
            if not set(exc.messages) <= said:
                form.add_error(fields[key], exc)
        else:
            already += accepted.size
            checked.append((key, accepted))
    return checked
