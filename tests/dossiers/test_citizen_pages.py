"""The citizen's side of following a dossier: "Hồ sơ của tôi" (keyset pages), the dossier page,
withdrawing, answering a supplement request, the e-mail link, and constant query counts."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dossiers import workflow
from dossiers.models import Dossier, DossierEvent, DossierStatus, SyncOutbox

pytestmark = pytest.mark.django_db
S = DossierStatus
MY = reverse("dossiers:my_dossiers")
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def detail_url(dossier):
    return reverse("dossiers:detail", args=[dossier.public_id])


def make_many(people, n, **kw):
    """``n`` filed dossiers, created one second apart (newest last)."""
    start = timezone.now() - dt.timedelta(days=1)
    made = []
    for i in range(n):
        d = people.dossier(S.SUBMITTED, **kw)
        Dossier.objects.filter(pk=d.pk).update(created_at=start + dt.timedelta(seconds=i))
        made.append(d)
    return made


def codes_in(html: str) -> list[str]:
    return re.findall(r">([A-Z0-9]+-260101-\d{4})<", html)


# -- Hồ sơ của tôi ---------------------------------------------------------------------------
def test_it_lists_drafts_and_filed_dossiers_newest_first(client, people):
    draft = people.dossier(S.DRAFT)
    filed = people.dossier(S.RECEIVED, due_at=timezone.make_aware(dt.datetime(2026, 3, 9, 17)))
    Dossier.objects.filter(pk=draft.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    people.dossier(S.SUBMITTED, applicant=people.other_citizen)  # someone else's
    client.force_login(people.applicant)

    response = client.get(MY)

    assert response.status_code == 200
    html = response.content.decode()
    assert codes_in(html) == [filed.code]
    assert "Bản nháp" in html
    assert html.index(filed.code) < html.index("Bản nháp</")  # newest first
    assert "Đã tiếp nhận" in html  # status in words
    assert "09/03/2026" in html  # due date
    assert people.version.procedure.name in html
    assert reverse("dossiers:detail", args=[filed.public_id]) in html
    assert Dossier.objects.filter(applicant=people.other_citizen).get().code not in html


def test_it_requires_login(client):
    response = client.get(MY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_pages_with_a_keyset_cursor_without_offset_or_count(client, people):
    made = make_many(people, 25)
    # Two dossiers created at the same instant: the id breaks the tie.
    Dossier.objects.filter(pk=made[4].pk).update(created_at=made[5].created_at)
    Dossier.objects.filter(pk=made[5].pk).update(
        created_at=Dossier.objects.get(pk=made[4].pk).created_at
    )
    client.force_login(people.applicant)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(MY)
    sql = " ".join(q["sql"].upper() for q in queries.captured_queries)
    assert " OFFSET " not in sql
    assert "COUNT(" not in sql

    html = first.content.decode()
    first_codes = codes_in(html)
    assert len(first_codes) == 20
    more = re.search(r'<a href="([^"]+\?after=[^"]+)"\s+hx-get="([^"]+)"', html)
    assert more, "the Xem thêm link is a real URL with hx-get"
    assert "Xem thêm" in html
    next_url = more.group(1).replace("&amp;", "&")
    assert more.group(2).replace("&amp;", "&") == next_url

    second = client.get(next_url)  # without JavaScript: a full page of the next rows
    assert second.status_code == 200
    assert "<html" in second.content.decode()
    second_codes = codes_in(second.content.decode())
    assert len(second_codes) == 5
    assert "Xem thêm" not in second.content.decode()

    expected = [d.code for d in Dossier.objects.order_by("-created_at", "-id")]
    assert first_codes + second_codes == expected


def test_it_renders_only_the_rows_for_htmx(client, people):
    make_many(people, 22)
    client.force_login(people.applicant)
    html = client.get(MY).content.decode()
    next_url = re.search(r'hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")

    response = client.get(next_url, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "<table" not in body
    assert body.strip().startswith("<tr")
    assert len(codes_in(body)) == 2


def test_a_malformed_cursor_shows_the_first_page(client, people):
    make_many(people, 3)
    client.force_login(people.applicant)
    response = client.get(MY + "?after=not-a-cursor")
    assert response.status_code == 200
    assert len(codes_in(response.content.decode())) == 3


@pytest.mark.parametrize("count", [1, 30])
def test_my_dossiers_query_count_is_constant(client, people, django_assert_max_num_queries, count):
    make_many(people, count)
    people.dossier(S.DRAFT)
    client.force_login(people.applicant)
    with django_assert_max_num_queries(MY_DOSSIERS_MAX_QUERIES):
        response = client.get(MY)
    assert response.status_code == 200


# session, user, the page of dossiers (one query: no COUNT, no per-row query)
MY_DOSSIERS_MAX_QUERIES = 2


# -- the dossier page ------------------------------------------------------------------------
def submitted_with_history(people, *, documents=1, events=1):
    """A dossier submitted through the workflow, with ``documents`` files and extra events."""
    dossier = people.dossier(S.DRAFT, form_data={"child_name": "Nguyễn Văn An"})
    for i in range(documents):
        people.document(dossier, name=f"giấy-chứng-sinh-{i}.pdf")
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    for _ in range(events - 1):
        workflow.dossier_request_supplement(
            dossier=dossier,
            actor=people.reception,
            items=[{"what": "Giấy chứng sinh", "reason": "Bản chụp mờ"}],
        )
        workflow.dossier_resubmit(dossier=dossier, actor=people.applicant)
    return dossier


def test_the_dossier_page_shows_data_documents_timeline_and_downloads(client, people):
    dossier = submitted_with_history(people, documents=2)
    workflow.dossier_receive(dossier=dossier, actor=people.reception, note="Hồ sơ đầy đủ")
    output = people.output(dossier)
    client.force_login(people.applicant)

    response = client.get(detail_url(dossier))

    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html
    assert "Họ tên của trẻ" in html and "Nguyễn Văn An" in html  # schema label + value
    for document in dossier.documents.all():
        url = reverse("dossiers:document_download", args=[dossier.public_id, document.pk])
        assert url in html
        assert document.original_name in html
    assert "Giấy chứng sinh" in html  # the slot's required-document name
    # timeline: the actions, the Vietnamese status, the note; officers by role only
    assert "Nộp hồ sơ" in html and "Tiếp nhận hồ sơ" in html
    assert "Mới nộp" in html and "Đã tiếp nhận" in html
    assert "Hồ sơ đầy đủ" in html
    assert "Cán bộ một cửa" in html
    assert people.reception.email not in html
    assert people.reception.full_name not in html
    assert reverse("dossiers:output_download", args=[dossier.public_id, output.pk]) in html
    assert "Giấy xác nhận nộp hồ sơ trực tuyến" in html
    assert reverse("dossiers:withdraw", args=[dossier.public_id]) in html
    assert "Hạn trả kết quả" in html


def test_an_unpaid_fee_holds_the_result_back_from_its_applicant(client, people):
    """A fee due when the result is handed back holds back the download too: the applicant is
    told to pay; the agency's officers still reach the result; paid, the applicant gets it."""
    from dossiers.models import OutputKind
    from payments.models import DossierFee, FeeDue, FeeStatus
    from tests.dossiers.officer_support import login

    dossier = people.dossier(S.RESULT_READY)
    fee = DossierFee.objects.create(
        dossier=dossier,
        fee_kind="fixed",
        unit_amount=50_000,
        units=1,
        base_amount=50_000,
        amount=50_000,
        waivers=[],
        rule="Mức cố định 50.000 đồng/hồ sơ",
        due_on=FeeDue.RESULT,
        status=FeeStatus.UNPAID,
    )
    result = people.output(dossier, kind=OutputKind.RESULT, key="signed")
    download = reverse("dossiers:output_download", args=[dossier.public_id, result.pk])
    client.force_login(people.applicant)
    page = client.get(detail_url(dossier)).content.decode()
    assert download not in page
    assert "Vui lòng thanh toán phí, lệ phí để nhận kết quả" in page
    assert client.get(download).status_code == 404

    login(client, people.reception)
    assert client.get(download).status_code == 200

    DossierFee.objects.filter(pk=fee.pk).update(status=FeeStatus.PAID, paid_at=timezone.now())
    client.force_login(people.applicant)
    page = client.get(detail_url(dossier)).content.decode()
    assert download in page and "để nhận kết quả" not in page
    assert client.get(download).status_code == 200


