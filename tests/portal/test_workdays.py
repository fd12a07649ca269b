"""The working-day calendar (portal/workdays.py): properties, real 2025–2026 dates, the admin."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import IntegrityError, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import workdays
from portal.models import CalendarException
from portal.workdays import (
    add_working_days,
    counting_start,
    is_working_day,
    next_working_day,
    working_days_between,
)
from tests.factories import CalendarExceptionFactory, make_officer

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADD_URL = "/admin/portal/calendarexception/add/"


def at(text: str) -> datetime:
    """'2026-02-13 10:00' in Asia/Ho_Chi_Minh."""
    return datetime.fromisoformat(text).replace(tzinfo=VN)


# --- Properties ------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2028, 12, 31, 23, 59), timezones=st.just(VN)
)
counts = st.integers(min_value=0, max_value=300)
exception_rows = st.lists(
    st.tuples(
        st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 6, 30)),
        st.sampled_from(CalendarException.Kind.values),
        st.sampled_from([None, "mine", "other"]),
    ),
    max_size=25,
    unique_by=lambda row: (row[0], row[2]),
)
PROPERTY_SETTINGS = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@contextmanager
def exceptions_in_savepoint(rows, agencies):
    """Create the drawn exceptions for one example, then roll them back and forget the cache."""
    try:
        with transaction.atomic():
            CalendarException.objects.all().delete()
            for day, kind, who in rows:
                CalendarExceptionFactory(date=day, kind=kind, agency=agencies.get(who))
            yield
            transaction.set_rollback(True)
    finally:
        workdays.calendar_invalidate()


def check_arithmetic(start: datetime, n: int, agency_id: int | None) -> None:
    result = add_working_days(start, n, agency_id=agency_id)
    assert is_working_day(result.date(), agency_id=agency_id)
    assert result >= start
    assert result.tzinfo is not None and result.utcoffset() == timedelta(hours=7)
    # Adding then counting gives n back.
    assert working_days_between(start, result, agency_id=agency_id) == n
    # Strictly monotone in n; one more working day is later.
    following = add_working_days(start, n + 1, agency_id=agency_id)
    assert result < following
    assert working_days_between(start, following - timedelta(seconds=1), agency_id=agency_id) == n
    # Monotone in the start: a later receipt never gets an earlier date.
    later = add_working_days(start + timedelta(hours=5), n, agency_id=agency_id)
    assert result <= later


@PROPERTY_SETTINGS
@given(start=moments, n=counts)
def test_it_adds_and_counts_consistently_without_exceptions(start, n):
    with exceptions_in_savepoint([], {}):
        check_arithmetic(start, n, None)


@PROPERTY_SETTINGS
@given(start=moments, n=counts, rows=exception_rows)
def test_it_adds_and_counts_consistently_with_exceptions(agency, other_agency, start, n, rows):
    with exceptions_in_savepoint(rows, {"mine": agency, "other": other_agency}):
        check_arithmetic(start, n, agency.pk)
        check_arithmetic(start, n, None)


@PROPERTY_SETTINGS
@given(a=moments, b=moments)
def test_it_counts_the_largest_k_whose_sum_is_not_after_b(a, b):
    n = working_days_between(a, b)
    assert n == -working_days_between(b, a)
    low, high = (a, b) if a <= b else (b, a)
    k = abs(n)
    assert add_working_days(low, k) <= high < add_working_days(low, k + 1) or (
        k == 0 and high < counting_start(low)
    )


OFFICE_DAY = timedelta(hours=9)  # 08:00–17:00, the default office hours


@PROPERTY_SETTINGS
@given(a=moments, b=moments, n=st.integers(min_value=0, max_value=40))
def test_office_time_is_whole_working_days_and_adds_back(a, b, n):
    """Office time generalises working days: n working days are n office days, and adding
    the office time between a and b to a lands on b (as the receipt rule counts b)."""
    assert workdays.office_time_between(a, add_working_days(a, n)) == n * OFFICE_DAY
    assert workdays.add_office_time(a, n * OFFICE_DAY) == add_working_days(a, n)
    between = workdays.office_time_between(a, b)
    assert between >= timedelta(0)
    if b > a:
        assert workdays.add_office_time(a, between) == max(counting_start(b), counting_start(a))
    else:
        assert between == timedelta(0)


def test_office_time_keeps_a_part_of_a_day():
    # Wed 4 Feb 2026 10:01 → Mon 9 Feb 10:00: 6h59 on Wed, Thu and Fri, 2 h on Mon.
    left = workdays.office_time_between(at("2026-02-04 10:01"), at("2026-02-09 10:00"))
    assert left == timedelta(hours=26, minutes=59)
    assert workdays.add_office_time(at("2026-02-04 10:02"), left) == at("2026-02-09 10:01")
    # What is left of a day goes on at the next opening: 1 h on Fri from 16:00, then Mon.
    assert workdays.add_office_time(at("2026-02-06 16:00"), timedelta(hours=3)) == at(
        "2026-02-09 10:00"
    )


@PROPERTY_SETTINGS
@given(day=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)))
def test_every_working_day_is_its_own_next_working_day(day):
    following = next_working_day(day)
    assert following >= day and is_working_day(following)
    assert all(not is_working_day(d) for d in _days(day, following - timedelta(days=1)))
    assert is_working_day(day) == (following == day)


def _days(first: date, last: date):
    while first <= last:
        yield first
        first += timedelta(days=1)


# --- Real dates (the official calendar; the migration seeds Tết Dương lịch 2026) -------------


@pytest.mark.parametrize(
    "day, working",
    [
        # Tết Dương lịch 2026: 1/1 holiday, 2/1 swapped to Saturday 10/1 (12729/VPCP-KGVX).
        ("2025-12-31", True),
        ("2026-01-01", False),
        ("2026-01-02", False),
        ("2026-01-05", True),
        ("2026-01-10", True),
        ("2026-01-17", False),
        # Tết Nguyên đán Bính Ngọ: off Sat 14/2 – Sun 22/2/2026.
        ("2026-02-13", True),
        ("2026-02-14", False),
        ("2026-02-16", False),
        ("2026-02-17", False),
        ("2026-02-18", False),
        ("2026-02-19", False),
        ("2026-02-20", False),
        ("2026-02-22", False),
        ("2026-02-23", True),
        # Giỗ Tổ Hùng Vương on Sunday 26/4 → Monday 27/4; then 30/4 – 3/5.
        ("2026-04-24", True),
        ("2026-04-26", False),
        ("2026-04-27", False),
        ("2026-04-28", True),
        ("2026-04-29", True),
        ("2026-04-30", False),
        ("2026-05-01", False),
        ("2026-05-04", True),
        # Quốc khánh: Saturday 22/8 worked for Monday 31/8; off 29/8 – 2/9.
        ("2026-08-21", True),
        ("2026-08-22", True),
        ("2026-08-28", True),
        ("2026-08-31", False),
        ("2026-09-01", False),
        ("2026-09-02", False),
        ("2026-09-03", True),
        # 2025: 30/4 – 4/5 with Friday 2/5 swapped for Saturday 26/4; 2/9 with Monday 1/9.
        ("2025-04-26", True),
        ("2025-04-30", False),
        ("2025-05-02", False),
        ("2025-09-01", False),
        ("2025-09-02", False),
        ("2025-09-03", True),
    ],
)
def test_it_knows_the_official_calendar(day, working):
    assert is_working_day(date.fromisoformat(day)) is working


@pytest.mark.parametrize(
    "received, n, due",
    [
        # During office hours: the time of day is kept.
        ("2026-02-13 10:00", 1, "2026-02-23 10:00"),
        ("2026-02-09 09:00", 15, "2026-03-09 09:00"),
        ("2025-12-31 16:00", 1, "2026-01-05 16:00"),
        ("2026-01-09 10:00", 1, "2026-01-10 10:00"),  # the make-up Saturday
        ("2026-04-24 10:00", 1, "2026-04-28 10:00"),
        ("2026-04-29 10:00", 1, "2026-05-04 10:00"),
        ("2026-08-21 10:00", 1, "2026-08-22 10:00"),
        ("2026-08-28 15:00", 1, "2026-09-03 15:00"),
        ("2026-08-28 15:00", 3, "2026-09-07 15:00"),
        # After hours (17:00 is closed) → from 08:00 of the next working day.
        ("2026-02-13 17:00", 0, "2026-02-23 08:00"),
        ("2026-02-13 17:30", 1, "2026-02-24 08:00"),
        ("2026-04-29 21:15", 2, "2026-05-06 08:00"),
        # On a day off → from 08:00 of the next working day.
        ("2026-02-14 09:00", 0, "2026-02-23 08:00"),
        ("2026-02-17 10:00", 3, "2026-02-26 08:00"),
        ("2026-09-01 10:00", 1, "2026-09-04 08:00"),
        ("2026-01-11 10:00", 1, "2026-01-13 08:00"),  # Sunday after the make-up Saturday
        # Before opening on a working day → from 08:00 that day.
        ("2026-01-05 06:30", 0, "2026-01-05 08:00"),
        ("2026-01-05 06:30", 2, "2026-01-07 08:00"),
    ],
)
def test_it_adds_working_days_from_the_receipt_rule(received, n, due):
    assert add_working_days(at(received), n) == at(due)


def test_it_reads_office_hours_from_the_settings(settings):
    settings.OFFICE_OPENS_AT = "07:30"
    settings.OFFICE_CLOSES_AT = "16:30"
    assert add_working_days(at("2026-02-13 16:45"), 1) == at("2026-02-24 07:30")
    assert add_working_days(at("2026-02-13 16:15"), 1) == at("2026-02-23 16:15")


def test_it_works_in_office_time_whatever_the_input_timezone():
    received_utc = datetime(2026, 2, 13, 3, 0, tzinfo=ZoneInfo("UTC"))  # 10:00 in Hồ Chí Minh
    assert add_working_days(received_utc, 1) == at("2026-02-23 10:00")
    with pytest.raises(ValueError):
        add_working_days(datetime(2026, 2, 13, 10, 0), 1)
    with pytest.raises(ValueError):
        add_working_days(at("2026-02-13 10:00"), -1)


@pytest.mark.parametrize(
    "a, b, n",
    [
        ("2026-02-13 10:00", "2026-02-23 09:59", 0),
        ("2026-02-13 10:00", "2026-02-23 10:00", 1),
        ("2026-02-13 10:00", "2026-02-24 17:00", 2),
        ("2026-02-13 17:30", "2026-02-23 12:00", 0),
        ("2026-02-13 17:30", "2026-02-24 08:00", 1),
        ("2026-04-29 10:00", "2026-05-04 10:00", 1),
        ("2026-08-28 15:00", "2026-09-03 15:00", 1),
        ("2026-09-03 15:00", "2026-08-28 15:00", -1),
        ("2025-12-31 16:00", "2026-01-10 16:00", 6),  # 5–9/1 and the make-up 10/1
    ],
)
def test_it_counts_working_days_between_two_moments(a, b, n):
    assert working_days_between(at(a), at(b)) == n


# --- Exceptions -------------------------------------------------------------------------------


def test_an_agency_exception_only_affects_that_agency(agency, other_agency):
    CalendarExceptionFactory(date=date(2026, 3, 10), agency=agency)
    CalendarExceptionFactory(date=date(2026, 3, 11))  # city-wide day off …
    CalendarExceptionFactory(  # … which this agency works anyway
        date=date(2026, 3, 11), agency=agency, kind=CalendarException.Kind.WORKING_DAY
    )
    assert not is_working_day(date(2026, 3, 10), agency_id=agency.pk)
    assert is_working_day(date(2026, 3, 10), agency_id=other_agency.pk)
    assert is_working_day(date(2026, 3, 10))
    assert is_working_day(date(2026, 3, 11), agency_id=agency.pk)
    assert not is_working_day(date(2026, 3, 11), agency_id=other_agency.pk)
    assert not is_working_day(date(2026, 3, 11))
    received = at("2026-03-09 10:00")
    assert add_working_days(received, 2, agency_id=agency.pk) == at("2026-03-12 10:00")
    assert add_working_days(received, 2, agency_id=other_agency.pk) == at("2026-03-12 10:00")
    assert add_working_days(received, 1, agency_id=agency.pk) == at("2026-03-11 10:00")
    assert add_working_days(received, 1, agency_id=other_agency.pk) == at("2026-03-10 10:00")


def test_a_city_wide_make_up_saturday_is_a_working_day_for_everyone(agency):
    saturday = date(2026, 3, 14)
    assert not is_working_day(saturday)
    CalendarExceptionFactory(date=saturday, kind=CalendarException.Kind.WORKING_DAY)
    assert is_working_day(saturday)
    assert is_working_day(saturday, agency_id=agency.pk)
    assert add_working_days(at("2026-03-13 10:00"), 1, agency_id=agency.pk) == at(
        "2026-03-14 10:00"
    )
    assert add_working_days(at("2026-03-14 11:00"), 0) == at("2026-03-14 11:00")


def test_an_exception_can_override_a_package_holiday():
    CalendarExceptionFactory(date=date(2026, 11, 24), kind=CalendarException.Kind.WORKING_DAY)
    assert is_working_day(date(2026, 11, 24))


def test_the_database_refuses_duplicates_and_unknown_kinds(agency, other_agency):
    CalendarExceptionFactory(date=date(2027, 6, 1))
    CalendarExceptionFactory(date=date(2027, 6, 1), agency=agency)
    CalendarExceptionFactory(date=date(2027, 6, 1), agency=other_agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarExceptionFactory(date=date(2027, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarExceptionFactory(date=date(2027, 6, 1), agency=agency)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarExceptionFactory(date=date(2027, 6, 2), kind="holiday")


# --- Cache -----------------------------------------------------------------------------------


def test_it_builds_a_calendar_once_and_adds_200_days_in_one_query(
    agency, django_assert_max_num_queries, django_assert_num_queries
):
    CalendarExceptionFactory(date=date(2026, 6, 1), agency=agency)
    workdays.calendar_invalidate()
    with django_assert_max_num_queries(1):
        due = add_working_days(at("2026-03-02 10:00"), 200, agency_id=agency.pk)
    with django_assert_max_num_queries(1):
        add_working_days(at("2024-01-02 10:00"), 2000, agency_id=other_agency_id(agency))
    with django_assert_num_queries(0):
        assert add_working_days(at("2026-03-02 10:00"), 200, agency_id=agency.pk) == due
        assert working_days_between(at("2026-03-02 10:00"), due, agency_id=agency.pk) == 200
        assert is_working_day(date(2027, 1, 4), agency_id=agency.pk)


def other_agency_id(agency) -> int:
    return agency.pk + 1000  # no such agency: only the city-wide rows apply


def test_it_forgets_the_calendar_when_an_exception_is_saved_or_deleted():
    day = date(2026, 3, 10)
    assert is_working_day(day)
    exception = CalendarExceptionFactory(date=day)
    assert not is_working_day(day)
    exception.kind = CalendarException.Kind.WORKING_DAY
    exception.save()
    CalendarExceptionFactory(date=date(2026, 3, 12))
    assert is_working_day(day) and not is_working_day(date(2026, 3, 12))
    CalendarException.objects.filter(date=date(2026, 3, 12)).delete()
    assert is_working_day(date(2026, 3, 12))


def test_another_process_change_is_seen_through_the_shared_version(
    django_assert_num_queries,
):
    day = date(2026, 3, 10)
    assert is_working_day(day)
    # A change this process did not see (bulk_create sends no signal) …
    CalendarException.objects.bulk_create([CalendarException(date=day, kind="day_off", reason="x")])
    with django_assert_num_queries(0):
        assert is_working_day(day)
    # … is picked up once another process bumps the version in the shared cache.
    cache.set(workdays.VERSION_KEY, "bumped-elsewhere", None)
    assert not is_working_day(day)


# --- Admin -----------------------------------------------------------------------------------


@pytest.fixture
def catalog_admin(agency):
    user = make_officer(agency=agency, roles=["catalog_admin"], with_totp=True)
    user.is_staff = True
    user.save()
    return user


def test_the_catalog_admin_group_has_the_calendar_permissions():
    codenames = set(
        Group.objects.get(name="catalog_admin").permissions.values_list("codename", flat=True)
    )
    assert {
        "add_calendarexception",
        "change_calendarexception",
        "delete_calendarexception",
        "view_calendarexception",
    } <= codenames


def test_a_catalog_admin_edits_the_calendar_in_the_admin(mfa_client, catalog_admin, agency):
    client = mfa_client(catalog_admin)
    assert client.get(ADD_URL).status_code == 200
    day = date(2026, 3, 10)
    assert is_working_day(day, agency_id=agency.pk)
    response = client.post(
        ADD_URL,
        {
            "date": "2026-03-10",
            "kind": "day_off",
            "agency": agency.pk,
            "reason": "Nghỉ bầu cử bổ sung tại phường (thử nghiệm).",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    exception = CalendarException.objects.get(date=day, agency=agency)
    assert exception.created_by == catalog_admin
    assert not is_working_day(day, agency_id=agency.pk)
    assert is_working_day(day)

    change_url = f"/admin/portal/calendarexception/{exception.pk}/change/"
    response = client.post(
        change_url,
        {"date": "2026-03-11", "kind": "day_off", "agency": agency.pk, "reason": exception.reason},
    )
    assert response.status_code == 302
    assert is_working_day(day, agency_id=agency.pk)
    assert not is_working_day(date(2026, 3, 11), agency_id=agency.pk)

    listing = client.get(
        "/admin/portal/calendarexception/", {"kind": "day_off", "year": "2026", "q": "bầu cử"}
    )
    assert listing.status_code == 200
    assert change_url in listing.content.decode()

    response = client.post(
        f"/admin/portal/calendarexception/{exception.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert is_working_day(date(2026, 3, 11), agency_id=agency.pk)


def test_the_admin_form_refuses_a_second_city_wide_row_for_a_date(mfa_client, catalog_admin):
    client = mfa_client(catalog_admin)
    response = client.post(
        ADD_URL, {"date": "2026-01-02", "kind": "working_day", "agency": "", "reason": "Trùng."}
    )
    assert response.status_code == 200  # the form shows the error, no IntegrityError
    assert CalendarException.objects.filter(date=date(2026, 1, 2)).count() == 1


def test_a_reception_officer_cannot_open_the_calendar_admin(mfa_client, officer):
    client = mfa_client(officer)
    assert client.get(ADD_URL).status_code == 403


def test_a_staff_officer_without_the_role_gets_403(mfa_client, agency):
    staff = make_officer(agency=agency, roles=["reception_officer"], with_totp=True)
    staff.is_staff = True
    staff.save()
    assert mfa_client(staff).get(ADD_URL).status_code == 403


def test_an_officer_without_mfa_is_sent_to_set_it_up(client, officer_without_mfa):
    client.post(
        "/accounts/login/", {"login": officer_without_mfa.email, "password": "Pass-word-2026!"}
    )
    response = client.get(ADD_URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")
