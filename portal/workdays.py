"""Ngày làm việc: the working-day calendar that every deadline is counted on (DESIGN §5).

A day is a working day when it is Monday–Friday and not a Vietnamese public holiday (the
``holidays`` package: Tết by the lunar calendar, observed days, the substituted days off and
make-up Saturdays it has been told of), unless a ``CalendarException`` says otherwise. An
exception for an agency wins over a city-wide one (``agency`` null) of the same date, which wins
over the package.

Receipt rule (the moment the count starts, :func:`counting_start`), with the office hours of the
settings ``OFFICE_OPENS_AT`` (default ``"08:00"``) and ``OFFICE_CLOSES_AT`` (default ``"17:00"``)
in ``OFFICE_TIMEZONE`` (default ``TIME_ZONE``):

* received on a working day during office hours → counts from that moment;
* received on a working day before opening → counts from opening time that day;
* received at or after closing time, or on a day off → counts from opening time of the next
  working day.

``add_working_days(start, n)`` is the n-th working day after the counting start, at the counting
start's time of day: received Mon 10:00 + 3 → Thu 10:00; received Mon 17:30 + 3 → Fri 08:00
(the count starts Tue 08:00). ``working_days_between(a, b)`` is the number of whole working days
from ``a`` to ``b``: the largest k with ``add_working_days(a, k) <= b`` (negative when ``b`` is
before ``a``), so ``working_days_between(a, add_working_days(a, n)) == n``.

Performance: each agency's calendar is built once per process from one query (all its and the
city-wide exceptions) plus the package's holidays, and the working days of each year are kept
as a sorted tuple, so adding or counting days is a few bisections and no query. Saving or
deleting a ``CalendarException`` (admin, ORM ``save``/``delete``; not ``QuerySet.update``)
clears this process's calendars and changes a version token in the shared cache, so other
processes rebuild theirs on their next call.
"""

from __future__ import annotations

import bisect
import functools
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

VERSION_KEY = "workdays:calendar-version"
DEFAULT_OPENS_AT = "08:00"
DEFAULT_CLOSES_AT = "17:00"
MAX_YEARS_SEARCHED = 50  # a guard against a calendar with no working day at all


# --- Office hours ---------------------------------------------------------------------------


def _as_time(value: str | time) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def office_opens_at() -> time:
    return _as_time(getattr(settings, "OFFICE_OPENS_AT", DEFAULT_OPENS_AT))


def office_closes_at() -> time:
    return _as_time(getattr(settings, "OFFICE_CLOSES_AT", DEFAULT_CLOSES_AT))


def office_timezone() -> ZoneInfo:
    return ZoneInfo(getattr(settings, "OFFICE_TIMEZONE", settings.TIME_ZONE))


# --- The calendar of one agency -------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(public holidays, make-up working weekend days) that the package knows for ``year``."""
    vn = holidays.country_holidays("VN", years=year)
    weekend_workdays = frozenset(d for d in vn.weekend_workdays if d.year == year)
    return frozenset(vn), weekend_workdays


@dataclass
class _Calendar:
    """Working days of one agency (or city-wide when ``agency_id`` is None), year by year."""

    overrides: dict[date, bool]  # date → is a working day, from CalendarException rows
    years: dict[int, tuple[date, ...]] = field(default_factory=dict)
    year_sets: dict[int, frozenset[date]] = field(default_factory=dict)

    def working_days(self, year: int) -> tuple[date, ...]:
        days = self.years.get(year)
        if days is None:
            off, make_up = _package_year(year)
            days, day = [], date(year, 1, 1)
            while day.year == year:
                working = self.overrides.get(day)
                if working is None:
                    working = day in make_up or (day.weekday() < 5 and day not in off)
                if working:
                    days.append(day)
                day += timedelta(days=1)
            days = tuple(days)
            self.year_sets[year] = frozenset(days)
            self.years[year] = days
        return days

    def is_working_day(self, day: date) -> bool:
        self.working_days(day.year)
        return day in self.year_sets[day.year]

    def nth_after(self, day: date, n: int) -> date:
        """The n-th working day strictly after ``day`` (n >= 1)."""
        for year in range(day.year, day.year + MAX_YEARS_SEARCHED):
            days = self.working_days(year)
            start = bisect.bisect_right(days, day)  # 0 in the years after day's
            if n <= len(days) - start:
                return days[start + n - 1]
            n -= len(days) - start
        raise ValueError("No working day found: the calendar has too many days off.")

    def count_between(self, after: date, until: date) -> int:
        """Working days d with after < d <= until (0 when until <= after)."""
        return sum(
            bisect.bisect_right(days, until) - bisect.bisect_right(days, after)
            for days in map(self.working_days, range(after.year, until.year + 1))
        )


_lock = threading.Lock()
_calendars: dict[int | None, _Calendar] = {}
_version: list[str | None] = [None]  # the shared version token the local calendars were built at


def _load_overrides(agency_id: int | None) -> dict[date, bool]:
    from portal.models import CalendarException

    scope = Q(agency__isnull=True)
    if agency_id is not None:
        scope |= Q(agency_id=agency_id)
    rows = CalendarException.objects.filter(scope).values_list("date", "agency_id", "kind")
    overrides: dict[date, bool] = {}
    # City-wide rows first, then the agency's own rows overwrite them.
    for day, _agency_id, kind in sorted(rows, key=lambda row: row[1] is not None):
        overrides[day] = kind == CalendarException.Kind.WORKING_DAY
    return overrides


