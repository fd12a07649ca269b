"""Back-office guard: officers and admins must set up MFA before any back-office page."""

from __future__ import annotations

from urllib.parse import urlencode, urlparse

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRedirect

from portal.roles import needs_mfa

BACK_OFFICE_PREFIXES = ("/officer/", "/admin/")


def user_has_totp(user) -> bool:
    cached = getattr(user, "_has_totp", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._has_totp = cached
    return cached


class RequireMFAForStaffMiddleware:
    """MFA set-up first for officers and admins; then the admin is for staff only (403)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "BACK_OFFICE_PATH_PREFIXES", BACK_OFFICE_PREFIXES))

    def __call__(self, request):
        if (
            request.path.startswith(self.prefixes)
            and request.user.is_authenticated
            and needs_mfa(request.user)
            and not user_has_totp(request.user)
        ):
            url = reverse("mfa_activate_totp") + "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        if (
            request.path.startswith("/admin/")
            and request.user.is_authenticated
            and not request.user.is_staff
        ):
            raise PermissionDenied(
                gettext("Trang quản trị chỉ dành cho quản trị viên (admins only).")
            )
        return self.get_response(request)


# Sessions signed in before portal.auth's backends existed name Django's or allauth's backend;
# Django would treat them as signed out. Remove once every such session has expired
# (SESSION_COOKIE_AGE, 8 hours, after the deploy of portal/auth.py).
RENAMED_BACKENDS = {
    "django.contrib.auth.backends.ModelBackend": "portal.auth.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "portal.auth.AuthenticationBackend",
}


class RenamedAuthBackendMiddleware:
    """Points a session at the renamed authentication backend (between the session and the
    authentication middleware), so nobody is signed out by the rename."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib.auth import BACKEND_SESSION_KEY

        renamed = RENAMED_BACKENDS.get(request.session.get(BACKEND_SESSION_KEY))
        if renamed is not None:
            request.session[BACKEND_SESSION_KEY] = renamed
        return self.get_response(request)


class HtmxSignedOutMiddleware:
    """An htmx request answered by a redirect to the login page (the session has ended): htmx
    would follow the redirect and swap the whole login page into its target.

    - A POST (the filing form's autosave) gets a 401 and one line of text: nothing is swapped,
      and static/js/filing.js says the input is not saved yet, keeps it and offers to sign in.
    - Anything else (more rows, a filter, a poll) sends the browser to the login page
      (``HX-Redirect``), which returns to the page after signing in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 302
            and getattr(request, "htmx", False)
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            if request.method == "POST":
                return HttpResponse(
                    "Phiên đăng nhập đã hết (signed out).",
                    status=401,
                    content_type="text/plain; charset=utf-8",
                )
            page = urlparse(request.htmx.current_url or "").path or "/"
            login = resolve_url(settings.LOGIN_URL) + "?" + urlencode({"next": page})
            return HttpResponseClientRedirect(login)
        return response
