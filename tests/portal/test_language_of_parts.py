"""Language of parts (WCAG 2.1 SC 3.1.2) on the citizens' and officers' pages, in both languages.

Vietnamese pages: every English gloss is marked ``lang="en"``. English pages: what stays in
Vietnamese (the catalog's names, the procedure's own form, people's names) is marked
``lang="vi"``, the words of the interface are English, and the glosses, which would repeat the
English ("Back (Back)"), are hidden by the stylesheet. ``tests/portal/language.py`` says what the
check reads and what it cannot tell.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from dossiers import workflow
from dossiers.models import Dossier
from dossiers.models import DossierStatus as S
from tests.dossiers.conftest import Personas
from tests.dossiers.officer_support import login, officer_url
from tests.factories.procedures import published_version
from tests.portal.language import misattributed

pytestmark = pytest.mark.django_db
STEPS = ("applicant", "details", "documents", "agency", "delivery", "review")


@pytest.fixture
def pages(agency, other_agency, settings, tmp_path):
    """(who, url) of every page that shows a dossier, the catalog or a form."""
    settings.MEDIA_ROOT = tmp_path
    people = Personas(agency, other_agency)
    received = people.dossier(S.DRAFT)
    people.document(received)
    workflow.dossier_submit(dossier=received, actor=people.applicant)
    workflow.dossier_receive(dossier=received, actor=people.reception, note="Hồ sơ đầy đủ")
    received.refresh_from_db()
    draft = people.dossier(S.DRAFT, draft_step="applicant")
    supplement = people.dossier(S.DRAFT)
    workflow.dossier_submit(dossier=supplement, actor=people.applicant)
    workflow.dossier_request_supplement(
        dossier=supplement,
        actor=people.reception,
        items=[{"what": "Bản sao giấy chứng sinh", "reason": "Bản chụp bị mờ"}],
    )
    paying = people.dossier(S.SUBMITTED, version=published_version(agencies=[agency], fee=50000))
    people.dossier(S.RECEIVED, owner_check_pending=True)  # filed at the counter, not yet checked
    code = people.version.procedure.code
    anonymous = ["/", "/procedures/", f"/procedures/{code}/", "/lookup/", "/accounts/login/"]
    citizen = [
        reverse("dossiers:my_dossiers"),
        reverse("dossiers:detail", args=[received.public_id]),
        reverse("dossiers:withdraw", args=[received.public_id]),
        reverse("dossiers:supplement", args=[supplement.public_id]),
        reverse("dossiers:detail", args=[supplement.public_id]),
        reverse("dossiers:file_start", args=[code]),
        *(reverse("dossiers:file_step", args=[draft.public_id, step]) for step in STEPS),
        reverse("payments:start", args=[paying.public_id]),
        reverse("dossiers:file_done", args=[paying.public_id]),
        reverse("dossiers:owner_check"),
        "/profile/",
    ]
    officer = [
        reverse("portal:officer_home"),
        officer_url("queue", slug="reception"),
        officer_url("queue", slug="all"),
        officer_url("detail", received),
        officer_url("counter_start"),
        officer_url("counter_intake", code=code),
    ]
    return people, [
        *((None, url) for url in anonymous),
        *((people.applicant, url) for url in citizen),
        *((people.reception, url) for url in officer),
    ]


def _get(client, user, url, language):
    client.logout()
    if user is not None:
        if hasattr(user, "officer_profile"):
            login(client, user)
        else:
            client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'<html lang="{language}">' in html, url
    return html


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_part_of_every_page_is_marked_with_its_language(client, pages, language):
    _people, visits = pages
    found = {}
    for user, url in visits:
        problems = misattributed(_get(client, user, url, language))
        if problems:
            found[url] = problems
    assert not found, "\n".join(f"{url}:\n  " + "\n  ".join(p) for url, p in found.items())


def test_english_pages_name_steps_fields_queues_statuses_and_time_left_in_english(client, pages):
    people, _visits = pages
    draft = Dossier.objects.get(applicant=people.applicant, status=S.DRAFT)
    step = _get(
        client,
        people.applicant,
        reverse("dossiers:file_step", args=[draft.public_id, "documents"]),
        "en",
    )
    assert "Step 3/6: Documents" in step and "Giấy tờ đính kèm" not in step
    applicant, delivery = (
        _get(
            client, people.applicant, reverse("dossiers:file_step", args=[draft.public_id, s]), "en"
        )
        for s in ("applicant", "delivery")
    )
    assert "Full name" in applicant and "Họ và tên" not in applicant
    assert "Online download" in delivery and "Nhận trực tuyến" not in delivery
    mine = _get(client, people.applicant, reverse("dossiers:my_dossiers"), "en")
    assert ">Received<" in mine and "Đã tiếp nhận" not in mine
    queue = _get(client, people.reception, officer_url("queue", slug="all"), "en")
    assert "All dossiers" in queue and "Tất cả hồ sơ" not in queue
    assert 'time-left-none">No due date yet <span' in queue


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<html lang="vi"><p>Hồ sơ <span class="en">(Dossier)</span></p></html>', 1),
        ('<html lang="vi"><p>Hồ sơ <span class="en" lang="en">(Dossier)</span></p></html>', 0),
        ('<html lang="en"><p>Giấy chứng sinh</p></html>', 1),
        ('<html lang="en"><p lang="vi">Giấy chứng sinh</p><p>Birth</p></html>', 0),
        ('<html lang="en"><img alt="Ảnh"><p>Họ và tên (Full name)</p></html>', 1),
        ('<html lang="en"><title>Đăng ký</title><script>"Đăng"</script></html>', 0),
        ('<html lang="en"><li>«Giấy chứng sinh» is not attached</li></html>', 0),
        ('<html lang="en"><li>«Giấy» chưa đính kèm</li></html>', 1),
    ],
)
def test_the_check_finds_unmarked_parts(html, expected):
    assert len(misattributed(html)) == expected
