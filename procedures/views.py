"""Citizen pages of the catalog: browse/search and one procedure's page. Views stay thin."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from procedures import selectors
from procedures.forms import CatalogFilterForm
from procedures.forms_builder import ward_choices
from procedures.services import fee_quote

PAGE_SIZE = 20


@require_GET
def catalog(request):
    filters = selectors.CatalogFilters.from_params(request.GET)
    page = selectors.catalog_page(filters=filters, page=request.GET.get("page"), per_page=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": CatalogFilterForm(initial=vars(filters)),
        "filters": filters,
        "page": page,
        "query_string": params.urlencode(),
    }
    template = "procedures/catalog.html"
    if request.htmx and not request.htmx.boosted:
        template = "procedures/_catalog_results.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def detail(request, code: str):
    version = selectors.procedure_published_version(code=code)
    if version is None:
        raise Http404("Không tìm thấy thủ tục (no such published procedure).")
    agencies = list(version.procedure.agencies.all())
    context = {
        "version": version,
        "procedure": version.procedure,
        "documents": list(version.documents.all()),
        "waivers": list(version.waivers.all()),
        "online_fee": fee_quote(version=version, online=True),
        "city_agencies": [a for a in agencies if a.kind != "ward"],
        "ward_agencies": [a for a in agencies if a.kind == "ward"],
        "file_url": filing_url(code),
    }
    return render(request, "procedures/detail.html", context)


def filing_url(code: str) -> str:
    """Where "Nộp hồ sơ trực tuyến" leads: the first step of filing (dossiers app)."""
    return reverse("dossiers:file_start", kwargs={"code": code})


@require_GET
def address_wards(request):
    """The <option>s of the wards of a province (htmx, for address fields)."""
    # The select is named "<field>__province" (with the form prefix); htmx sends it as it is.
    province = next(
        (v.strip() for k, v in request.GET.items() if k == "province" or k.endswith("__province")),
        "",
    )
    wards = ward_choices(province) if province.isdigit() and len(province) == 2 else []
    return render(request, "procedures/_ward_options.html", {"wards": wards})