def _calendar(agency_id: int | None) -> _Calendar:
    version = cache.get(VERSION_KEY)
    with _lock:
        if version != _version[0]:
            _calendars.clear()
            _version[0] = version
        calendar = _calendars.get(agency_id)
    if calendar is None:
        calendar = _Calendar(overrides=_load_overrides(agency_id))
        with _lock:
            if _version[0] == version:
                _calendars[agency_id] = calendar
    return calendar


def calendar_invalidate() -> None:
    """Forget every calendar, here and (through the shared cache) in the other processes."""
    with _lock:
        _calendars.clear()
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


@receiver(post_save, sender="portal.CalendarException")
@receiver(post_delete, sender="portal.CalendarException")
def _calendar_exception_changed(sender, **kwargs) -> None:
    calendar_invalidate()
    # Again after commit, so no process keeps a calendar built before the change was visible.
    transaction.on_commit(calendar_invalidate)


# --- Public API -----------------------------------------------------------------------------


def is_working_day(day: date, *, agency_id: int | None = None) -> bool:
    """Is ``day`` a working day on the calendar of ``agency_id`` (None: city-wide)?"""
    return _calendar(agency_id).is_working_day(day)


def next_working_day(day: date, *, agency_id: int | None = None) -> date:
    """The first working day on or after ``day``."""
    return _calendar(agency_id).nth_after(day - timedelta(days=1), 1)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("Working-day arithmetic needs a timezone-aware datetime.")
    return moment.astimezone(office_timezone())


def _counting_start(calendar: _Calendar, moment: datetime) -> datetime:
    local, tz = _local(moment), office_timezone()
    opens, closes = office_opens_at(), office_closes_at()
    day = local.date()
    if calendar.is_working_day(day) and local.time() < closes:
        if local.time() < opens:
            return datetime.combine(day, opens, tzinfo=tz)
        return local
    return datetime.combine(calendar.nth_after(day, 1), opens, tzinfo=tz)


def counting_start(received_at: datetime, *, agency_id: int | None = None) -> datetime:
    """The moment a dossier received at ``received_at`` starts to count (module docstring)."""
    return _counting_start(_calendar(agency_id), received_at)


def add_working_days(start: datetime, n: int, *, agency_id: int | None = None) -> datetime:
    """``n`` working days after ``start`` (n >= 0), by the receipt rule of the module docstring.

    The result is in the office timezone, on a working day, at the time of day of the counting
    start; ``n == 0`` gives the counting start itself.
    """
    if n < 0:
        raise ValueError("n must be zero or positive.")
    calendar = _calendar(agency_id)
    begin = _counting_start(calendar, start)
    if n == 0:
        return begin
    day = calendar.nth_after(begin.date(), n)
    return datetime.combine(day, begin.time(), tzinfo=begin.tzinfo)


def _office_day() -> timedelta:
    today = date.today()
    return datetime.combine(today, office_closes_at()) - datetime.combine(today, office_opens_at())


def office_time_between(a: datetime, b: datetime, *, agency_id: int | None = None) -> timedelta:
    """Office time from ``a`` to ``b``: the opening hours of the working days in between, each
    end taken by the receipt rule (zero when ``b`` is not after ``a``). A whole working day is
    ``OFFICE_CLOSES_AT - OFFICE_OPENS_AT``, so ``office_time_between(a, add_working_days(a, n))``
    is n such days."""
    calendar = _calendar(agency_id)
    begin, end = _counting_start(calendar, a), _counting_start(calendar, b)
    if end <= begin:
        return timedelta(0)
    if begin.date() == end.date():
        return end - begin
    tz = begin.tzinfo
    first = datetime.combine(begin.date(), office_closes_at(), tzinfo=tz) - begin
    last = end - datetime.combine(end.date(), office_opens_at(), tzinfo=tz)
    between = calendar.count_between(begin.date(), end.date()) - 1  # end's day is a working day
    return first + between * _office_day() + last


def add_office_time(
    start: datetime, amount: timedelta, *, agency_id: int | None = None
) -> datetime:
    """The moment ``amount`` of office time after ``start`` (by the receipt rule); the inverse
    of :func:`office_time_between`. Whole days land at the start's time of day, as with
    :func:`add_working_days`; closing time is given as the next working day's opening."""
    calendar = _calendar(agency_id)
    begin = _counting_start(calendar, start)
    tz = begin.tzinfo
    today_left = datetime.combine(begin.date(), office_closes_at(), tzinfo=tz) - begin
    if amount < today_left:
        return begin + max(amount, timedelta(0))
    days, rest = divmod(amount - today_left, _office_day())
    day = calendar.nth_after(begin.date(), days + 1)
    return datetime.combine(day, office_opens_at(), tzinfo=tz) + rest


def working_days_between(a: datetime, b: datetime, *, agency_id: int | None = None) -> int:
    """Whole working days from ``a`` to ``b``: the largest k with add_working_days(a, k) <= b.

    Negative (``-working_days_between(b, a)``) when ``b`` is before ``a``.
    """
    if b < a:
        return -working_days_between(b, a, agency_id=agency_id)
    calendar = _calendar(agency_id)
    begin = _counting_start(calendar, a)
    if b < begin:
        return 0
    end = _local(b)
    count = calendar.count_between(begin.date(), end.date())
    if count and calendar.is_working_day(end.date()) and end.time() < begin.time():
        count -= 1  # the last working day has not reached the start's time of day yet
    return count
