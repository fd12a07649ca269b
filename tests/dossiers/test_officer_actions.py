"""Back-office actions (issue 7): each through its view — status, event, output queued — the
role 403s, the workflow's refusals, claiming and counter intake."""

import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from dossiers import workflow
from dossiers.filing import reusable_documents
from dossiers.models import Dossier, DossierDocument, DossierOutput
from dossiers.models import DossierStatus as S
from dossiers.views.officer import COUNTER_ACCOUNT_MISMATCH
from payments.models import DossierFee
from tests.dossiers.officer_support import login, officer_url

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def queued():
    """The documents queued on commit by dossiers/outputs.py (the task itself is not run)."""
    with mock.patch("dossiers.tasks.render_output") as task:
        yield task


def post(client, django_capture_on_commit_callbacks, name, dossier, data=None, **kw):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(officer_url(name, dossier), data or {}, **kw)


def event(dossier, action):
    return dossier.events.filter(action=action).latest("id")


def test_receive_sets_the_due_date_and_queues_the_receipt(
    people, client, queued, django_capture_on_commit_callbacks
):
    d = people.dossier(S.SUBMITTED)
    login(client, people.reception)
    r = post(client, django_capture_on_commit_callbacks, "receive", d, {"receive-note": ""})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == S.RECEIVED and d.due_at and event(d, "receive").actor == people.reception
    queued.delay.assert_called_once_with(d.pk, "receipt_01", "")


def test_refuse_needs_reasons_and_queues_form_03(
    people, client, queued, django_capture_on_commit_callbacks
):
    d = people.dossier(S.SUBMITTED)
    login(client, people.reception)
    r = post(client, django_capture_on_commit_callbacks, "refuse", d, {"refuse-reasons": ""})
    assert r.status_code == 400 and Dossier.objects.get(pk=d.pk).status == S.SUBMITTED
    r = post(
        client, django_capture_on_commit_callbacks, "refuse", d, {"refuse-reasons": "Sai thủ tục"}
    )
    d.refresh_from_db()
    assert d.status == S.REFUSED and event(d, "refuse").note == "Sai thủ tục"
    queued.delay.assert_called_once_with(d.pk, "refusal_03", str(event(d, "refuse").pk))


def test_a_supplement_request_lists_what_and_why_and_queues_form_02(
    people, client, queued, django_capture_on_commit_callbacks
):
    d = people.dossier(S.IN_REVIEW)
    login(client, people.specialist)
    data = {
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "30",
        "items-0-what": "Giấy chứng sinh",
        "items-0-reason": "Bản chụp mờ",
        "items-1-what": "Tờ khai",
        "items-1-reason": "Thiếu chữ ký",
    }
    r = post(client, django_capture_on_commit_callbacks, "request_supplement", d, data)
    assert r.status_code == 302
    d.refresh_from_db()
    e = event(d, "request_supplement")
    assert d.status == S.SUPPLEMENT_REQUESTED and len(e.data["items"]) == 2
    queued.delay.assert_called_once_with(d.pk, "supplement_02", str(e.pk))


def test_assign_offers_only_the_agencys_specialists(people, client):
    d = people.dossier(S.RECEIVED)
    login(client, people.reception)
    page = client.get(officer_url("detail", d)).content.decode()
    assert people.specialist.full_name in page
    r = client.post(officer_url("assign", d), {"assign-assignee": people.foreign_officer.pk})
    assert r.status_code == 400 and Dossier.objects.get(pk=d.pk).status == S.RECEIVED
    r = client.post(officer_url("assign", d), {"assign-assignee": people.specialist.pk})
    d.refresh_from_db()
    assert r.status_code == 302 and d.status == S.IN_REVIEW and d.assigned_to == people.specialist


