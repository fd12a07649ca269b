"""Files kept between two posts of a form that came back with errors (the supplement page).

A browser cannot choose a file again by itself: when the page comes back because another field
is wrong, a file that passed its checks would be lost. It is kept in storage under a random name
(``held/``), and the page carries a signed token for it, bound to the dossier and the field and
valid for a day (``HOLD_SECONDS``). The next post of the page uses it when no other file is chosen
for that field; it goes through the same checks again and, once stored as a document, the held
copy is deleted. ``held_uploads_purge`` (a daily beat task) deletes copies never used.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import PurePath

from django.core import signing
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

SALT = "dossiers.held-upload"
HOLD_SECONDS = 24 * 60 * 60
FOLDER = "held"


def hold(upload, *, dossier_id: int, field: str) -> str:
    """Keep ``upload`` (a file that passed its checks); return the token the page carries."""
    upload.seek(0)
    path = default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}", upload)
    name = PurePath(getattr(upload, "name", "") or "tep").name[:200]
    content_type = getattr(upload, "content_type", "") or "application/octet-stream"
    return signing.dumps(
        {"p": path, "n": name, "t": content_type, "d": dossier_id, "f": field}, salt=SALT
    )


def release(token: str, *, dossier_id: int, field: str):
    """The kept file of ``token`` as an upload, and its storage path; None if the token is not
    valid for this dossier and field, has expired, or its file is gone."""
    try:
        data = signing.loads(token, salt=SALT, max_age=HOLD_SECONDS)
    except signing.BadSignature:
        return None
    if data.get("d") != dossier_id or data.get("f") != field:
        return None
    path = str(data.get("p", ""))
    if not path.startswith(f"{FOLDER}/") or not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as fh:
        content = fh.read()
    return SimpleUploadedFile(data["n"], content, content_type=data["t"]), path


def token_name(token: str) -> str:
    """The file name a valid token carries (for the page), or ""."""
    try:
        return str(signing.loads(token, salt=SALT, max_age=HOLD_SECONDS).get("n", ""))
    except signing.BadSignature:
        return ""


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
