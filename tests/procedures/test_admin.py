"""Catalog editing in the admin: catalog admins (with MFA) only; preview, publish, unpublish,
new draft, compare."""

import html
import json
from html.parser import HTMLParser

import pytest

from procedures.models import ProcedureVersion, VersionStatus
from tests.factories import UserFactory, make_officer

from .factories import ProcedureFactory, make_version

pytestmark = pytest.mark.django_db

ADMIN_URLS = [
    "/admin/procedures/procedure/",
    "/admin/procedures/procedure/add/",
    "/admin/procedures/procedureversion/",
    "/admin/procedures/procedureversion/{pk}/change/",
    "/admin/procedures/procedureversion/{pk}/preview/",
    "/admin/procedures/procedureversion/{pk}/compare/",
]


@pytest.fixture
def version():
    return make_version(procedure=ProcedureFactory(code="1.001193", name="Đăng ký khai sinh"))


@pytest.fixture
def catalog_admin(agency):
    return make_officer(agency=agency, roles=["catalog_admin"], is_staff=True)


@pytest.fixture
def admin_client(mfa_client, catalog_admin):
    return mfa_client(catalog_admin)


@pytest.mark.parametrize("url", ADMIN_URLS)
@pytest.mark.parametrize("role", ["reception_officer", "specialist", "approver", "supervisor"])
def test_other_staff_get_403(mfa_client, agency, version, url, role):
    user = make_officer(agency=agency, roles=[role], is_staff=True)
    client = mfa_client(user)
    assert client.get(url.format(pk=version.pk)).status_code == 403


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_citizens_get_403_and_anonymous_users_must_log_in(client, citizen, version, url):
    url = url.format(pk=version.pk)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(citizen)
    response = client.get(url, follow=True)
    assert response.status_code == 403


