"""Small real files for upload tests: a PDF made with pypdf, PNG and JPEG images made with Pillow."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(fmt: str = "PNG", size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def padded_pdf(size: int) -> bytes:
    """A file of exactly ``size`` bytes that libmagic reads as a PDF (for size limits)."""
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    return head + b"0" * (size - len(head))


HTML = b"<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n"
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 200
)


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