def test_propose_stores_the_draft_and_approve_issues_it_signed_as_the_result(
    people, client, django_capture_on_commit_callbacks
):
    from dossiers.signing import (
        agency_signing_certificate,
        signature_status,
        signing_certificate_create,
    )
    from tests.factories.files import pdf_bytes

    signing_certificate_create(agency=people.agency)
    d = people.dossier(S.IN_REVIEW)
    login(client, people.specialist)
    bad = SimpleUploadedFile("du-thao.pdf", b"not a pdf", content_type="application/pdf")
    r = client.post(officer_url("propose", d), {"propose-draft": bad})
    assert r.status_code == 400 and Dossier.objects.get(pk=d.pk).status == S.IN_REVIEW
    content = pdf_bytes()
    draft = SimpleUploadedFile("du-thao.pdf", content, content_type="application/pdf")
    r = client.post(
        officer_url("propose", d), {"propose-draft": draft, "propose-note": "Đủ điều kiện"}
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == S.AWAITING_APPROVAL
    assert DossierDocument.objects.filter(dossier=d, slot="result_draft").exists()
    login(client, people.approver)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(officer_url("approve", d), {"approve-note": ""})
    d.refresh_from_db()
    assert d.status == S.RESULT_READY and event(d, "approve").actor == people.approver
    result = DossierOutput.objects.get(dossier=d, kind="result", key="signed")
    signed = result.file.read()
    assert signed.startswith(content)  # the draft, signed by an incremental update
    status = signature_status(
        pdf_bytes=signed, certificate=agency_signing_certificate(people.agency)
    )
    assert status.intact and status.valid


def test_the_agencys_own_notes_are_not_shown_to_the_citizen(people, client):
    """The specialist's proposal and the approver's comment are the agency's: the citizen's
    timeline shows those steps without their notes; the decision's reasons are shown."""
    from django.urls import reverse

    from dossiers.models import DossierEvent

    d = people.dossier(S.AWAITING_APPROVAL)
    DossierEvent.objects.create(
        dossier=d,
        action="propose",
        from_status=S.IN_REVIEW,
        to_status=S.AWAITING_APPROVAL,
        actor=people.specialist,
        note="ĐỀ XUẤT: không đủ điều kiện",
        data={"capacity": "specialist"},
    )
    login(client, people.approver)
    officer_page = client.get(officer_url("detail", d)).content.decode()
    assert "ĐỀ XUẤT: không đủ điều kiện" in officer_page
    client.force_login(people.applicant)
    citizen_page = client.get(reverse("dossiers:detail", args=[d.public_id])).content.decode()
    assert "Trình phê duyệt" in citizen_page  # the step is shown
    assert "ĐỀ XUẤT" not in citizen_page
    workflow.dossier_reject(dossier=d, actor=people.approver, reasons="Thiếu giấy tờ gốc")
    citizen_page = client.get(reverse("dossiers:detail", args=[d.public_id])).content.decode()
    assert "Thiếu giấy tờ gốc" in citizen_page and "ĐỀ XUẤT" not in citizen_page


def test_the_agencys_own_notes_are_not_mailed_to_the_citizen(people, mailoutbox):
    """The status e-mails leave out the proposal's note as the page does; a refusal's reasons
    are the citizen's and are mailed."""
    from dossiers.notifications import event_email_send

    d = people.dossier(S.IN_REVIEW)
    workflow.dossier_propose(dossier=d, actor=people.specialist, note="ĐỀ XUẤT: không đủ")
    workflow.dossier_reject(dossier=d, actor=people.approver, reasons="Thiếu giấy tờ gốc")
    for event in d.events.order_by("id"):
        assert event_email_send(event_id=event.pk)
    proposed, rejected = mailoutbox
    for mail in (proposed, rejected):
        assert "ĐỀ XUẤT" not in mail.body and "ĐỀ XUẤT" not in mail.alternatives[0][0]
    assert (
        "Thiếu giấy tờ gốc" in rejected.body and "Thiếu giấy tờ gốc" in rejected.alternatives[0][0]
    )


def test_reject_needs_reasons(people, client):
    d = people.dossier(S.AWAITING_APPROVAL)
    login(client, people.approver)
    assert client.post(officer_url("reject", d), {"reject-reasons": ""}).status_code == 400
    client.post(officer_url("reject", d), {"reject-reasons": "Không đủ điều kiện"})
    d.refresh_from_db()
    assert d.status == S.REJECTED and event(d, "reject").note == "Không đủ điều kiện"


@pytest.mark.parametrize(
    ("method", "extra", "stored"),
    [
        ("online", {}, {"method": "online"}),
        ("counter", {"return-collected_by": "Nguyễn Văn An"}, {"collected_by": "Nguyễn Văn An"}),
        ("post", {"return-tracking_number": "EB123VN"}, {"tracking_number": "EB123VN"}),
    ],
)
def test_hand_back_the_result_records_how(people, client, method, extra, stored):
    d = people.dossier(S.RESULT_READY)
    login(client, people.reception)
    r = client.post(officer_url("return_result", d), {"return-method": method, **extra})
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == S.COMPLETED
    assert stored.items() <= event(d, "return_result").data.items()


def test_hand_back_needs_who_collected_it_at_the_counter(people, client):
    d = people.dossier(S.RESULT_READY)
    login(client, people.reception)
    r = client.post(officer_url("return_result", d), {"return-method": "counter"})
    assert r.status_code == 400 and Dossier.objects.get(pk=d.pk).status == S.RESULT_READY


def test_a_workflow_refusal_is_shown_and_nothing_changes(people, client):
    d = people.dossier(S.RESULT_READY)
    DossierFee.objects.create(
        dossier=d, amount=50000, base_amount=50000, status="unpaid", due_on="result"
    )
    login(client, people.reception)
    r = client.post(officer_url("return_result", d), {"return-method": "online"})
    assert r.status_code == 400 and "chưa thanh toán" in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == S.RESULT_READY and not d.events.exists()


@pytest.mark.parametrize(
    ("persona", "name", "status", "data"),
    [
        ("reception", "approve", S.AWAITING_APPROVAL, {}),
        ("reception", "reject", S.AWAITING_APPROVAL, {"reject-reasons": "x"}),
        ("reception", "propose", S.IN_REVIEW, {}),
        ("specialist", "receive", S.SUBMITTED, {}),
        ("specialist", "return_result", S.RESULT_READY, {"return-method": "online"}),
        ("approver", "refuse", S.SUBMITTED, {"refuse-reasons": "x"}),
    ],
)
def test_a_role_without_the_right_gets_403_and_nothing_changes(
    people, client, persona, name, status, data
):
    d = people.dossier(status)
    login(client, getattr(people, persona))
    assert client.post(officer_url(name, d), data).status_code == 403
    assert Dossier.objects.get(pk=d.pk).status == status and not d.events.exists()


def test_a_citizen_gets_403_in_the_back_office(people, client):
    client.force_login(people.applicant)
    assert client.get(officer_url("home")).status_code == 403


def test_claim_marks_the_dossier_and_a_second_officer_is_told(people, client):
    from tests.factories import make_officer

    d = people.dossier(S.SUBMITTED)
    colleague = make_officer(agency=people.agency, roles=["reception_officer"])
    login(client, people.reception)
    client.post(officer_url("claim", d))
    d.refresh_from_db()
    assert d.claimed_by == people.reception and d.claimed_status == S.SUBMITTED
    login(client, colleague)
    r = client.post(officer_url("claim", d), follow=True)
    assert "cán bộ khác" in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).claimed_by == people.reception


