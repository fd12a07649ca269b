"""``reverse()`` remembered: a page asks for the same URLs on every request.

The layout (``base.html``) reverses ten named URLs for its header and footer and the officers'
queue page a few more; each ``reverse()`` walks Django's resolver again (≈0.05 ms), together
about 0.5 ms of every page. ``cached_reverse`` keeps the answers in a bounded LRU cache keyed by
everything the answer depends on: the view name, the arguments (with their types, so that
``1`` and ``True`` differ), the current app, the URLconf in force, the script prefix and the
active language. Only arguments of plain types (str, int, UUID) are remembered; others go to
``reverse()`` each time.
The cache is cleared when ``ROOT_URLCONF`` changes (tests) and a deploy starts a new process.

``{% url %}`` in Django templates is replaced site-wide by the same tag using this cache (the
``builtins`` of ``TEMPLATES``); Jinja2's ``url()`` (``portal/jinja.py``) uses it as well.
"""

from __future__ import annotations

import functools
import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import Library, defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

_PLAIN = frozenset({str, SafeString, int, uuid.UUID})  # templates' literals are SafeStrings


@functools.lru_cache(maxsize=8192)
def _reverse(viewname, args, kwargs, current_app, urlconf, prefix, language):  # noqa: ARG001
    return reverse(
        viewname,
        urlconf=urlconf,
        args=[value for _, value in args],
        kwargs={key: value for key, _, value in kwargs},
        current_app=current_app,
    )


def cached_reverse(viewname, args=(), kwargs=None, current_app=None) -> str:
    """``reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)``, remembered."""
    args, kwargs = args or (), kwargs or {}
    if not isinstance(viewname, str) or not all(
        type(v) in _PLAIN for v in (*args, *kwargs.values())
    ):
        return reverse(viewname, args=args, kwargs=kwargs, current_app=current_app)
    return _reverse(
        viewname,
        tuple((type(v), v) for v in args),
        tuple(sorted((k, type(v), v) for k, v in kwargs.items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        get_language(),  # no URL is translated today (no i18n_patterns); kept for when one is
    )


@receiver(setting_changed)
def _forget_on_urlconf_change(*, setting, **kwargs):
    if setting == "ROOT_URLCONF":
        _reverse.cache_clear()


# -- the {% url %} tag ----------------------------------------------------------------------
register = Library()


class URLNode(defaulttags.URLNode):
    """Django's ``{% url %}`` node (same syntax, same errors) reversing through the cache."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
