"""The Jinja2 environment of the few templates Django's template language is too slow for.

Most pages use Django templates. The officers' queue page renders hundreds of values per
request (twenty rows of eight cells, the filters, the queue links) and Django's engine spent
more time on them than everything else the page does; its body is a Jinja2 template
(``templates/jinja2/``) placed inside the normal ``base.html``. Texts go through Django's
translation catalog with ``_()`` (the same msgids as the Django templates: ``makemessages``
reads ``{{ _("…") }}`` there too), URLs through ``url(name, *args)``.
"""

from __future__ import annotations

from django.utils.translation import gettext, ngettext
from jinja2 import Environment

from portal.reverse import cached_reverse


def url(name: str, *args) -> str:
    return cached_reverse(name, args=args)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(autoescape=True, **options)
    # Old-style callables: _() returns a plain string that autoescaping escapes on output, as
    # Django's {% translate %} does (new-style ones mark translations safe).
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals["url"] = url
    return env
