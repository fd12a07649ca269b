from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path

from portal import views

# The admin signs in through allauth, so MFA applies to it as to every back-office page.
admin.site.login = login_required(admin.site.login)
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
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