def test_a_result_means_no_withdraw_action(client, people):
    dossier = people.dossier(S.RESULT_READY)
    client.force_login(people.applicant)
    html = client.get(detail_url(dossier)).content.decode()
    assert reverse("dossiers:withdraw", args=[dossier.public_id]) not in html
    assert "Có kết quả" in html


@pytest.mark.parametrize("count", [1, 10])
def test_dossier_page_query_count_is_constant(client, people, django_assert_max_num_queries, count):
    dossier = submitted_with_history(people, documents=count, events=count)
    for i in range(count):
        people.output(dossier, key=str(i))
    client.force_login(people.applicant)
    with django_assert_max_num_queries(DETAIL_MAX_QUERIES):
        response = client.get(detail_url(dossier))
    assert response.status_code == 200
    assert response.content.decode().count("/documents/") == count


# session, user, dossier, required documents, documents, events, outputs, the fee, the actor's groups
DETAIL_MAX_QUERIES = 7


# -- withdraw ---------------------------------------------------------------------------------
def test_it_withdraws_with_a_reason_after_confirmation(client, people):
    dossier = people.dossier(S.RECEIVED, due_at=timezone.now() + dt.timedelta(days=3))
    client.force_login(people.applicant)
    url = reverse("dossiers:withdraw", args=[dossier.public_id])

    page = client.get(url)
    assert page.status_code == 200
    assert "Lý do rút hồ sơ" in page.content.decode()

    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Vui lòng cho biết lý do rút hồ sơ" in refused.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == S.RECEIVED

    done = client.post(url, {"reason": "Không còn nhu cầu"})
    assert done.status_code == 302
    assert done["Location"] == detail_url(dossier)
    dossier.refresh_from_db()
    assert dossier.status == S.WITHDRAWN
    event = dossier.events.get()
    assert (event.action, event.note) == ("withdraw", "Không còn nhu cầu")
    page = client.get(detail_url(dossier)).content.decode()
    assert "Đã rút" in page
    # A withdrawn dossier has no appointment any more, whatever its due date was.
    assert "Không áp dụng" in page and "Chưa có —" not in page


