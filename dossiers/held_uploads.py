"""Files kept between two posts of a form that came back with errors (the supplement page,
counter intake).

A browser cannot choose a file again by itself: when the page comes back because another field
is wrong, a file that passed its checks would be lost. It is kept in storage under a random name
(``held/``), and the page carries a signed token for it, bound to a scope (the dossier, or the
officer and procedure version of a counter intake) and the field, and valid for a day
(``HOLD_SECONDS``). The next post of the page uses it when no other file is chosen
for that field; it goes through the same checks again and, once stored as a document, the held
copy is deleted. ``held_uploads_purge`` (a daily beat task) deletes copies never used.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

SALT = "dossiers.held-upload"
HOLD_SECONDS = 24 * 60 * 60
FOLDER = "held"


def hold(upload, *, scope: str, field: str) -> str:
    """Keep ``upload`` (a file that passed its checks); return the token the page carries."""
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
    name = PurePath(getattr(upload, "name", "") or "tep").name[:200]
    content_type = getattr(upload, "content_type", "") or "application/octet-stream"
    return signing.dumps(
        {"p": path, "n": name, "t": content_type, "s": scope, "f": field}, salt=SALT
    )


def release(token: str, *, scope: str, field: str):
    """The kept file of ``token`` as an upload, and its storage path; None if the token is not
    valid for this scope and field, has expired, or its file is gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=HOLD_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("s") != scope or data.get("f") != field:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{FOLDER}/") or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    return SimpleUploadedFile(data["n"], content, content_type=data["t"]), path


def files_with_held(post, files, *, scope: str, fields: Iterable[str], prefix: str = "f"):
    """A post's files, with the files kept from the page's previous post for the fields where no
    other file was chosen (``held-<field>`` tokens); and those: field → (token, storage path)."""
    files = files.copy()
    released: dict[str, tuple[str, str]] = {}
    for name in fields:
        token = post.get(f"held-{name}", "")
        if not token or files.get(f"{prefix}-{name}"):
            continue
        kept = release(token, scope=scope, field=name)
        if kept is not None:
            files[f"{prefix}-{name}"], path = kept
            released[name] = (token, path)
    return files, released


def hold_checked(form, checked: dict, released: dict, *, scope: str) -> dict:
    """Keep each file that passed its checks (``checked``: field → CheckedUpload) and whose
    field has no error, for the page's next post; say so beside its field. Returns field →
    (token, path); a file kept already keeps its token."""
    held: dict[str, tuple[str, str]] = {}
    for name, upload in checked.items():
        if name in form.errors:
            continue
        held[name] = released.get(name) or (hold(upload.file, scope=scope, field=name), "")
        # On the bound field (made, and cached, when the form was cleaned) as on the field.
        form.fields[name].help_text = form[name].help_text = translation.gettext(
            "Đã giữ tệp «%(name)s»: tệp sẽ được gửi khi bạn gửi lại trang này; chọn tệp khác "
            "nếu muốn thay (kept: it is sent when you send this page again; choose another "
            "file to replace it)."
        ) % {"name": upload.name}
    return held


def forget(paths) -> None:
    for path in paths:
        default_storage.delete(path)


def held_uploads_purge(*, now: datetime | None = None) -> int:
    """Delete kept files older than their tokens can be (a day): those never posted again."""
    cutoff = (now or timezone.now()) - timedelta(seconds=HOLD_SECONDS)
    try:
        _dirs, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    removed = 0
    for name in files:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            removed += 1
    return removed
