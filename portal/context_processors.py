"""Template context every page's header needs."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from portal.roles import needs_mfa


def persona(request):
    """``back_office``: whether the header links to the officers' page (staff and officer roles).

    Lazy, so a page that does not render the header pays nothing; the role names are usually
    loaded with the user already (``portal.auth``)."""
    return {"back_office": SimpleLazyObject(lambda: needs_mfa(request.user))}