def test_withdrawing_after_a_result_changes_nothing(client, people):
    dossier = people.dossier(S.RESULT_READY)
    client.force_login(people.applicant)
    response = client.post(
        reverse("dossiers:withdraw", args=[dossier.public_id]), {"reason": "Thử"}, follow=True
    )
    assert "không thể rút" in response.content.decode().lower()
    dossier.refresh_from_db()
    assert dossier.status == S.RESULT_READY
    assert not dossier.events.exists()


def test_a_workflow_error_is_shown_and_nothing_changes(client, people, monkeypatch):
    dossier = people.dossier(S.SUBMITTED)
    client.force_login(people.applicant)

    def refuse(**kwargs):
        raise workflow.WorkflowError("Không thể rút lúc này (cannot withdraw now).")

    monkeypatch.setattr(workflow, "dossier_withdraw", refuse)
    response = client.post(reverse("dossiers:withdraw", args=[dossier.public_id]), {"reason": "X"})
    assert response.status_code == 400
    assert "Không thể rút lúc này" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED


# -- answering a supplement request ---------------------------------------------------------
def supplement_requested(people):
    dossier = people.dossier(S.DRAFT, form_data={"child_name": "Nguyen Van An"})
    people.document(dossier)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    workflow.dossier_request_supplement(
        dossier=dossier,
        actor=people.reception,
        items=[
            {"what": "Họ tên của trẻ", "reason": "Viết thiếu dấu"},
            {"what": "Giấy chứng sinh", "reason": "Bản chụp mờ, chụp lại rõ nét"},
        ],
    )
    return dossier


