"""Filing a dossier online: the steps, autosave and resume, server re-validation at submission,
access (owner only), document reuse, the agency choice and the query counts of the pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse

from dossiers import filing
from dossiers.models import Dossier, DossierDocument, DossierStatus, ResultDelivery
from procedures.services import version_new_draft, version_publish, version_unpublish
from tests.factories import AgencyFactory, UserFactory
from tests.factories.files import pdf_bytes, upload
from tests.factories.procedures import published_version

SLOT = "giay_chung_sinh"
RICH_SCHEMA = {
    "fields": [
        {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
        {
            "name": "child_dob",
            "kind": "date",
            "label": "Ngày sinh của trẻ",
            "required": True,
            "past_only": True,
        },
        {"name": "mother_cccd", "kind": "cccd", "label": "CCCD của mẹ", "required": True},
        {"name": "has_father", "kind": "yes_no", "label": "Có thông tin người cha"},
        {
            "name": "father_name",
            "kind": "text",
            "label": "Họ tên cha",
            "required": True,
            "show_if": {"field": "has_father", "equals": True},
        },
        {"name": "birth_cert", "kind": "document", "document": SLOT, "label": "Giấy chứng sinh"},
    ]
}
APPLICANT = {
    "full_name": "Nguyễn Thị Lan",
    "citizen_id": "079190123456",
    "date_of_birth": "1990-05-17",
    "phone": "0912345678",
    "email": "lan@example.vn",
    "address": "12 Lê Lợi, Phường Sài Gòn",
}
DETAILS = {
    "child_name": "Nguyễn Văn An",
    "child_dob": "2026-01-02",
    "mother_cccd": "079190123456",
    "has_father": "no",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def version(people):
    return published_version(agencies=[people.agency], schema=RICH_SCHEMA)


@pytest.fixture
def draft(people, version):
    return filing.dossier_create_draft(version=version, applicant=people.applicant)


@pytest.fixture
def owner(client, people):
    client.force_login(people.applicant)
    return client


def step_url(dossier, step):
    return reverse("dossiers:file_step", kwargs={"public_id": dossier.public_id, "step": step})


def autosave_url(dossier, step):
    return reverse("dossiers:file_autosave", kwargs={"public_id": dossier.public_id, "step": step})


def fill_everything(client, dossier, agency, *, details=DETAILS):
    """Go through every step as a citizen would (real form posts), up to the review page."""
    assert (
        client.post(step_url(dossier, "applicant"), {**APPLICANT, "_nav": "next"}).status_code
        == 302
    )
    assert client.post(step_url(dossier, "details"), {**details, "_nav": "next"}).status_code == 302
    upload_to = reverse(
        "dossiers:file_upload", kwargs={"public_id": dossier.public_id, "slot": SLOT}
    )
    assert (
        client.post(upload_to, {f"upload-{SLOT}-file": upload("gcs.pdf", pdf_bytes())}).status_code
        == 302
    )
    assert client.post(step_url(dossier, "documents"), {"_nav": "next"}).status_code == 302
    assert (
        client.post(step_url(dossier, "agency"), {"agency": agency.pk, "_nav": "next"}).status_code
        == 302
    )
    response = client.post(
        step_url(dossier, "delivery"), {"result_delivery": "online", "_nav": "next"}
    )
    assert response.status_code == 302
    assert response["Location"] == step_url(dossier, "review")


def submit(client, dossier, **extra):
    return client.post(
        step_url(dossier, "review"), {"declaration": "on", "_nav": "submit", **extra}
    )


# --- starting ---------------------------------------------------------------------------------
class TestStart:
    def test_the_procedure_page_button_leads_here(self, client, people, version):
        page = client.get(reverse("procedures:detail", kwargs={"code": version.procedure.code}))
        start = reverse("dossiers:file_start", kwargs={"code": version.procedure.code})
        assert f'href="{start}"' in page.content.decode()

    def test_anonymous_is_sent_to_login(self, client, version):
        url = reverse("dossiers:file_start", kwargs={"code": version.procedure.code})
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert client.post(url).status_code == 302
        assert not Dossier.objects.exists()

    def test_it_creates_a_draft_prefilled_from_the_profile(self, owner, people, version):
        people.applicant.citizen_id = "079190123456"
        people.applicant.phone = "0912345678"
        people.applicant.save()
        url = reverse("dossiers:file_start", kwargs={"code": version.procedure.code})
        assert owner.get(url).status_code == 200
        response = owner.post(url)
        dossier = Dossier.objects.get()
        assert response["Location"] == step_url(dossier, "applicant")
        assert dossier.status == DossierStatus.DRAFT and dossier.code is None
        assert dossier.version == version and dossier.applicant == people.applicant
        page = owner.get(step_url(dossier, "applicant")).content.decode()
        assert 'value="Nguyễn Thị Lan"' in page and 'value="079190123456"' in page
        assert 'aria-current="step"' in page
        # The start page offers the open draft.
        assert (
            reverse("dossiers:file_resume", args=[dossier.public_id])
            in owner.get(url).content.decode()
        )

    @pytest.mark.parametrize("level", ["offline"])
    def test_offline_procedures_cannot_be_filed(self, owner, people, level):
        version = published_version(agencies=[people.agency], online_level=level)
        url = reverse("dossiers:file_start", kwargs={"code": version.procedure.code})
        assert owner.get(url).status_code == 404
        assert owner.post(url).status_code == 404
        assert not Dossier.objects.exists()

    def test_unpublished_procedures_cannot_be_filed(self, owner, version):
        version_unpublish(version=version)
        url = reverse("dossiers:file_start", kwargs={"code": version.procedure.code})
        assert owner.post(url).status_code == 404


# --- autosave and resume ----------------------------------------------------------------------
class TestDraftsAutosaveAndResume:
    def test_autosave_keeps_invalid_values_and_resume_shows_them(self, owner, draft):
        response = owner.post(
            autosave_url(draft, "details"),
            {"child_name": "Nguyễn Văn An", "mother_cccd": "12345", "child_dob": "31/02/2026"},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        assert "Đã tự động lưu" in response.content.decode()
        draft.refresh_from_db()
        assert draft.draft_step == "details"
        assert draft.draft_values["details"]["mother_cccd"] == ["12345"]
        assert draft.draft_values["details"]["child_dob"] == ["31/02/2026"]

        # Coming back later: the resume link goes to the step, every value is there.
        resume = owner.get(reverse("dossiers:file_resume", args=[draft.public_id]))
        assert resume["Location"] == step_url(draft, "details")
        page = owner.get(step_url(draft, "details")).content.decode()
        assert 'value="Nguyễn Văn An"' in page
        assert 'value="12345"' in page
        assert 'value="31/02/2026"' in page
        # What was typed wrong says so, in Vietnamese, next to the field …
        assert "Số CCCD phải gồm đúng 12 chữ số" in page
        assert 'id="id_mother_cccd_error"' in page
        # … and a field not filled yet is not shown as an error before "Tiếp tục".
        assert "Vui lòng nhập thông tin này" not in page

    def test_the_requesters_fields_start_with_the_applicant_step_and_then_keep_what_is_saved(
        self, owner, people
    ):
        schema = {
            "fields": [
                *RICH_SCHEMA["fields"],
                {"name": "requester", "kind": "text", "label": "Họ tên", "prefill": "full_name"},
                {"name": "requester_id", "kind": "cccd", "label": "CCCD", "prefill": "citizen_id"},
            ]
        }
        version = published_version(agencies=[people.agency], schema=schema)
        draft = filing.dossier_create_draft(version=version, applicant=people.applicant)
        owner.post(step_url(draft, "applicant"), {**APPLICANT, "_nav": "next"})
        page = owner.get(step_url(draft, "details")).content.decode()
        assert 'name="requester" value="Nguyễn Thị Lan"' in page
        assert 'value="079190123456"' in page
        # The citizen's own answer, once saved, is what the step shows (even an empty one).
        owner.post(
            autosave_url(draft, "details"),
            {"requester": "Trần Văn Bình", "requester_id": ""},
            HTTP_HX_REQUEST="true",
        )
        page = owner.get(step_url(draft, "details")).content.decode()
        assert 'value="Trần Văn Bình"' in page and "079190123456" not in page

    def test_next_with_invalid_values_keeps_them_and_stays(self, owner, draft):
        response = owner.post(
            step_url(draft, "details"), {"child_name": "", "mother_cccd": "12345", "_nav": "next"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "Vui lòng nhập thông tin này" in page
        assert 'value="12345"' in page
        draft.refresh_from_db()
        assert draft.draft_step == "details"
        assert draft.draft_values["details"]["mother_cccd"] == ["12345"]

    def test_next_with_valid_values_moves_on_and_back_works(self, owner, draft):
        response = owner.post(step_url(draft, "applicant"), {**APPLICANT, "_nav": "next"})
        assert response["Location"] == step_url(draft, "details")
        draft.refresh_from_db()
        assert draft.draft_step == "details"
        response = owner.post(step_url(draft, "details"), {"child_name": "x", "_nav": "back"})
        assert response["Location"] == step_url(draft, "applicant")
        draft.refresh_from_db()
        assert draft.draft_step == "applicant"
        assert draft.draft_values["details"]["child_name"] == ["x"]

    def test_a_late_autosave_of_the_same_values_does_not_move_the_citizen_back(self, owner, draft):
        owner.post(step_url(draft, "applicant"), {**APPLICANT, "_nav": "next"})
        owner.post(autosave_url(draft, "applicant"), APPLICANT)  # in flight during "Tiếp tục"
        draft.refresh_from_db()
        assert draft.draft_step == "details"
        owner.post(autosave_url(draft, "applicant"), {**APPLICANT, "full_name": "Lan"})
        draft.refresh_from_db()
        assert draft.draft_step == "applicant"  # a real change: the citizen is there
        assert draft.draft_values["applicant"]["full_name"] == ["Lan"]

    def test_an_autosave_sent_before_a_newer_save_is_ignored(self, owner, draft):
        owner.post(autosave_url(draft, "details"), {"child_name": "An", "_stamp": "tab1.20"})
        owner.post(step_url(draft, "details"), {**DETAILS, "_nav": "next", "_stamp": "tab1.30"})
        # An autosave the page sent before "Tiếp tục" (25) but processed after it.
        owner.post(autosave_url(draft, "details"), {"child_name": "", "_stamp": "tab1.25"})
        draft.refresh_from_db()
        assert draft.draft_values["details"]["child_name"] == [DETAILS["child_name"]]
        assert draft.draft_step == "documents"
        owner.post(
            autosave_url(draft, "details"), {**DETAILS, "child_name": "Bình", "_stamp": "tab1.40"}
        )
        draft.refresh_from_db()
        assert draft.draft_values["details"]["child_name"] == ["Bình"]

    def test_saves_from_another_device_are_never_taken_for_old_ones(self, owner, draft):
        """Only one page's saves are ordered: another page's (another device, whatever its
        clock) are kept, and a button the citizen pressed is never dropped."""
        owner.post(autosave_url(draft, "details"), {"child_name": "An", "_stamp": "phone.900"})
        owner.post(autosave_url(draft, "details"), {"child_name": "Bình", "_stamp": "laptop.1"})
        draft.refresh_from_db()
        assert draft.draft_values["details"]["child_name"] == ["Bình"]
        owner.post(autosave_url(draft, "details"), {"child_name": "Chi", "_stamp": "laptop.5"})
        # The same page's "Tiếp tục" with an older number than its last autosave: still saved.
        response = owner.post(
            step_url(draft, "details"), {**DETAILS, "_nav": "next", "_stamp": "laptop.3"}
        )
        assert response["Location"] == step_url(draft, "documents")
        draft.refresh_from_db()
        assert draft.draft_values["details"]["child_name"] == [DETAILS["child_name"]]
        assert draft.draft_step == "documents"
        # That page's order only goes forward: its autosave 4 is older than its 5.
        owner.post(autosave_url(draft, "details"), {"child_name": "", "_stamp": "laptop.4"})
        draft.refresh_from_db()
        assert draft.draft_values["details"]["child_name"] == [DETAILS["child_name"]]

    def test_save_draft_stays_on_the_step(self, owner, draft):
        response = owner.post(step_url(draft, "applicant"), {"full_name": "", "_nav": "save"})
        assert response["Location"] == step_url(draft, "applicant")
        draft.refresh_from_db()
        assert draft.draft_values["applicant"]["full_name"] == [""]

    def test_the_step_form_autosaves_with_htmx(self, owner, draft):
        page = owner.get(step_url(draft, "details")).content.decode()
        assert f'hx-post="{autosave_url(draft, "details")}"' in page
        assert 'hx-trigger="change, input changed delay:800ms"' in page
        assert f'action="{step_url(draft, "details")}"' in page  # works without JavaScript

    def test_an_autosave_after_the_session_ended_is_a_401_not_the_login_page(
        self, client, people, draft
    ):
        """htmx would swap a followed redirect (the whole login page) into the status line;
        a 401 swaps nothing and static/js/filing.js says the input is kept, not saved."""
        data = {"child_name": "Nguyễn Văn An"}
        response = client.post(autosave_url(draft, "details"), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 401
        assert response["Content-Type"].startswith("text/plain")
        assert "<" not in response.content.decode()
        # Without htmx (the plain form post), the usual redirect to the login page.
        response = client.post(step_url(draft, "details"), {**data, "_nav": "next"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        draft.refresh_from_db()
        assert "details" not in draft.draft_values

    def test_a_step_shown_again_with_its_errors_does_not_take_the_focus(self, owner, draft):
        """Resuming shows the errors the draft kept, with the summary, but opens on the heading
        (the summary takes the focus only in answer to a POST: static/js/portal.js)."""
        posted = owner.post(
            step_url(draft, "details"), {"child_name": "", "mother_cccd": "12", "_nav": "next"}
        ).content.decode()
        assert "data-error-summary-focus" in posted
        page = owner.get(step_url(draft, "details")).content.decode()
        assert "data-error-summary" in page and "data-error-summary-focus" not in page

    def test_an_autosave_answers_the_fingerprint_the_next_page_carries(self, owner, draft):
        """static/js/filing.js restores a kept copy only while the server holds what it was
        typed against: the form's data-saved-version, then each save's X-Saved-Version."""

        def page_version():
            page = owner.get(step_url(draft, "details")).content.decode()
            return re.search(r'data-saved-version="([0-9a-f]+)"', page).group(1)

        before = page_version()
        saved = owner.post(
            autosave_url(draft, "details"), {"child_name": "An"}, HTTP_HX_REQUEST="true"
        )
        assert saved["X-Saved-Version"] != before
        assert page_version() == saved["X-Saved-Version"]
        again = owner.post(
            autosave_url(draft, "details"), {"child_name": "An"}, HTTP_HX_REQUEST="true"
        )
        assert again["X-Saved-Version"] == saved["X-Saved-Version"]  # same values, same print

    def test_other_htmx_requests_of_a_signed_out_user_go_to_the_login_page(self, client):
        response = client.get(
            reverse("dossiers:my_dossiers"),
            HTTP_HX_REQUEST="true",
            HTTP_HX_CURRENT_URL="http://testserver/ho-so-cua-toi/?after=x",
        )
        assert response.status_code == 200
        assert response["HX-Redirect"] == "/accounts/login/?next=%2Fho-so-cua-toi%2F"

    def test_the_status_line_carries_the_failure_messages_and_the_way_back(self, owner, draft):
        page = owner.get(step_url(draft, "details")).content.decode()
        assert 'data-signed-out="Chưa lưu được: phiên đăng nhập đã hết.' in page
        assert f'data-login-url="/accounts/login/?next={step_url(draft, "details")}"' in page
        assert 'data-restored="Đã khôi phục những gì bạn nhập' in page


# --- submission --------------------------------------------------------------------------------
class TestSubmit:
    def test_it_submits_shows_the_code_and_mails_the_applicant(
        self, owner, people, draft, django_capture_on_commit_callbacks
    ):
        fill_everything(owner, draft, people.agency)
        review = owner.get(step_url(draft, "review")).content.decode()
        assert "Tôi xin cam đoan" in review and "Nguyễn Văn An" in review
        with django_capture_on_commit_callbacks(execute=True):
            response = submit(owner, draft)
        draft.refresh_from_db()
        assert draft.status == DossierStatus.SUBMITTED
        assert draft.code and draft.code.startswith(people.agency.code)
        assert response["Location"] == reverse("dossiers:file_done", args=[draft.public_id])
        done = owner.get(response["Location"]).content.decode()
        assert draft.code in done
        # The cleaned values are frozen on the dossier.
        assert draft.form_data["child_name"] == "Nguyễn Văn An"
        assert draft.form_data["child_dob"] == "2026-01-02"
        assert "father_name" not in draft.form_data
        assert draft.applicant_data["citizen_id"] == "079190123456"
        assert draft.applicant_data["email"] == "lan@example.vn"
        assert "declared_at" in draft.applicant_data
        assert draft.result_delivery == ResultDelivery.ONLINE
        # The acknowledgement e-mail (workflow → notify_status_change on commit).
        assert [m.to for m in mail.outbox] == [["lan@example.vn"]]
        assert draft.code in mail.outbox[0].subject + mail.outbox[0].body
        # It is listed in "Hồ sơ của tôi".
        assert draft.code in owner.get(reverse("dossiers:my_dossiers")).content.decode()
        # A filed dossier's draft pages now lead to its confirmation.
        again = owner.get(step_url(draft, "details"))
        assert again["Location"] == reverse("dossiers:file_done", args=[draft.public_id])

    def test_the_declaration_is_required(self, owner, people, draft):
        fill_everything(owner, draft, people.agency)
        response = owner.post(step_url(draft, "review"), {"_nav": "submit"})
        assert response.status_code == 400
        assert "Vui lòng đánh dấu ô cam đoan" in response.content.decode()
        draft.refresh_from_db()
        assert draft.status == DossierStatus.DRAFT and draft.code is None

    def test_the_server_validates_again_at_submission(self, owner, people, draft):
        fill_everything(owner, draft, people.agency)
        # A required field emptied afterwards through autosave (no "Tiếp tục").
        owner.post(autosave_url(draft, "details"), {**DETAILS, "child_name": ""})
        response = submit(owner, draft)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Hồ sơ chưa đầy đủ" in page and "Họ tên của trẻ" in page
        draft.refresh_from_db()
        assert draft.status == DossierStatus.DRAFT and draft.code is None
        assert draft.form_data == {} and not draft.events.exists()

    def test_a_missing_document_or_agency_is_refused(self, owner, people, draft):
        fill_everything(owner, draft, people.agency)
        DossierDocument.objects.filter(dossier=draft).delete()
        Dossier.objects.filter(pk=draft.pk).update(agency=None)
        response = submit(owner, draft)
        assert response.status_code == 400
        page = response.content.decode()
        assert "chưa đính kèm «Giấy chứng sinh»" in page
        assert "chưa chọn cơ quan tiếp nhận" in page
        draft.refresh_from_db()
        assert draft.status == DossierStatus.DRAFT

    def test_a_conditional_field_is_required_only_when_shown(self, owner, draft):
        url = step_url(draft, "details")
        response = owner.post(url, {**DETAILS, "has_father": "yes", "_nav": "next"})
        assert response.status_code == 200
        assert "Vui lòng nhập thông tin này" in response.content.decode()
        draft.refresh_from_db()
        assert draft.draft_values["details"]["has_father"] == ["yes"]
        response = owner.post(url, {**DETAILS, "has_father": "no", "_nav": "next"})
        assert response.status_code == 302

    def test_a_draft_stays_on_its_frozen_version(self, owner, people, version, draft):
        fill_everything(owner, draft, people.agency)
        # A newer version adds a required field and is published; the old one retires.
        new = version_new_draft(procedure=version.procedure)
        new.form_schema = {
            "fields": [
                *RICH_SCHEMA["fields"],
                {"name": "extra", "kind": "text", "label": "Trường mới", "required": True},
            ]
        }
        new.save()
        version_publish(version=new)
        version.refresh_from_db()
        assert version.status == "retired"
        response = submit(owner, draft)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.status == DossierStatus.SUBMITTED
        assert draft.version == version and "extra" not in draft.form_data

    def test_post_delivery_needs_an_address(self, owner, draft):
        response = owner.post(
            step_url(draft, "delivery"), {"result_delivery": "post", "_nav": "next"}
        )
        assert response.status_code == 200
        assert "Vui lòng nhập địa chỉ nhận kết quả qua bưu chính" in response.content.decode()
        response = owner.post(
            step_url(draft, "delivery"),
            {"result_delivery": "post", "delivery_address": "1 Lê Duẩn", "_nav": "next"},
        )
        assert response.status_code == 302
        draft.refresh_from_db()
        assert (draft.result_delivery, draft.delivery_address) == ("post", "1 Lê Duẩn")

    def test_partly_online_procedures_do_not_offer_online_results(self, owner, people):
        version = published_version(agencies=[people.agency], online_level="partial")
        dossier = filing.dossier_create_draft(version=version, applicant=people.applicant)
        assert dossier.result_delivery == ResultDelivery.COUNTER
        page = owner.get(step_url(dossier, "delivery")).content.decode()
        assert 'value="online"' not in page and 'value="counter"' in page


# --- access ------------------------------------------------------------------------------------
def draft_urls(dossier, doc):
    pid = dossier.public_id
    return [
        ("get", reverse("dossiers:file_resume", args=[pid]), {}),
        *[("get", step_url(dossier, s), {}) for s in filing.STEP_SLUGS],
        ("post", step_url(dossier, "applicant"), {"full_name": "x", "_nav": "save"}),
        ("post", step_url(dossier, "review"), {"declaration": "on"}),
        ("post", autosave_url(dossier, "details"), {"child_name": "x"}),
        (
            "post",
            reverse("dossiers:file_upload", kwargs={"public_id": pid, "slot": SLOT}),
            {f"upload-{SLOT}-file": upload("a.pdf", pdf_bytes())},
        ),
        ("post", reverse("dossiers:file_reuse", kwargs={"public_id": pid, "slot": SLOT}), {}),
        (
            "post",
            reverse(
                "dossiers:file_document_delete", kwargs={"public_id": pid, "document_id": doc.pk}
            ),
            {},
        ),
        ("get", reverse("dossiers:file_done", args=[pid]), {}),
    ]


class TestAccess:
    @pytest.fixture
    def doc(self, people, draft):
        return filing.document_add(
            dossier=draft,
            slot=draft.version.documents.get(),
            file=upload("a.pdf", pdf_bytes()),
            user=people.applicant,
        )

    def test_another_citizen_gets_404_everywhere(self, client, people, draft, doc):
        client.force_login(people.other_citizen)
        for method, url, data in draft_urls(draft, doc):
            response = getattr(client, method)(url, data)
            assert response.status_code == 404, (method, url, response.status_code)
        draft.refresh_from_db()
        assert draft.draft_values["applicant"]["full_name"] == people.applicant.full_name
        assert list(draft.documents.all()) == [doc]

    def test_an_officer_of_the_agency_gets_404_too(self, client, people, draft, doc):
        client.force_login(people.reception)
        for method, url, data in draft_urls(draft, doc):
            assert getattr(client, method)(url, data).status_code == 404, url

    def test_anonymous_is_sent_to_login(self, client, draft, doc):
        for method, url, data in draft_urls(draft, doc):
            response = getattr(client, method)(url, data)
            assert response.status_code == 302, url
            assert "/accounts/login/" in response["Location"]


# --- documents reuse ---------------------------------------------------------------------------
class TestReuse:
    @pytest.fixture
    def earlier(self, people, version):
        old = filing.dossier_create_draft(version=version, applicant=people.applicant)
        return filing.document_add(
            dossier=old,
            slot=version.documents.get(),
            file=upload("CCCD mặt trước.pdf", pdf_bytes(2)),
            user=people.applicant,
        )

    def reuse(self, client, draft, source_id):
        url = reverse("dossiers:file_reuse", kwargs={"public_id": draft.public_id, "slot": SLOT})
        return client.post(url, {f"reuse-{SLOT}-source": source_id})

    def test_the_citizen_reuses_an_own_document(self, owner, draft, earlier):
        page = owner.get(step_url(draft, "documents")).content.decode()
        assert "CCCD mặt trước.pdf" in page
        response = self.reuse(owner, draft, earlier.pk)
        assert response.status_code == 302
        doc = draft.documents.get()
        assert doc.reused_from == earlier
        assert doc.sha256 == earlier.sha256 and doc.original_name == earlier.original_name
        assert doc.file.name != earlier.file.name  # a copy: removing one keeps the other
        with doc.file.open("rb") as a, earlier.file.open("rb") as b:
            assert a.read() == b.read()

    def test_the_offer_dates_the_document_in_vietnam_time(self, owner, draft, earlier):
        # 00:30 on 3 December in Ho Chi Minh City is still 2 December in UTC.
        uploaded = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
        DossierDocument.objects.filter(pk=earlier.pk).update(created_at=uploaded)
        page = owner.get(step_url(draft, "documents")).content.decode()
        assert "CCCD mặt trước.pdf — hồ sơ nháp" in page
        assert "03/12/2026" in page and "02/12/2026" not in page

    def test_another_citizens_document_is_refused(self, client, people, version, draft):
        stranger = UserFactory(roles=["citizen"])
        theirs = filing.dossier_create_draft(version=version, applicant=stranger)
        foreign = filing.document_add(
            dossier=theirs,
            slot=version.documents.get(),
            file=upload("secret.pdf", pdf_bytes()),
            user=stranger,
        )
        client.force_login(people.applicant)
        assert "secret.pdf" not in client.get(step_url(draft, "documents")).content.decode()
        response = self.reuse(client, draft, foreign.pk)
        assert response.status_code == 400
        assert "Không tìm thấy giấy tờ này trong hồ sơ của bạn" in response.content.decode()
        assert not draft.documents.exists()

    @pytest.mark.parametrize("bad", ["", "abc", "999999"])
    def test_nonsense_ids_are_refused(self, owner, draft, earlier, bad):
        assert self.reuse(owner, draft, bad).status_code == 400
        assert not draft.documents.exists()


# --- the receiving agency ----------------------------------------------------------------------
class TestAgency:
    def test_only_agencies_offering_the_procedure_are_offered_and_accepted(
        self, owner, people, draft
    ):
        second = AgencyFactory(name="Ủy ban nhân dân Phường Bến Thành")
        draft.version.procedure.agencies.add(second)
        outsider = AgencyFactory(name="Ủy ban nhân dân Phường Không Nhận")
        page = owner.get(step_url(draft, "agency")).content.decode()
        assert people.agency.name in page and second.name in page
        assert outsider.name not in page
        response = owner.post(step_url(draft, "agency"), {"agency": outsider.pk, "_nav": "next"})
        assert response.status_code == 200
        assert "Cơ quan này không tiếp nhận thủ tục này" in response.content.decode()
        draft.refresh_from_db()
        assert draft.agency is None
        # Any offering agency works, not only the citizen's own ward.
        response = owner.post(step_url(draft, "agency"), {"agency": second.pk, "_nav": "next"})
        assert response["Location"] == step_url(draft, "delivery")
        draft.refresh_from_db()
        assert draft.agency == second

    def test_the_list_can_be_filtered_by_name(self, owner, people, draft):
        second = AgencyFactory(name="Ủy ban nhân dân Phường Bến Thành")
        draft.version.procedure.agencies.add(second)
        page = owner.get(step_url(draft, "agency"), {"q": "ben thanh"}).content.decode()
        assert second.name in page and people.agency.name not in page

    def test_an_agency_that_stops_offering_it_is_refused_at_submission(self, owner, people, draft):
        fill_everything(owner, draft, people.agency)
        draft.version.procedure.agencies.remove(people.agency)
        response = submit(owner, draft)
        assert response.status_code == 400
        assert "không còn tiếp nhận thủ tục này" in response.content.decode()


# --- query counts ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("step", "limit"),
    [
        ("applicant", 3),  # session, user, the draft (with version, procedure, agency)
        ("details", 3),
        ("documents", 6),  # + slots, documents, the citizen's reusable documents
        ("agency", 4),  # + the agencies offering the procedure
        ("delivery", 3),
        ("review", 7),  # + documents, slots (check and labels), agency still offering it
    ],
)
def test_step_pages_query_counts(owner, people, draft, django_assert_max_num_queries, step, limit):
    fill_everything(owner, draft, people.agency)
    for i in range(3):  # more documents do not mean more queries
        filing.document_add(
            dossier=draft,
            slot=draft.version.documents.get(),
            file=upload(f"{i}.pdf", pdf_bytes()),
            user=people.applicant,
        )
    with django_assert_max_num_queries(limit):
        response = owner.get(step_url(draft, step))
    assert response.status_code == 200
    page = response.content.decode()
    assert "{#" not in page and "#}" not in page  # no template comment leaks onto the page


# --- Enter in a field moves forward -------------------------------------------------------------
class _StepFormButtons(HTMLParser):
    """The submit buttons of a step's own form (the one posting to the step), in page order."""

    def __init__(self, action: str):
        super().__init__()
        self.action, self.inside, self.buttons = action, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action and a.get("method") == "post"
        elif tag == "button" and self.inside and a.get("type", "submit") == "submit":
            self.buttons.append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


