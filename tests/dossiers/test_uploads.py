"""Uploads to a dossier slot: accepted by content (libmagic), size limits per file and per
dossier, sanitised display names, random stored names, never under a public URL. Every refusal
gives a clear Vietnamese message and stores nothing (neither a row nor a file)."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dossiers import filing
from dossiers.models import DossierDocument
from dossiers.uploads import MB, sanitize_filename, upload_check
from tests.factories.files import EXE, HTML, image_bytes, padded_pdf, pdf_bytes, upload

SLOT = "giay_chung_sinh"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.fixture
def draft(people):
    return filing.dossier_create_draft(version=people.version, applicant=people.applicant)


@pytest.fixture
def owner(client, people):
    client.force_login(people.applicant)
    return client


def upload_url(draft, slot=SLOT):
    return reverse("dossiers:file_upload", kwargs={"public_id": draft.public_id, "slot": slot})


def post_file(client, draft, name, content, slot=SLOT):
    return client.post(upload_url(draft, slot), {f"upload-{slot}-file": upload(name, content)})


class TestItRefusesBadFiles:
    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("giay-chung-sinh.pdf", HTML, "Nội dung tệp không phải định dạng được chấp nhận"),
            ("scan.pdf", EXE, "Nội dung tệp không phải định dạng được chấp nhận"),
            ("setup.exe", EXE, "Nội dung tệp không phải định dạng được chấp nhận"),
            ("anh.png", HTML, "Nội dung tệp không phải định dạng được chấp nhận"),
            ("rong.pdf", b"", "Tệp rỗng (0 byte)"),
            ("lon.pdf", padded_pdf(5 * MB + 1), "Tệp lớn hơn mức cho phép 5 MB"),
        ],
    )
    def test_it_refuses_with_a_message_and_stores_nothing(
        self, owner, draft, _media, name, content, message
    ):
        response = post_file(owner, draft, name, content)
        assert response.status_code == 400
        text = response.content.decode()
        assert message in text
        assert 'aria-invalid="true"' in text
        # The slot's message takes the focus when the page loads (static/js/portal.js).
        error = re.search(rf'<p [^>]*id="slot-error-{SLOT}"[^>]*>', text)
        assert error and "data-error-summary-focus" in error.group(0)
        assert not DossierDocument.objects.exists()
        assert stored_files(_media) == []

    def test_it_refuses_a_missing_file(self, owner, draft, _media):
        response = owner.post(upload_url(draft), {})
        assert response.status_code == 400
        assert "Vui lòng chọn một tệp để tải lên" in response.content.decode()
        assert not DossierDocument.objects.exists()

    def test_it_refuses_when_the_dossier_total_would_exceed_the_limit(
        self, owner, draft, settings, _media
    ):
        settings.DOSSIER_MAX_TOTAL_MB = 1
        first = post_file(owner, draft, "mot.pdf", padded_pdf(600 * 1024))
        assert first.status_code == 302
        response = post_file(owner, draft, "hai.pdf", padded_pdf(600 * 1024))
        assert response.status_code == 400
        assert "Tổng dung lượng giấy tờ của hồ sơ vượt quá 1 MB" in response.content.decode()
        assert DossierDocument.objects.count() == 1
        assert len(stored_files(_media)) == 1

    def test_it_refuses_an_unknown_slot(self, owner, draft):
        response = post_file(owner, draft, "a.pdf", pdf_bytes(), slot="khong_co")
        assert response.status_code == 404


class TestItAcceptsGoodFiles:
    def test_it_stores_a_real_pdf_under_a_random_name(self, owner, draft, _media):
        content = pdf_bytes()
        response = post_file(owner, draft, "Giấy chứng sinh của bé An.pdf", content)
        assert response.status_code == 302
        doc = DossierDocument.objects.get()
        assert doc.dossier == draft and doc.slot == SLOT
        assert doc.original_name == "Giấy chứng sinh của bé An.pdf"
        assert doc.content_type == "application/pdf"
        assert doc.size == len(content)
        assert doc.uploaded_by == draft.applicant
        assert doc.file.name.startswith(f"dossiers/{draft.public_id.hex}/")
        assert "chứng" not in doc.file.name and not doc.file.name.endswith(".pdf")
        with doc.file.open("rb") as f:
            assert f.read() == content
        import hashlib

        assert doc.sha256 == hashlib.sha256(content).hexdigest()

    def test_it_accepts_a_png_and_a_jpeg(self, owner, draft):
        assert post_file(owner, draft, "anh.png", image_bytes("PNG")).status_code == 302
        assert post_file(owner, draft, "anh.jpg", image_bytes("JPEG")).status_code == 302
        types = sorted(DossierDocument.objects.values_list("content_type", flat=True))
        assert types == ["image/jpeg", "image/png"]

    def test_a_path_like_name_is_stored_sanitised(self, owner, draft, _media):
        response = post_file(owner, draft, "../../etc/passwd.pdf", pdf_bytes())
        assert response.status_code == 302
        doc = DossierDocument.objects.get()
        assert doc.original_name == "passwd.pdf"
        assert ".." not in doc.file.name and "etc" not in doc.file.name
        (path,) = stored_files(_media)
        assert os.path.realpath(path).startswith(os.path.realpath(_media))

    def test_a_png_named_pdf_gets_the_right_extension(self, owner, draft):
        post_file(owner, draft, "scan.pdf", image_bytes("PNG"))
        doc = DossierDocument.objects.get()
        assert (doc.content_type, doc.original_name) == ("image/png", "scan.png")

    def test_stored_files_are_not_under_a_public_url(self, owner, draft, client):
        post_file(owner, draft, "a.pdf", pdf_bytes())
        doc = DossierDocument.objects.get()
        for prefix in ("/media/", "/"):
            assert client.get(prefix + doc.file.name).status_code == 404

    def test_removing_a_document_deletes_row_and_file(
        self, owner, draft, _media, django_capture_on_commit_callbacks
    ):
        post_file(owner, draft, "a.pdf", pdf_bytes())
        doc = DossierDocument.objects.get()
        url = reverse(
            "dossiers:file_document_delete",
            kwargs={"public_id": draft.public_id, "document_id": doc.pk},
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert owner.post(url).status_code == 302
        assert not DossierDocument.objects.exists()
        assert stored_files(_media) == []


class TestUploadCheck:
    """The checks on their own (dossiers.uploads.upload_check)."""

    pdf_only = SimpleNamespace(accepted_types=["pdf"], max_size_mb=1)

    def test_it_follows_the_slot_file_types(self):
        with pytest.raises(ValidationError) as exc:
            upload_check(file=upload("a.png", image_bytes()), slot=self.pdf_only)
        assert exc.value.code == "file_type"
        assert "PDF" in exc.value.messages[0]
        checked = upload_check(file=upload("a.pdf", pdf_bytes()), slot=self.pdf_only)
        assert checked.content_type == "application/pdf"

    def test_it_follows_the_slot_size(self):
        with pytest.raises(ValidationError) as exc:
            upload_check(file=upload("a.pdf", padded_pdf(MB + 1)), slot=self.pdf_only)
        assert exc.value.code == "file_size"
        upload_check(file=upload("a.pdf", padded_pdf(MB)), slot=self.pdf_only)

    def test_files_sent_together_count_towards_the_dossier_total(self, settings):
        """``already``: the other files of the same request, not stored yet, count too."""
        settings.DOSSIER_MAX_TOTAL_MB = 1
        half = padded_pdf(600 * 1024)
        first = upload_check(file=upload("a.pdf", half), slot=self.pdf_only)
        with pytest.raises(ValidationError) as exc:
            upload_check(file=upload("b.pdf", half), slot=self.pdf_only, already=first.size)
        assert exc.value.code == "dossier_total"
        assert "vượt quá 1 MB" in exc.value.messages[0]
        assert "gửi cùng lần này 0.6 MB" in exc.value.messages[0]
        assert "(the dossier's files" in exc.value.messages[0]
        upload_check(file=upload("b.pdf", half), slot=self.pdf_only, already=MB - len(half))

    @pytest.mark.parametrize(
        ("raw", "clean"),
        [
            ("../../etc/passwd.pdf", "passwd.pdf"),
            ("C:\\Users\\lan\\Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
            ("bad\x00name\x1b[31m.pdf", "badname[31m.pdf"),
            ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
            ("rtl\u202egnp.pdf", "rtlgnp.pdf"),
            ("..", "tep"),
            ("", "tep"),
            (".hidden.pdf", "hidden.pdf"),
            ("Nguye\u0302\u0303n.pdf", "Nguyễn.pdf"),  # decomposed → NFC
            ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ],
    )
    def test_it_sanitises_names(self, raw, clean):
        assert sanitize_filename(raw) == clean

    def test_it_caps_the_length_and_keeps_the_extension(self):
        name = sanitize_filename("ả" * 300 + ".pdf")
        assert len(name) == 120 and name.endswith(".pdf")