def test_a_specialist_claiming_a_received_dossier_is_assigned_to_it(people, client):
    d = people.dossier(S.RECEIVED)
    login(client, people.specialist)
    client.post(officer_url("claim", d))
    d.refresh_from_db()
    assert d.status == S.IN_REVIEW and d.assigned_to == people.specialist
    assert event(d, "assign").data["claimed"] is True


def test_take_next_takes_the_earliest_due_unclaimed_dossier(people, client):
    now = timezone.now()
    later = people.dossier(S.RESULT_READY, due_at=now + timezone.timedelta(days=3))
    sooner = people.dossier(S.RESULT_READY, due_at=now + timezone.timedelta(days=1))
    login(client, people.reception)
    r = client.post(officer_url("take_next", slug="results"))
    assert r["Location"] == officer_url("detail", sooner)
    assert Dossier.objects.get(pk=sooner.pk).claimed_by == people.reception
    from tests.factories import make_officer

    colleague = make_officer(agency=people.agency, roles=["reception_officer"])
    login(client, colleague)
    r = client.post(officer_url("take_next", slug="results"))
    assert r["Location"] == officer_url("detail", later)


def _counter_post(client, people, code, **applicant):
    """Post a complete counter intake (one scan per document) with ``applicant`` overrides."""
    form = client.get(officer_url("counter_intake", code=code)).context["form"]
    data = {
        "a-full_name": "Phạm Thị Hoa",
        "a-citizen_id": "079190000123",
        "a-date_of_birth": "1990-05-01",
        "a-phone": "0912345678",
        "a-email": "",
        "a-address": "1 Lê Lợi",
        "d-result_delivery": "counter",
        **{f"a-{k}": v for k, v in applicant.items()},
    }
    files = {}
    for name, field in form.fields.items():
        key = f"f-{name}"
        if field.__class__.__name__ == "DocumentFileField":
            files[key] = SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")
        elif name == "child_name":
            data[key] = "Phạm Văn Bé"
    return client.post(officer_url("counter_intake", code=code), {**data, **files})


