from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import include, path
from django.utils.translation import gettext as _

from portal import views


def _admin_login(request, extra_context=None):
    """The admin signs in through allauth (so MFA and its rate limits apply): its own log-in form
    is never shown nor accepted (a signed-in admin posting another admin's password to it would
    become that admin without their second factor). Signed-in staff go on to the admin,
    signed-in non-staff get 403, anonymous visitors go to allauth's log-in page."""
    if not request.user.is_staff:
        raise PermissionDenied(_("Trang quản trị chỉ dành cho quản trị viên (admins only)."))
    return redirect("admin:index")


admin.site.login = login_required(_admin_login)
admin.site.site_header = "Cổng Dịch vụ công — Quản trị"
admin.site.site_title = "Quản trị (Admin)"

app_patterns = (
    [
        path("", views.home, name="home"),
        path("after-login/", views.after_login, name="after_login"),
        path("profile/", views.profile, name="profile"),
        path("officer/", views.officer_home, name="officer_home"),
    ],
    "portal",
)

urlpatterns = [
    path("", include(app_patterns)),
    path("procedures/", include("procedures.urls")),
    path("payments/", include("payments.urls")),
    path("", include("dossiers.urls")),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
