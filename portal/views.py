from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import selectors
from portal.forms import ProfileForm
from portal.health import health_report
from portal.roles import STAFF_ROLES, Role, has_role, role_names


def home(request):
    return render(request, "portal/home.html", {"stats": selectors.home_stats()})


@login_required
def after_login(request):
    """Send each persona to the page that is theirs."""
    if has_role(request.user, *STAFF_ROLES) or request.user.is_staff:
        return redirect("portal:officer_home")
    return redirect("dossiers:my_dossiers")


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Đã lưu thông tin cá nhân."))
            return redirect("portal:profile")
        messages.error(request, _("Vui lòng sửa các lỗi được đánh dấu bên dưới."))
    return render(request, "portal/profile.html", {"form": form})


@login_required
def officer_home(request):
    roles = role_names(request.user) & set(STAFF_ROLES)
    if not roles and not request.user.is_staff:
        raise PermissionDenied(_("Trang này chỉ dành cho cán bộ."))
    profile = selectors.officer_profile(request.user)
    if profile is not None and roles & {Role.RECEPTION, Role.SPECIALIST, Role.APPROVER}:
        from dossiers.views.officer import home

        return home(request)  # the officer's queues (issue 7)
    return render(
        request,
        "portal/officer_home.html",
        {
            "officer_profile": profile,
            "roles": selectors.role_labels(roles),
            "is_supervisor": Role.SUPERVISOR in roles and request.user.is_staff,
        },
    )


@require_GET
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)
