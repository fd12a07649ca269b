"""Files kept between two posts of a page (dossiers/held_uploads.py): signed tokens bound to the
dossier and the field, expiring with their files, which the beat task purges."""

from __future__ import annotations

import os
import time

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import held_uploads
from dossiers.tasks import held_uploads_purge

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_token_gives_back_its_file_for_its_dossier_and_field_only(_media):
    token = held_uploads.hold(
        SimpleUploadedFile("gcs.pdf", PDF, "application/pdf"), scope="dossier:7", field="birth_cert"
    )
    upload, path = held_uploads.release(token, scope="dossier:7", field="birth_cert")
    assert (upload.name, upload.read(), upload.content_type) == ("gcs.pdf", PDF, "application/pdf")
    assert path.startswith("held/") and (_media / path).exists()
    assert held_uploads.release(token, scope="dossier:8", field="birth_cert") is None
    assert held_uploads.release(token, scope="dossier:7", field="other") is None
    assert held_uploads.release(token[:-2] + "xx", scope="dossier:7", field="birth_cert") is None
    with time_machine.travel(time.time() + held_uploads.HOLD_SECONDS + 60):
        assert held_uploads.release(token, scope="dossier:7", field="birth_cert") is None
    held_uploads.forget([path])
    assert held_uploads.release(token, scope="dossier:7", field="birth_cert") is None


def test_the_beat_task_purges_the_files_older_than_a_day(_media):
    old = held_uploads.hold(SimpleUploadedFile("a.pdf", PDF), scope="dossier:1", field="f")
    fresh = held_uploads.hold(SimpleUploadedFile("b.pdf", PDF), scope="dossier:1", field="f")
    old_path = held_uploads.release(old, scope="dossier:1", field="f")[1]
    two_days_ago = time.time() - 2 * held_uploads.HOLD_SECONDS
    os.utime(_media / old_path, (two_days_ago, two_days_ago))

    assert held_uploads_purge() == 1  # the beat task, run here in the test's process

    assert not (_media / old_path).exists()
    assert held_uploads.release(fresh, scope="dossier:1", field="f") is not None
    assert held_uploads.held_uploads_purge() == 0