def test_counter_intake_shows_a_groups_rows_and_one_summary_for_its_three_forms(
    people, client, queued
):
    """A procedure with a group: its rows are on the counter page and are filed; errors of the
    applicant's form alone still give the page's summary, which takes the focus."""
    from tests.factories.procedures import published_version

    schema = {
        "fields": [
            {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
            {
                "name": "members",
                "kind": "group",
                "label": "Thành viên",
                "min_items": 1,
                "max_items": 2,
                "fields": [{"name": "ten", "kind": "text", "label": "Họ tên", "required": True}],
            },
            {
                "name": "birth_cert",
                "kind": "document",
                "document": "giay_chung_sinh",
                "label": "GCS",
            },
        ]
    }
    version = published_version(agencies=[people.agency], schema=schema)
    code = version.procedure.code
    login(client, people.reception)
    page = client.get(officer_url("counter_intake", code=code)).content.decode()
    assert 'name="f-members-TOTAL_FORMS"' in page and 'name="f-members-0-ten"' in page
    data = {
        "a-full_name": "Phạm Thị Hoa",
        "a-citizen_id": "079190000123",
        "a-date_of_birth": "1990-05-01",
        "a-phone": "not a phone",
        "a-email": "",
        "a-address": "1 Lê Lợi",
        "d-result_delivery": "counter",
        "f-child_name": "Phạm Văn Bé",
        "f-members-TOTAL_FORMS": "2",
        "f-members-INITIAL_FORMS": "0",
        "f-members-MIN_NUM_FORMS": "1",
        "f-members-MAX_NUM_FORMS": "2",
        "f-members-0-ten": "Phạm Văn Cha",
        "f-birth_cert": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    }
    r = client.post(officer_url("counter_intake", code=code), data)
    assert r.status_code == 400
    html = r.content.decode()
    summary = re.search(r'<div class="form-errors error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "data-error-summary-focus" in summary.group(0)
    assert 'href="#id_a-phone"' in summary[1]
    assert not Dossier.objects.filter(channel="counter").exists()
    # The scan passed its checks: it is kept for the next post, not to be scanned again.
    assert "Đã giữ tệp «scan.pdf»" in html
    token = re.search(r'name="held-birth_cert" value="([^"]+)"', html)[1]

    data["a-phone"] = "0912345678"
    del data["f-birth_cert"]
    r = client.post(officer_url("counter_intake", code=code), {**data, "held-birth_cert": token})
    assert r.status_code == 302, r.content.decode()[:3000]
    dossier = Dossier.objects.get(channel="counter")
    assert dossier.form_data["members"] == [{"ten": "Phạm Văn Cha"}]
    assert list(dossier.documents.values_list("original_name", "slot")) == [
        ("scan.pdf", "giay_chung_sinh")
    ]


def test_counter_intake_files_receives_and_queues_the_receipt(
    people, client, queued, django_capture_on_commit_callbacks
):
    login(client, people.reception)
    code = people.version.procedure.code
    assert client.get(officer_url("counter_start") + f"?procedure={code}")[
        "Location"
    ] == officer_url("counter_intake", code=code)
    assert client.get(officer_url("counter_intake", code=code)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = _counter_post(client, people, code)
    assert r.status_code == 302, r.context and [
        f.errors for f in (r.context["applicant_form"], r.context["form"], r.context["delivery"])
    ]
    d = Dossier.objects.get(channel="counter")
    assert d.status == S.RECEIVED and d.due_at and d.applicant_data["full_name"] == "Phạm Thị Hoa"
    assert d.applicant.email.endswith("@counter.invalid")
    assert [e.action for e in d.events.all()] == ["submit", "receive"]
    queued.delay.assert_called_once_with(d.pk, "receipt_01", "")


def test_counter_intake_files_under_an_existing_account_with_the_same_cccd(people, client, queued):
    people.other_citizen.citizen_id = "079190000123"
    people.other_citizen.save()
    login(client, people.reception)
    r = _counter_post(
        client, people, people.version.procedure.code, email=people.other_citizen.email.upper()
    )
    assert r.status_code == 302
    d = Dossier.objects.get(channel="counter")
    assert d.applicant == people.other_citizen and not d.owner_check_pending


@pytest.mark.parametrize("account_cccd", ["079190000999", ""])
def test_counter_intake_refuses_an_existing_account_with_another_or_no_cccd(
    people, client, queued, account_cccd
):
    """A mistyped e-mail must not hand a walk-in's dossier to whoever owns that address."""
    people.other_citizen.citizen_id = account_cccd
    people.other_citizen.save()
    login(client, people.reception)
    r = _counter_post(
        client, people, people.version.procedure.code, email=people.other_citizen.email
    )
    assert r.status_code == 400
    assert not Dossier.objects.filter(channel="counter").exists()
    applicant_form = r.context["applicant_form"]
    assert applicant_form.errors["email"] == [COUNTER_ACCOUNT_MISMATCH]  # the same either way
    html = r.content.decode()
    assert 'value="Phạm Thị Hoa"' in html and f'value="{people.other_citizen.email}"' in html
    assert not queued.delay.called


def test_a_new_account_sees_its_counter_dossier_only_after_typing_the_cccd(people, client, queued):
    """The e-mail may be mistyped: whoever owns the address gets an account, not the dossier."""
    login(client, people.reception)
    r = _counter_post(client, people, people.version.procedure.code, email="lan.moi@example.vn")
    assert r.status_code == 302
    d = Dossier.objects.get(channel="counter")
    assert d.owner_check_pending and d.applicant.email == "lan.moi@example.vn"
    account = d.applicant
    assert (account.citizen_id, account.full_name, account.phone, account.address) == ("",) * 4
    people.document(d)  # a scan in the dossier
    client.logout()
    client.force_login(d.applicant)
    profile = client.get("/profile/").content.decode()
    assert "079190000123" not in profile and "Phạm Thị Hoa" not in profile
    with pytest.raises(workflow.WorkflowError):  # not theirs to act on either
        workflow.dossier_withdraw(dossier=d, actor=account, reason="thử")

    mine = client.get(reverse("dossiers:my_dossiers")).content.decode()
    assert d.code not in mine and "Thủ tục thử nghiệm" not in mine
    assert reverse("dossiers:owner_check") in mine
    assert client.get(reverse("dossiers:detail", args=[d.public_id])).status_code == 404
    assert client.get(reverse("payments:start", args=[d.public_id])).status_code == 404
    assert client.get(reverse("dossiers:file_done", args=[d.public_id])).status_code == 404
    assert not reusable_documents(user=d.applicant, exclude_dossier=None).exists()

    check = reverse("dossiers:owner_check")
    wrong = client.post(check, {"citizen_id": "079190000999"})
    assert wrong.status_code == 400
    assert "không khớp" in wrong.content.decode()
    assert Dossier.objects.get(pk=d.pk).owner_check_pending

    right = client.post(check, {"citizen_id": "079190000123"})
    assert right.status_code == 302 and right["Location"] == reverse("dossiers:my_dossiers")
    assert not Dossier.objects.get(pk=d.pk).owner_check_pending
    assert d.code in client.get(reverse("dossiers:my_dossiers")).content.decode()
    assert client.get(reverse("dossiers:detail", args=[d.public_id])).status_code == 200
    assert reusable_documents(user=d.applicant, exclude_dossier=None).exists()
    assert client.get(check)["Location"] == reverse("dossiers:my_dossiers")  # nothing waits
    account.refresh_from_db()  # the profile takes the details given at the counter
    assert (account.citizen_id, account.full_name) == ("079190000123", "Phạm Thị Hoa")


def test_the_same_walk_in_again_before_the_check_waits_too(people, client, queued):
    login(client, people.reception)
    code = people.version.procedure.code
    assert _counter_post(client, people, code, email="lan.moi@example.vn").status_code == 302
    again = _counter_post(client, people, code, email="lan.moi@example.vn")
    assert again.status_code == 302
    assert list(Dossier.objects.values_list("owner_check_pending", flat=True)) == [True, True]
    stranger = _counter_post(
        client, people, code, email="lan.moi@example.vn", citizen_id="079190000999"
    )
    assert stranger.status_code == 400 and Dossier.objects.count() == 2


def test_a_cccd_typed_into_the_profile_does_not_skip_the_check(people, client, queued):
    """While dossiers wait, they say whose account it is, not the profile."""
    login(client, people.reception)
    code = people.version.procedure.code
    _counter_post(client, people, code, email="lan.moi@example.vn")
    account = Dossier.objects.get().applicant
    account.citizen_id = "079190000123"  # typed by the holder, unproven
    account.save()
    assert _counter_post(client, people, code, email="lan.moi@example.vn").status_code == 302
    assert list(Dossier.objects.values_list("owner_check_pending", flat=True)) == [True, True]


def test_the_counters_own_addresses_are_refused(people, client, queued):
    login(client, people.reception)
    r = _counter_post(
        client, people, people.version.procedure.code, email="quay-x90000@counter.invalid"
    )
    assert r.status_code == 400 and "dành riêng" in r.context["applicant_form"].errors["email"][0]


def test_a_waiting_counter_dossier_mails_a_neutral_note_only(people, client, mailoutbox):
    from dossiers.notifications import event_email_send

    login(client, people.reception)
    _counter_post(client, people, people.version.procedure.code, email="lan.moi@example.vn")
    d = Dossier.objects.get(channel="counter")
    sent = [event_email_send(event_id=e.pk) for e in d.events.order_by("id")]
    assert sent == [True, False]  # submit: the note; receive: nothing
    (mail,) = mailoutbox
    assert mail.to == ["lan.moi@example.vn"]
    text = mail.subject + mail.body
    assert d.code not in text and "Phạm Thị Hoa" not in text and "thử nghiệm" not in text
    assert reverse("dossiers:owner_check") in mail.body


def test_the_cccd_check_is_rate_limited(people, client):
    d = people.dossier(S.RECEIVED, owner_check_pending=True)
    client.force_login(d.applicant)
    codes = [  # 5 a minute (and 20 a day)
        client.post(reverse("dossiers:owner_check"), {"citizen_id": f"07919000{i:04d}"}).status_code
        for i in range(6)
    ]
    assert codes == [400] * 5 + [429]


def test_the_counter_service_refuses_another_account_too(people):
    """Defence in depth: the form checks first, the service checks again (a race)."""
    from django.core.exceptions import ValidationError

    from dossiers.views.officer import counter_applicant_user

    people.other_citizen.citizen_id = "079190000999"
    people.other_citizen.save()
    data = {"email": people.other_citizen.email, "citizen_id": "079190000123"}
    with pytest.raises(ValidationError):
        counter_applicant_user(agency=people.agency, data=data)
    data["citizen_id"] = "079190000999"
    assert counter_applicant_user(agency=people.agency, data=data) == (people.other_citizen, False)


def _stored_files(settings) -> list[str]:
    return sorted(str(p) for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def _counter_file(people, uploads: dict):
    from dossiers.views.officer import counter_dossier_file, result_draft_slot

    slot = result_draft_slot()  # a PDF slot; its key does not matter here
    return counter_dossier_file(
        agency=people.agency,
        version=people.version,
        officer=people.reception,
        applicant={"full_name": "Phạm Thị Hoa", "citizen_id": "079190000123", "email": ""},
        answers={"child_name": "Phạm Văn Bé"},
        uploads=uploads,
        slots=dict.fromkeys(uploads, slot),
        delivery={"result_delivery": "counter"},
    )


def test_counter_files_are_checked_together_before_any_is_stored(people, settings):
    from django.core.exceptions import ValidationError

    from tests.factories.files import padded_pdf

    settings.DOSSIER_MAX_TOTAL_MB = 1
    before = _stored_files(settings)
    uploads = {
        key: SimpleUploadedFile(
            f"{key}.pdf", padded_pdf(600 * 1024), content_type="application/pdf"
        )
        for key in ("mot", "hai")
    }
    with pytest.raises(ValidationError) as refused:
        _counter_file(people, uploads)
    assert refused.value.code == "dossier_total"
    assert not Dossier.objects.filter(channel="counter").exists()
    assert _stored_files(settings) == before


def test_a_failed_counter_intake_leaves_no_file_behind(people, settings, monkeypatch):
    """The transaction undoes the rows; the files stored before the failure go too."""
    before = _stored_files(settings)

    def refuse(**kwargs):
        raise workflow.WorkflowError("Không tiếp nhận được (receive refused).")

    monkeypatch.setattr(workflow, "dossier_receive", refuse)
    uploads = {"mot": SimpleUploadedFile("mot.pdf", PDF, content_type="application/pdf")}
    with pytest.raises(workflow.WorkflowError):
        _counter_file(people, uploads)
    assert not Dossier.objects.filter(channel="counter").exists()
    assert _stored_files(settings) == before


def test_the_officer_page_names_working_documents_and_outputs_in_words(client, people):
    """No internal keys (the draft's slot, an output's event id) where officers read."""
    d = people.dossier(S.AWAITING_APPROVAL)
    people.document(d, slot="result_draft", name="du-thao.pdf")
    people.output(d, kind="supplement_02", key="9187")
    people.output(d, kind="result", key="draft")
    html = login(client, people.approver).get(officer_url("detail", d)).content.decode()
    assert "Dự thảo kết quả" in html and "result_draft" not in html
    assert "(9187)" not in html and "(draft)" not in html
    assert "dự thảo, chưa ký" in html
