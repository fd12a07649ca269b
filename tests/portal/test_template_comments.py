"""Django's ``{# … #}`` comment ends at the end of its line: a ``{#`` whose ``#}`` is on a later
line is printed on the page, comment text and all. Multi-line comments must use
``{% comment %}``. (Jinja2's ``{# #}``, in ``templates/jinja2/``, may span lines.)"""

from pathlib import Path

from django.conf import settings

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def django_templates():
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix in {".html", ".txt", ".xml", ".css"} and "jinja2" not in path.parts:
            yield path


def test_no_django_comment_spans_lines():
    assert len(list(django_templates())) > 50
    unclosed = []
    for path in django_templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            rest = line
            while "{#" in rest:
                rest = rest[rest.index("{#") + 2 :]
                if "#}" not in rest:
                    unclosed.append(f"{path.relative_to(TEMPLATES)}:{number}")
                    break
                rest = rest[rest.index("#}") + 2 :]
    assert unclosed == []
