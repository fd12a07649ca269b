"""The online-submission acknowledgement: rendered by a task queued on submit, stored through the
storage API, issued once (a retried task or a racing worker creates no second one), readable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dossiers import outputs, pdf, workflow
from dossiers.models import Channel, DossierOutput, DossierStatus, OutputKind
from dossiers.tasks import render_output

pytestmark = pytest.mark.django_db
ACK = OutputKind.ACKNOWLEDGEMENT


def submit(people, django_capture_on_commit_callbacks, **kw):
    dossier = people.dossier(
        DossierStatus.DRAFT,
        applicant_data={
            "full_name": "Nguyễn Thị Lan",
            "phone": "0903123456",
            "email": "lan@example.vn",
            "address": "Số 12 đường Lê Lợi, Phường Sài Gòn",
        },
        **kw,
    )
    people.document(dossier, name="giấy-chứng-sinh.pdf")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    return dossier


def test_submitting_renders_and_stores_the_acknowledgement(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://dichvucong.example.vn"
    dossier = submit(people, django_capture_on_commit_callbacks)

    output = DossierOutput.objects.get(dossier=dossier)
    assert (output.kind, output.key) == (ACK, "")
    assert output.event == dossier.events.get(action="submit")
    assert output.file.name.startswith(f"outputs/{dossier.public_id.hex}/acknowledgement-")
    with output.file.open("rb") as fh:
        data = fh.read()
    assert data.startswith(b"%PDF")
    # Compared without whitespace: where WeasyPrint wraps a line is not the point here.
    compact = "".join(pdf.pdf_text(data).split())

    def printed(value: str) -> bool:
        return "".join(value.split()) in compact

    assert printed(dossier.code)
    assert printed("GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN")
    assert printed("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert printed("Nguyễn Thị Lan")
    assert printed(people.version.procedure.name)
    assert printed("Giấy chứng sinh")
    assert printed("giấy-chứng-sinh.pdf")
    assert printed(dossier.agency.name.upper())
    assert f"https://dichvucong.example.vn/lookup/?code={dossier.code}" in compact


def test_the_task_is_idempotent(people, django_capture_on_commit_callbacks):
    dossier = submit(people, django_capture_on_commit_callbacks)
    first = DossierOutput.objects.get(dossier=dossier)

    again = render_output.delay(dossier.pk, ACK.value)  # a retried or duplicated message

    assert DossierOutput.objects.filter(dossier=dossier).count() == 1
    assert again.get() == first.pk


def test_a_racing_worker_leaves_one_output_and_no_stray_file(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    dossier = people.dossier(DossierStatus.SUBMITTED)
    real_render = pdf.render_pdf
    stored = {}

    def render_while_another_worker_stores(template_name, context):
        result = real_render(template_name, context)
        stored["theirs"] = people.output(dossier, ACK)  # the other worker wins the race
        return result

    monkeypatch.setattr(pdf, "render_pdf", render_while_another_worker_stores)
    storage = DossierOutput._meta.get_field("file").storage

    output = outputs.output_render(dossier_id=dossier.pk, kind=ACK)

    assert output == stored["theirs"]
    assert DossierOutput.objects.filter(dossier=dossier).count() == 1
    _dirs, files = storage.listdir(f"outputs/{dossier.public_id.hex}")
    assert len(files) == 1


def test_a_counter_filing_gets_no_online_acknowledgement(
    people, django_capture_on_commit_callbacks
):
    dossier = people.dossier(DossierStatus.DRAFT, channel=Channel.COUNTER)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_submit(dossier=dossier, actor=people.reception)
    assert not DossierOutput.objects.filter(dossier=dossier).exists()


def test_the_context_is_built_from_the_dossier(people, settings):
    settings.SITE_URL = "https://dvc.example.vn/"
    dossier = people.dossier(
        DossierStatus.SUBMITTED,
        applicant_data={
            "full_name": "Trần Văn Bình",
            "phone": "0912345678",
            "address": {"street": "5 Hai Bà Trưng", "ward_name": "Phường Bến Thành"},
        },
    )
    people.document(dossier, name="a.pdf")
    context = outputs.dossier_outputs_context(dossier)
    assert context["dossier_code"] == dossier.code
    assert context["lookup_url"] == f"https://dvc.example.vn/lookup/?code={dossier.code}"
    assert context["applicant"]["name"] == "Trần Văn Bình"
    assert context["applicant"]["address"] == "5 Hai Bà Trưng, Phường Bến Thành"
    assert context["applicant"]["email"] == people.applicant.email  # falls back to the account
    assert context["procedure_name"] == people.version.procedure.name
    assert context["documents"] == [{"name": "Giấy chứng sinh", "filename": "a.pdf"}]
    assert context["agency_name"] == dossier.agency.name


def test_the_citizen_downloads_the_acknowledgement(
    client, people, django_capture_on_commit_callbacks
):
    dossier = submit(people, django_capture_on_commit_callbacks)
    output = DossierOutput.objects.get(dossier=dossier)
    client.force_login(people.applicant)
    page = client.get(reverse("dossiers:detail", args=[dossier.public_id])).content.decode()
    url = reverse("dossiers:output_download", args=[dossier.public_id, output.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