def test_it_shows_the_request_and_resubmits_with_changes_and_a_new_document(client, people):
    dossier = supplement_requested(people)
    client.force_login(people.applicant)

    page = client.get(detail_url(dossier)).content.decode()
    assert "Viết thiếu dấu" in page and "Bản chụp mờ, chụp lại rõ nét" in page
    url = reverse("dossiers:supplement", args=[dossier.public_id])
    assert url in page

    form_page = client.get(url)
    assert form_page.status_code == 200
    assert 'value="Nguyen Van An"' in form_page.content.decode()  # current answers filled in

    response = client.post(
        url,
        {
            "f-child_name": "Nguyễn Văn An",
            "f-birth_cert": SimpleUploadedFile("chụp-lại.pdf", PDF_BYTES, "application/pdf"),
            "n-note": "Đã sửa họ tên và chụp lại giấy chứng sinh",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED  # back to where the request was made
    assert dossier.form_data["child_name"] == "Nguyễn Văn An"
    assert dossier.documents.count() == 2
    new = dossier.documents.latest("created_at")
    assert (new.original_name, new.content_type, new.slot) == (
        "chụp-lại.pdf",
        "application/pdf",
        "giay_chung_sinh",
    )
    event = dossier.events.last()
    assert event.action == "resubmit"
    assert event.note == "Đã sửa họ tên và chụp lại giấy chứng sinh"
    # The history keeps what the answer was before the supplement.
    assert event.data["changes"] == {"child_name": {"old": "Nguyen Van An", "new": "Nguyễn Văn An"}}


def test_a_refused_file_keeps_the_request_open(client, people):
    dossier = supplement_requested(people)
    client.force_login(people.applicant)
    response = client.post(
        reverse("dossiers:supplement", args=[dossier.public_id]),
        {
            "f-child_name": "Nguyễn Văn An",
            "f-birth_cert": SimpleUploadedFile("fake.pdf", b"just text, not a PDF", "text/plain"),
        },
    )
    assert response.status_code == 400
    assert "Nội dung tệp không phải định dạng được chấp nhận" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED
    assert dossier.form_data["child_name"] == "Nguyen Van An"
    assert dossier.documents.count() == 1


def two_slot_supplement_requested(people):
    """A supplement request on a procedure with two document slots (two files in one POST)."""
    from procedures.models import ProcedureVersion, RequiredDocument
    from procedures.services import version_publish
    from tests.procedures.factories import ProcedureFactory

    version = ProcedureVersion.objects.create(
        procedure=ProcedureFactory(agencies=[people.agency]),
        number=1,
        processing_days=3,
        form_schema={
            "fields": [
                {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
                {
                    "name": "birth_cert",
                    "kind": "document",
                    "document": "giay_chung_sinh",
                    "label": "Giấy chứng sinh",
                },
                {
                    "name": "marriage_cert",
                    "kind": "document",
                    "document": "giay_ket_hon",
                    "label": "Giấy chứng nhận kết hôn",
                },
            ]
        },
        fee_kind="free",
        fee_amount=0,
    )
    RequiredDocument.objects.create(
        version=version, key="giay_chung_sinh", name="Giấy chứng sinh", position=1
    )
    RequiredDocument.objects.create(
        version=version, key="giay_ket_hon", name="Giấy chứng nhận kết hôn", position=2
    )
    people.version = version_publish(version=version)
    return supplement_requested(people)


def test_files_sent_together_may_not_exceed_the_dossier_total(client, people, settings):
    """Each file is under the per-file limit and fits alone, but not both: refused, none stored."""
    from tests.factories.files import padded_pdf

    settings.DOSSIER_MAX_TOTAL_MB = 1
    dossier = two_slot_supplement_requested(people)
    stored_before = sorted(p.name for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file())
    client.force_login(people.applicant)
    response = client.post(
        reverse("dossiers:supplement", args=[dossier.public_id]),
        {
            "f-child_name": "Nguyễn Văn Bình",
            "f-birth_cert": SimpleUploadedFile("mot.pdf", padded_pdf(600 * 1024)),
            "f-marriage_cert": SimpleUploadedFile("hai.pdf", padded_pdf(600 * 1024)),
            "n-note": "Gửi lại cả hai giấy",
        },
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Tổng dung lượng giấy tờ của hồ sơ vượt quá 1 MB" in html
    assert "would exceed 1 MB" in html
    # On the second file only: next to it, and in the error summary linking to it.
    assert html.count("Tổng dung lượng giấy tờ của hồ sơ vượt quá") == 2
    assert '<a href="#id_f-marriage_cert">' in html
    # The first file passed its checks: it is kept for the next post, and the page says so.
    assert "Đã giữ tệp «mot.pdf»" in html and 'name="held-birth_cert"' in html
    assert 'value="Nguyễn Văn Bình"' in html  # what the citizen typed is kept
    assert "Gửi lại cả hai giấy" in html
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED
    assert dossier.form_data["child_name"] == "Nguyen Van An"
    assert dossier.documents.count() == 1
    stored_after = sorted(
        p.name for p in (settings.MEDIA_ROOT).rglob("*") if p.is_file() and p.parent.name != "held"
    )
    assert stored_after == stored_before  # no document file written (only the kept copy)


def test_one_file_under_the_dossier_total_is_still_accepted(client, people, settings):
    from tests.factories.files import padded_pdf

    settings.DOSSIER_MAX_TOTAL_MB = 1
    dossier = two_slot_supplement_requested(people)
    client.force_login(people.applicant)
    response = client.post(
        reverse("dossiers:supplement", args=[dossier.public_id]),
        {
            "f-child_name": "Nguyễn Văn An",
            "f-marriage_cert": SimpleUploadedFile("hai.pdf", padded_pdf(600 * 1024)),
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    assert sorted(dossier.documents.values_list("slot", flat=True)) == [
        "giay_chung_sinh",
        "giay_ket_hon",
    ]


GROUP_SCHEMA = {
    "fields": [
        {"name": "child_name", "kind": "text", "label": "Họ tên của trẻ", "required": True},
        {
            "name": "members",
            "kind": "group",
            "label": "Thành viên hộ gia đình",
            "min_items": 1,
            "max_items": 5,
            "fields": [
                {"name": "ten", "kind": "text", "label": "Họ tên", "required": True},
                {"name": "chu_ho", "kind": "yes_no", "label": "Là chủ hộ"},
            ],
        },
        {"name": "birth_cert", "kind": "document", "document": "giay_chung_sinh", "label": "GCS"},
    ]
}


class _FormValues(HTMLParser):
    """What a browser would post from a page's form: text inputs and checked radios."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name, kind = a.get("name"), a.get("type", "text")
        if (
            tag == "input"
            and name
            and kind not in ("file", "submit", "checkbox", "radio")
            or tag == "input"
            and name
            and kind == "radio"
            and "checked" in a
        ):
            self.values[name] = a.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            self.values[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def test_answering_a_supplement_keeps_the_group_rows_left_as_they_were(client, people):
    """The rows of a group are shown filled in (yes/no answers too); correcting another field
    and sending the page keeps them."""
    from tests.factories.procedures import published_version

    people.version = published_version(agencies=[people.agency], schema=GROUP_SCHEMA)
    members = [{"ten": "Nguyễn Văn Bố", "chu_ho": True}, {"ten": "Trần Thị Mẹ", "chu_ho": False}]
    dossier = people.dossier(S.DRAFT, form_data={"child_name": "Nguyen Van An", "members": members})
    people.document(dossier)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    workflow.dossier_request_supplement(
        dossier=dossier,
        actor=people.reception,
        items=[{"what": "Họ tên của trẻ", "reason": "Viết thiếu dấu"}],
    )
    client.force_login(people.applicant)
    url = reverse("dossiers:supplement", args=[dossier.public_id])
    page = _FormValues()
    page.feed(client.get(url).content.decode())
    assert page.values["f-members-0-ten"] == "Nguyễn Văn Bố"
    assert (page.values["f-members-0-chu_ho"], page.values["f-members-1-chu_ho"]) == ("yes", "no")

    response = client.post(url, {**page.values, "f-child_name": "Nguyễn Văn An"})

    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    assert dossier.form_data["child_name"] == "Nguyễn Văn An"
    assert dossier.form_data["members"] == members


def test_a_supplement_with_a_rows_error_lists_it_in_the_summary(client, people):
    from tests.factories.procedures import published_version

    people.version = published_version(agencies=[people.agency], schema=GROUP_SCHEMA)
    members = [{"ten": "Nguyễn Văn Bố", "chu_ho": True}]
    dossier = people.dossier(S.DRAFT, form_data={"child_name": "An", "members": members})
    people.document(dossier)
    workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    workflow.dossier_request_supplement(
        dossier=dossier, actor=people.reception, items=[{"what": "Họ tên", "reason": "Sai"}]
    )
    client.force_login(people.applicant)
    url = reverse("dossiers:supplement", args=[dossier.public_id])
    page = _FormValues()
    page.feed(client.get(url).content.decode())

    response = client.post(url, {**page.values, "f-members-0-ten": ""})

    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="form-errors error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert summary and "data-error-summary-focus" in summary.group(0)
    assert (
        '<a href="#id_f-members-0-ten">Thành viên hộ gia đình – dòng 1 – Họ tên</a>' in (summary[1])
    )
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED and dossier.form_data["members"] == members


def test_a_required_field_left_empty_is_refused(client, people):
    dossier = supplement_requested(people)
    client.force_login(people.applicant)
    response = client.post(
        reverse("dossiers:supplement", args=[dossier.public_id]), {"f-child_name": ""}
    )
    assert response.status_code == 400
    dossier.refresh_from_db()
    assert dossier.status == S.SUPPLEMENT_REQUESTED


def test_a_file_sent_with_another_error_is_kept_for_the_next_post(client, people, settings):
    """A browser cannot keep a chosen file when the page comes back with an error elsewhere:
    the portal keeps it (a signed token in the page) and the next post sends it."""
    dossier = supplement_requested(people)
    client.force_login(people.applicant)
    url = reverse("dossiers:supplement", args=[dossier.public_id])
    response = client.post(
        url,
        {
            "f-child_name": "",
            "f-birth_cert": SimpleUploadedFile("chụp-lại-rõ.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Đã giữ tệp «chụp-lại-rõ.pdf»" in html
    assert "chưa được lưu" not in html
    token = re.search(r'name="held-birth_cert" value="([^"]+)"', html)[1]
    assert dossier.documents.count() == 1  # nothing stored as a document yet
    held_dir = settings.MEDIA_ROOT / "held"
    assert len(list(held_dir.iterdir())) == 1

    # A token is the page's own: another dossier's post cannot use it.
    other = supplement_requested(people)
    client.post(
        reverse("dossiers:supplement", args=[other.public_id]),
        {"f-child_name": "Nguyễn Văn Bình", "held-birth_cert": token},
    )
    assert other.documents.count() == 1

    response = client.post(url, {"f-child_name": "Nguyễn Văn An", "held-birth_cert": token})
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.status == S.SUBMITTED
    new = dossier.documents.latest("created_at")
    assert (new.original_name, new.slot, new.size) == (
        "chụp-lại-rõ.pdf",
        "giay_chung_sinh",
        len(PDF_BYTES),
    )
    assert list(held_dir.iterdir()) == []  # the kept copy is gone once stored


def test_the_supplement_page_needs_a_pending_request(client, people):
    dossier = people.dossier(S.SUBMITTED)
    client.force_login(people.applicant)
    response = client.get(reverse("dossiers:supplement", args=[dossier.public_id]))
    assert response.status_code == 302
    assert response["Location"] == detail_url(dossier)


# -- e-mails ---------------------------------------------------------------------------------
def test_the_status_emails_link_to_the_dossier_page(
    people, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://dichvucong.example.vn/"
    dossier = people.dossier(S.DRAFT)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_submit(dossier=dossier, actor=people.applicant)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.dossier_receive(dossier=dossier, actor=people.reception)

    link = f"https://dichvucong.example.vn/dossiers/{dossier.public_id}/"
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.to == [people.applicant.email]
        assert link in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert f'href="{link}"' in html
    assert "Đã nộp hồ sơ" in mail.outbox[0].subject
    assert "Đã tiếp nhận" in mail.outbox[1].subject
    assert SyncOutbox.objects.count() == DossierEvent.objects.count() == 2
