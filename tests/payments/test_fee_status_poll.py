"""The fee region polls while an attempt is pending without replacing itself while nothing
changed: it sends the state it shows (``?seen=``) and gets 204 (htmx swaps nothing, so focus and
the screen reader's place stay); when the payment settles it gets the new region, whose
data-announce says the new status (read out by static/js/after-swap.js)."""

from __future__ import annotations

import html
import re

import pytest

from payments.services import payment_ipn_process
from tests.payments.conftest import gateway_params

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def start_url(dossier) -> str:
    return f"/payments/dossier/{dossier.public_id}/"


def poll_url(page: str) -> str:
    """The URL the region polls (its hx-get), as the browser would send it."""
    found = re.search(r'<section id="fee-status"[^>]*\shx-get="([^"]+)"', page)
    assert found, "the region polls while an attempt is pending"
    return html.unescape(found.group(1))


def announced(page: str) -> str:
    return html.unescape(
        re.search(r'<section id="fee-status"[^>]*data-announce="([^"]*)"', page)[1]
    )


def test_an_unchanged_poll_swaps_nothing_and_a_changed_one_brings_the_new_status(
    client, fee_dossier, start_payment
):
    payment, _ = start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    page = client.get(start_url(fee_dossier)).content.decode()
    url = poll_url(page)
    assert "seen=" in url and 'hx-trigger="every 3s"' in page

    unchanged = client.get(url, headers=HTMX)
    assert unchanged.status_code == 204
    assert unchanged.content == b""

    payment_ipn_process(params=gateway_params(payment))  # the gateway confirms the payment
    changed = client.get(url, headers=HTMX)
    assert changed.status_code == 200
    region = changed.content.decode()
    assert region.lstrip().startswith('<section id="fee-status"')
    assert "<html" not in region
    assert '<strong id="fee-state">Đã thanh toán</strong>' in region
    assert announced(region) == "Đã thanh toán (paid)."
    assert "hx-trigger" not in region  # settled: it stops polling
    assert 'id="fee-receipt"' in region


def test_a_new_attempt_or_a_stale_state_brings_the_region(client, fee_dossier, start_payment):
    start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    url = poll_url(client.get(start_url(fee_dossier)).content.decode())
    start_payment(fee_dossier)  # a second attempt, from another tab
    again = client.get(url, headers=HTMX)
    assert again.status_code == 200
    assert "Đang chờ cổng thanh toán xác nhận" in announced(again.content.decode())
    new_url = poll_url(again.content.decode())
    assert new_url != url
    assert client.get(new_url, headers=HTMX).status_code == 204
    # Without the state (or with a wrong one) the region comes whole, as before.
    assert client.get(start_url(fee_dossier), headers=HTMX).status_code == 200
    wrong = client.get(start_url(fee_dossier) + "?seen=paid", headers=HTMX)
    assert wrong.status_code == 200


def test_without_htmx_the_state_is_ignored(client, fee_dossier, start_payment):
    start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    url = poll_url(client.get(start_url(fee_dossier)).content.decode())
    response = client.get(url)  # e.g. the polled URL opened by hand: the whole page
    assert response.status_code == 200
    assert "<html" in response.content.decode()


def test_the_waiting_region_has_no_live_region_of_its_own(client, fee_dossier, start_payment):
    """The region is replaced when it changes: a live region inside it would be a new one each
    time (announced unreliably); the announcement goes through data-announce instead."""
    start_payment(fee_dossier)
    client.force_login(fee_dossier.applicant)
    page = client.get(start_url(fee_dossier)).content.decode()
    region = page[page.index('<section id="fee-status"') : page.index("</section>")]
    assert 'role="status"' not in region and "aria-live" not in region
    assert 'id="fee-reload"' in region  # htmx gives focus back to an element with the same id
