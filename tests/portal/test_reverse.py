"""portal.reverse: reverse() remembered, and {% url %} / Jinja2's url() using it."""

import uuid

import pytest
from django.template import Context, Template, TemplateSyntaxError, engines
from django.test import override_settings
from django.urls import NoReverseMatch, clear_script_prefix, path, reverse, set_script_prefix

from portal import reverse as cached


def _view(request):  # pragma: no cover — never called
    raise AssertionError


urlpatterns = [
    path("elsewhere/", _view, name="home"),
    path("thing/<int:n>/", _view, name="thing"),
    path("word/<str:w>/", _view, name="word"),
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cached._reverse.cache_clear()
    yield
    cached._reverse.cache_clear()
    clear_script_prefix()


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("portal:home", (), None),
        ("healthz", (), None),
        ("dossiers:officer:queue", ("reception",), None),
        ("dossiers:officer:detail", (uuid.UUID(int=7),), None),
        ("dossiers:officer:queue", (), {"slug": "mine"}),
    ],
)
def test_it_answers_as_reverse_does_and_remembers(name, args, kwargs):
    expected = reverse(name, args=args, kwargs=kwargs)
    assert cached.cached_reverse(name, args=args, kwargs=kwargs) == expected
    assert cached.cached_reverse(name, args=args, kwargs=kwargs) == expected
    info = cached._reverse.cache_info()
    assert (info.hits, info.misses) == (1, 1)


def test_the_script_prefix_and_the_urlconf_are_part_of_the_key():
    assert cached.cached_reverse("portal:home") == "/"
    set_script_prefix("/dvc/")
    assert cached.cached_reverse("portal:home") == "/dvc/"
    clear_script_prefix()
    assert cached.cached_reverse("portal:home") == "/"
    with override_settings(ROOT_URLCONF=__name__):
        assert cached.cached_reverse("home") == "/elsewhere/"
        with pytest.raises(NoReverseMatch):
            cached.cached_reverse("portal:home")
    assert cached.cached_reverse("portal:home") == "/"


def test_arguments_of_other_types_are_not_remembered_and_types_are_kept_apart():
    with override_settings(ROOT_URLCONF=__name__):
        assert cached.cached_reverse("thing", args=[1]) == "/thing/1/"
        # True == 1 and hash(True) == hash(1): without the type in the key this would be "1"
        with pytest.raises(NoReverseMatch):
            cached.cached_reverse("thing", args=[True])
        misses = cached._reverse.cache_info().misses
        assert cached.cached_reverse("word", args=[1.5]) == "/word/1.5/"
        assert cached._reverse.cache_info().misses == misses  # a float went straight through


def test_args_and_kwargs_may_be_none_as_for_reverse():
    assert cached.cached_reverse("healthz", args=None, kwargs=None) == reverse("healthz")


def test_the_current_app_is_part_of_the_key():
    cached.cached_reverse("portal:home", current_app="portal")
    cached.cached_reverse("portal:home", current_app=None)
    assert cached._reverse.cache_info().misses == 2


def test_an_unknown_name_raises_as_reverse_does():
    with pytest.raises(NoReverseMatch):
        cached.cached_reverse("no-such-view")


def test_the_url_tag_of_every_django_template_uses_the_cache(rf):
    template = engines["django"].from_string(
        "{% url 'dossiers:officer:queue' slug %}|{% url 'nope' as missing %}[{{ missing }}]"
        "|{% url 'dossiers:officer:queue' 'mine' as q %}{{ q }}"
    )
    for _ in range(2):
        out = template.render({"slug": "reception"}, rf.get("/"))
        assert out == "/officer/queues/reception/|[]|/officer/queues/mine/"
    assert cached._reverse.cache_info().hits == 2  # the variable and the literal ('mine')
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'nope' %}").render({})


@override_settings(ROOT_URLCONF=__name__)
def test_the_url_tag_keeps_djangos_syntax_errors_and_escaping():
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string("{% url %}")
    # A plain Context (no request, so no current app); the URL is escaped as Django's tag does
    assert Template("{% url 'word' w %}").render(Context({"w": "x'y"})) == "/word/x&#x27;y/"
    assert Template("{% url 'word' w %}").render(Context({"w": "<b>"})) == "/word/%3Cb%3E/"
    assert Template("{% url 'word' w %}").render(Context({"w": "a&b"})) == "/word/a&amp;b/"
    with_autoescape_off = "{% autoescape off %}{% url 'word' w %}{% endautoescape %}"
    assert Template(with_autoescape_off).render(Context({"w": "a&b"})) == "/word/a&b/"


def test_jinja2_url_uses_the_cache():
    template = engines["jinja2"].from_string("{{ url('dossiers:officer:queue', 'mine') }}")
    assert template.render({}) == "/officer/queues/mine/"
    assert template.render({}) == "/officer/queues/mine/"
    assert cached._reverse.cache_info().hits == 1