@pytest.mark.parametrize(
    ("step", "forward"),
    [
        ("applicant", "next"),
        ("details", "next"),
        ("documents", "next"),
        ("agency", "next"),
        ("delivery", "next"),
        ("review", "submit"),
    ],
)
def test_the_forward_button_comes_first_so_enter_moves_forward(owner, people, draft, step, forward):
    """A browser submits a form with its first submit button when Enter is pressed in a field
    (HTML's implicit submission): that button must go forward, never back a step."""
    fill_everything(owner, draft, people.agency)
    parser = _StepFormButtons(step_url(draft, step))
    parser.feed(owner.get(step_url(draft, step)).content.decode())
    assert parser.buttons[0] == forward, parser.buttons
    assert step == "applicant" or "back" in parser.buttons


# --- the error summary lists a group's rows -----------------------------------------------------
def test_a_rows_error_is_in_the_summary_and_links_to_its_field(owner, people):
    """'Tiếp tục' with only a row wrong: the summary is shown (and takes the focus) and names
    the row's field, linking to it; the rows' own messages stay next to their fields."""
    schema = {
        "fields": [
            {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
            {
                "name": "members",
                "kind": "group",
                "label": "Thành viên",
                "min_items": 1,
                "max_items": 3,
                "fields": [
                    {"name": "ten", "kind": "text", "label": "Họ tên", "required": True},
                    {"name": "nam_sinh", "kind": "number", "label": "Năm sinh"},
                ],
            },
        ]
    }
    version = published_version(agencies=[people.agency], schema=schema)
    draft = filing.dossier_create_draft(version=version, applicant=people.applicant)
    data = {
        "child_name": "Nguyễn Văn An",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "3",
        "members-0-ten": "",
        "members-0-nam_sinh": "1990",
        "_nav": "next",
    }
    response = owner.post(step_url(draft, "details"), data)
    html = response.content.decode()
    summary = re.search(r'<div class="form-errors error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "no error summary"
    assert "data-error-summary-focus" in summary.group(0)
    link = re.search(r'<a href="#(id_[^"]*members-0-ten)">Thành viên – dòng 1 – Họ tên', summary[1])
    assert link, summary[1]
    assert f'id="{link[1]}"' in html  # the link's target is the row's field
    draft.refresh_from_db()
    assert draft.draft_values["details"]["members-0-nam_sinh"] == ["1990"]  # kept as typed


def test_the_filing_messages_are_english_on_english_pages(owner, draft):
    owner.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = owner.post(
        step_url(draft, "applicant"), {"full_name": "", "_nav": "save"}, follow=True
    )
    html = response.content.decode()
    assert "Draft saved." in html and "Đã lưu bản nháp" not in html
    response = owner.post(
        reverse("dossiers:file_upload", kwargs={"public_id": draft.public_id, "slot": SLOT}),
        {f"upload-{SLOT}-file": upload("gcs.pdf", pdf_bytes())},
        follow=True,
    )
    assert "«gcs.pdf» uploaded." in response.content.decode()


def test_an_autosave_typed_against_an_older_version_does_not_overwrite_another_pages_save(
    owner, draft
):
    """Tab A saw version V1 of the step; tab B saved V2 since. A's autosave (with its base V1)
    is refused (412, nothing stored); one typed against V2, or a button press, is stored."""
    url = autosave_url(draft, "details")
    owner.post(url, {"child_name": "An", "_stamp": "taba.1"})
    draft.refresh_from_db()
    seen_by_a = filing.saved_version(draft, "details")
    owner.post(url, {"child_name": "Bình", "_stamp": "tabb.1", "_base": seen_by_a})
    draft.refresh_from_db()
    seen_by_b = filing.saved_version(draft, "details")

    refused = owner.post(url, {"child_name": "An Nguyễn", "_stamp": "taba.2", "_base": seen_by_a})
    assert refused.status_code == 412
    assert "vừa được lưu từ một thẻ hoặc thiết bị khác" in refused.content.decode()
    draft.refresh_from_db()
    assert draft.draft_values["details"]["child_name"] == ["Bình"]

    ok = owner.post(url, {"child_name": "Bình An", "_stamp": "taba.3", "_base": seen_by_b})
    assert ok.status_code == 200 and ok["X-Saved-Version"] != seen_by_b
    owner.post(step_url(draft, "details"), {**DETAILS, "_nav": "save", "_stamp": "tabb.2"})
    draft.refresh_from_db()
    assert draft.draft_values["details"]["child_name"] == [DETAILS["child_name"]]


def test_the_review_page_reads_like_the_steps(owner, people, draft):
    """Dates as dd/mm/yyyy (the applicant's too), labels with their English gloss."""
    fill_everything(owner, draft, people.agency)
    page = owner.get(step_url(draft, "review")).content.decode()
    assert "17/05/1990" in page and "1990-05-17" not in page
    assert "02/01/2026" in page  # the child's date of birth, a field of the procedure
    assert "Sửa cơ quan tiếp nhận" in page  # two "change" links that say what they change


def test_the_review_page_shows_the_fee_before_submitting(
    owner, people, django_assert_max_num_queries
):
    paid = published_version(agencies=[people.agency], schema=RICH_SCHEMA, fee=50_000)
    draft = filing.dossier_create_draft(version=paid, applicant=people.applicant)
    fill_everything(owner, draft, people.agency)
    with django_assert_max_num_queries(8):  # the free review's 7, + the fee's waivers
        page = owner.get(step_url(draft, "review")).content.decode()
    assert "50.000 đồng" in page and "Nộp ngay sau khi nộp hồ sơ" in page


def test_a_free_procedure_shows_no_fee_on_review(owner, people, draft):
    fill_everything(owner, draft, people.agency)
    assert 'id="r-fee"' not in owner.get(step_url(draft, "review")).content.decode()


def test_the_same_file_is_offered_for_reuse_once(owner, people, version, draft):
    old = filing.dossier_create_draft(version=version, applicant=people.applicant)
    for _ in range(2):
        filing.document_add(
            dossier=old,
            slot=version.documents.get(),
            file=upload("cccd.pdf", pdf_bytes(3)),
            user=people.applicant,
        )
    page = owner.get(step_url(draft, "documents")).content.decode()
    assert page.count("cccd.pdf — ") == 1