def test_a_catalog_admin_without_mfa_is_sent_to_set_it_up(client, agency, version):
    user = make_officer(agency=agency, roles=["catalog_admin"], is_staff=True, with_totp=False)
    client.force_login(user)
    response = client.get("/admin/procedures/procedure/")
    assert response.status_code == 302
    assert "/accounts/2fa/totp/activate" in response["Location"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_catalog_admins_reach_every_page(admin_client, version, url):
    assert admin_client.get(url.format(pk=version.pk)).status_code == 200


def test_publish_button_on_post_only(admin_client, version):
    url = f"/admin/procedures/procedureversion/{version.pk}/publish/"
    assert admin_client.get(url).status_code == 405


class _Forms(HTMLParser):
    """Where each <form id=…> opens (how many forms are open around it) and the buttons' form=."""

    def __init__(self):
        super().__init__()
        self.depth, self.forms, self.buttons = 0, {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if attrs.get("id"):
                self.forms[attrs["id"]] = self.depth
            self.depth += 1
        elif tag == "button" and attrs.get("form"):
            self.buttons.append(attrs["form"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.depth -= 1


@pytest.mark.parametrize("status", ["draft", "published"])
def test_the_version_buttons_submit_forms_that_are_not_nested_in_the_admin_form(
    admin_client, status
):
    """A browser drops a <form> inside another: its button would submit nothing."""
    version = make_version(procedure=ProcedureFactory(), status=status)
    parser = _Forms()
    parser.feed(
        admin_client.get(
            f"/admin/procedures/procedureversion/{version.pk}/change/"
        ).content.decode()
    )
    assert parser.buttons, "the page has publish/unpublish/new-draft buttons"
    for form_id in parser.buttons:
        assert parser.forms.get(form_id) == 0, form_id


def test_admin_search_ignores_accents(admin_client, version):
    ProcedureFactory(name="Đăng ký kết hôn")
    response = admin_client.get("/admin/procedures/procedure/", {"q": "dang ky khai sinh"})
    page = response.content.decode()
    assert "Đăng ký khai sinh" in page and "Đăng ký kết hôn" not in page


def test_the_full_editing_cycle(admin_client, version):
    # A published version cannot be edited: make a new draft from it.
    response = admin_client.post(f"/admin/procedures/procedureversion/{version.pk}/new-draft/")
    draft = ProcedureVersion.objects.get(procedure=version.procedure, number=version.number + 1)
    assert response["Location"] == f"/admin/procedures/procedureversion/{draft.pk}/change/"
    assert draft.status == VersionStatus.DRAFT

    # A bad schema is refused with the field named.
    page = admin_client.get(f"/admin/procedures/procedureversion/{draft.pk}/change/")
    assert page.status_code == 200
    form_data = {
        "change_note": "Thêm ngày sinh",
        "processing_days": "5",
        "processing_note": "",
        "supplement_clock": "restart",
        "fee_kind": "fixed",
        "fee_amount": "20000",
        "fee_unit": "",
        "fee_cap": "",
        "fee_note": "",
        "fee_due_on": "submission",
        "form_schema": json.dumps(
            {"fields": [{"name": "ngay_sinh", "kind": "datee", "label": "Ngày sinh"}]}
        ),
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "1",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-id": str(draft.documents.get().pk),
        "documents-0-version": str(draft.pk),
        "documents-0-position": "0",
        "documents-0-key": "cccd",
        "documents-0-name": "Căn cước",
        "documents-0-form": "copy",
        "documents-0-copies": "1",
        "documents-0-required": "on",
        "documents-0-file_types": '["pdf"]',
        "documents-0-max_size_mb": "5",
        "documents-0-note": "",
        "waivers-TOTAL_FORMS": "0",
        "waivers-INITIAL_FORMS": "0",
        "waivers-MIN_NUM_FORMS": "0",
        "waivers-MAX_NUM_FORMS": "1000",
    }
    url = f"/admin/procedures/procedureversion/{draft.pk}/change/"
    response = admin_client.post(url, form_data)
    assert response.status_code == 200
    assert 'fields[0] "ngay_sinh": loại "datee" không hợp lệ' in html.unescape(
        response.content.decode()
    )

    form_data["form_schema"] = json.dumps(
        {
            "fields": [
                {"name": "ho_ten", "kind": "text", "label": "Họ và tên", "required": True},
                {"name": "ngay_sinh", "kind": "date", "label": "Ngày sinh", "required": True},
                {"name": "tep_cccd", "kind": "document", "document": "cccd"},
            ]
        }
    )
    response = admin_client.post(url, form_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert (draft.fee_amount, draft.processing_days) == (20000, 5)

    # Preview renders the citizen form and checks answers without saving.
    preview = f"/admin/procedures/procedureversion/{draft.pk}/preview/"
    page = admin_client.get(preview).content.decode()
    assert 'name="ngay_sinh"' in page and 'type="date"' in page
    page = admin_client.post(preview, {"ho_ten": "An"}).content.decode()
    assert "Vui lòng nhập thông tin này" in page

    # Compare with the published version.
    page = admin_client.get(f"/admin/procedures/procedureversion/{draft.pk}/compare/")
    assert "20000" in page.content.decode() and "ngay_sinh" in page.content.decode()

    # Publish: the old version retires.
    admin_client.post(f"/admin/procedures/procedureversion/{draft.pk}/publish/")
    version.refresh_from_db()
    draft.refresh_from_db()
    assert (version.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)

    # The published version is read-only in the admin: a POST changes nothing.
    admin_client.post(url, {**form_data, "processing_days": "1"})
    draft.refresh_from_db()
    assert draft.processing_days == 5

    # Unpublish.
    admin_client.post(f"/admin/procedures/procedureversion/{draft.pk}/unpublish/")
    draft.refresh_from_db()
    assert draft.status == VersionStatus.RETIRED


def test_publish_errors_are_reported_not_raised(admin_client):
    procedure = ProcedureFactory(agencies=[])
    draft = make_version(procedure=procedure, status="draft", documents=())
    response = admin_client.post(
        f"/admin/procedures/procedureversion/{draft.pk}/publish/", follow=True
    )
    assert response.status_code == 200
    assert "không có trong thành phần hồ sơ" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_staff_superuser_also_edits(mfa_client, agency, version):
    user = make_officer(agency=agency, roles=[], is_staff=True, is_superuser=True)
    assert mfa_client(user).get("/admin/procedures/procedure/").status_code == 200


def test_the_citizen_pages_are_public_for_every_role(client, version, agency):
    for user in [
        None,
        UserFactory(roles=["citizen"]),
        make_officer(agency=agency, roles=["approver"]),
    ]:
        if user:
            client.force_login(user)
        assert client.get("/procedures/").status_code == 200
        assert client.get("/procedures/1.001193/").status_code == 200


@pytest.mark.parametrize(("status", "saveable"), [("draft", True), ("published", False)])
def test_a_frozen_version_offers_no_save_button(admin_client, status, saveable):
    version = make_version(procedure=ProcedureFactory(), status=status)
    page = admin_client.get(f"/admin/procedures/procedureversion/{version.pk}/change/")
    assert ('name="_save"' in page.content.decode()) is saveable
    assert ('name="_continue"' in page.content.decode()) is saveable


def test_the_beat_heartbeat_is_read_only_in_the_admin(admin_client, catalog_admin):
    from django.contrib.auth.models import Permission
    from django.utils import timezone

    from portal.models import Heartbeat

    # Even with every permission on the model (the demo's admin has them all).
    catalog_admin.user_permissions.add(*Permission.objects.filter(codename__endswith="heartbeat"))
    beat = Heartbeat.objects.create(name="beat", at=timezone.now())
    assert admin_client.get("/admin/portal/heartbeat/add/").status_code == 403
    page = admin_client.get(f"/admin/portal/heartbeat/{beat.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
