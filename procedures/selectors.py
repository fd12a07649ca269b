"""Reads of the catalog: the citizen list with filters and search, one procedure's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import StrIndex
from django.utils.translation import gettext_lazy as _

from portal.models import Agency
from procedures.models import (
    AgencyLevel,
    FeeKind,
    FeeWaiver,
    Field,
    OnlineLevel,
    ProcedureVersion,
    VersionStatus,
    WaiverCondition,
)
from procedures.text import search_normalize, search_terms


class FeeFilter:
    FREE = "free"
    FREE_ONLINE = "free_online"
    PAID = "paid"
    CHOICES = [
        (FREE, _("Miễn phí (Free)")),
        (FREE_ONLINE, _("Miễn phí khi nộp trực tuyến (Free when filed online)")),
        (PAID, _("Có thu phí (Paid)")),
    ]


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    field: str = ""
    agency_level: str = ""
    online_level: str = ""
    fee: str = ""

    @classmethod
    def from_params(cls, params) -> CatalogFilters:
        """Unknown filter values are ignored rather than failing the page."""

        def pick(name: str, allowed) -> str:
            value = (params.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            q=(params.get("q") or "").strip()[:200],
            field=pick("field", Field.values),
            agency_level=pick("agency_level", AgencyLevel.values),
            online_level=pick("online_level", OnlineLevel.values),
            fee=pick("fee", {c for c, _ in FeeFilter.CHOICES}),
        )

    @property
    def active(self) -> bool:
        return any(vars(self).values())


def online_waiver_exists():
    return Exists(
        FeeWaiver.objects.filter(
            version=OuterRef("pk"), condition=WaiverCondition.ONLINE_FILING, percent=100
        )
    )


def procedure_search(*, queryset: QuerySet, query: str, prefix: str = "") -> QuerySet:
    """Accent- and case-insensitive match on the normalised ``search_text`` of procedures.

    Every word of the query must appear (in any order). On PostgreSQL words of three letters or
    more are ``LIKE`` conditions the trigram index ``procedure_search_trgm`` serves (migration
    0002); shorter words ("ký" → "ki") give no trigram, so they are checked with ``strpos`` on the
    rows the index found instead of making the index scan everything. ``prefix`` is the path to
    the procedure when ``queryset`` is not of procedures (e.g. ``"procedure__"``).
    """
    terms = search_terms(query)
    if not terms:
        return queryset
    column = f"{prefix}search_text"
    long_terms = [t for t in terms if len(t) >= 3]
    for term in long_terms:
        queryset = queryset.filter(**{f"{column}__contains": term})
    for i, term in enumerate(t for t in terms if len(t) < 3):
        if long_terms:
            queryset = queryset.alias(**{f"_short{i}": StrIndex(column, Value(term))}).filter(
                **{f"_short{i}__gt": 0}
            )
        else:
            queryset = queryset.filter(**{f"{column}__contains": term})
    return queryset


LIST_DEFERRED = (
    "form_schema",
    "processing_note",
    "fee_note",
    "change_note",
    "procedure__description",
    "procedure__steps",
    "procedure__legal_basis",
    "procedure__result_type",
)


def catalog_versions(*, filters: CatalogFilters) -> QuerySet[ProcedureVersion]:
    """Published versions matching the filters, most relevant first (one query, no N+1).

    Each row carries ``free_online``: free, or waived in full when filed online.
    """
    qs = (
        ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        # The list shows none of the long texts: keep the rows that are joined and sorted small.
        .defer(*LIST_DEFERRED)
    )
    qs = procedure_search(queryset=qs, query=filters.q, prefix="procedure__")
    if filters.field:
        qs = qs.filter(procedure__field=filters.field)
    if filters.agency_level:
        qs = qs.filter(procedure__agency_level=filters.agency_level)
    if filters.online_level:
        qs = qs.filter(procedure__online_level=filters.online_level)
    if filters.fee == FeeFilter.FREE:
        qs = qs.filter(fee_kind=FeeKind.FREE)
    elif filters.fee == FeeFilter.PAID:
        qs = qs.exclude(fee_kind=FeeKind.FREE)
    elif filters.fee == FeeFilter.FREE_ONLINE:
        qs = qs.filter(Q(fee_kind=FeeKind.FREE) | online_waiver_exists())
    qs = qs.annotate(
        free_online=Case(
            When(fee_kind=FeeKind.FREE, then=Value(True)),
            default=online_waiver_exists(),
            output_field=BooleanField(),
        )
    )
    # The normalised name sorts Đ with D whatever the database collation.
    ordering = ["procedure__search_text", "procedure__code"]
    phrase = search_normalize(filters.q)
    if phrase:
        qs = qs.annotate(
            rank=Case(
                When(procedure__search_text__startswith=phrase, then=Value(0)),
                When(procedure__search_text__contains=phrase, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        ordering = ["rank", *ordering]
    return qs.order_by(*ordering)


def catalog_page(*, filters: CatalogFilters, page: Any, per_page: int) -> Page:
    """One page of the catalog and the total, in one query (a window count) for a page in range.

    A page number out of range falls back to the last page, as ``Paginator.get_page`` does.
    """
    qs = catalog_versions(filters=filters)
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * per_page
    rows = list(qs.annotate(total=Window(Count("pk")))[offset : offset + per_page])
    paginator = Paginator(qs, per_page)
    if rows:
        paginator.count = rows[0].total  # the cached_property, filled without a COUNT query
    elif number > 1:
        return paginator.get_page(number)  # out of range: count, then the last page
    else:
        paginator.count = 0
    result = paginator.page(number)
    result.object_list = rows
    return result


def procedure_published_version(*, code: str) -> ProcedureVersion | None:
    """The published version of a procedure with everything its public page shows."""
    return (
        ProcedureVersion.objects.filter(procedure__code=code, status=VersionStatus.PUBLISHED)
        .select_related("procedure")
        .prefetch_related(
            "documents",
            "waivers",
            Prefetch(
                "procedure__agencies",
                queryset=Agency.objects.filter(is_active=True)
                .select_related("admin_unit")
                .order_by("kind", "name"),
            ),
        )
        .first()
    )


def version_for_preview(*, pk: int) -> ProcedureVersion | None:
    return (
        ProcedureVersion.objects.filter(pk=pk)
        .select_related("procedure")
        .prefetch_related("documents", "waivers")
        .first()
    )
