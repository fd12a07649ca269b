"""English works: the language switch, the English catalog, and a catalog with no gaps.

The source strings are Vietnamese (LANGUAGE_CODE "vi"); locale/en/LC_MESSAGES/django.po holds
the English. Refresh it with scripts/i18n after adding strings: a new msgid left untranslated
(or "fuzzy") fails test_every_msgid_in_the_english_catalog_is_translated.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

PO_PATH = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# (English, Vietnamese source) pairs rendered on the home page (portal/home.html, base.html).
HOME_STRINGS = [
    ("Online public services", "Dịch vụ công trực tuyến"),
    ("Citizens and businesses", "Người dân và doanh nghiệp"),
    ("Officers and civil servants", "Cán bộ, công chức"),
    ("Skip to main content", "Bỏ qua, đến nội dung chính"),
    ("Public Service Portal", "Cổng Dịch vụ công"),
    ("Administrative procedures", "Thủ tục hành chính"),
    ("Create an account", "Đăng ký tài khoản"),
    ("System status", "Tình trạng hệ thống"),
]

# Rendered on /procedures/ by procedures/catalog.html.
CATALOG_STRINGS = [
    ("Search and filter procedures", "Tìm và lọc thủ tục (Search and filter)"),
    (">Search</button>", "Tìm kiếm (Search)"),
    ("Find a procedure and see the documents to prepare", "Tìm thủ tục, xem giấy tờ cần chuẩn bị"),
]


def _switch_to(client, language: str) -> None:
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == language


def test_the_language_switch_turns_the_home_page_english(client):
    _switch_to(client, "en")
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for english, vietnamese in HOME_STRINGS:
        assert english in html, english
        assert vietnamese not in html, vietnamese


def test_the_catalog_is_english_after_switching(client):
    _switch_to(client, "en")
    html = client.get("/procedures/").content.decode()
    for english, vietnamese in CATALOG_STRINGS:
        assert english in html, english
        assert vietnamese not in html, vietnamese


def test_the_catalog_filter_labels_and_choices_are_english(client):
    _switch_to(client, "en")
    html = client.get("/procedures/").content.decode()
    for vietnamese in [
        "Lĩnh vực",
        "Cấp thực hiện",
        "Mức độ trực tuyến",
        "Tìm thủ tục",
        "Tất cả",
        "Hộ tịch",
        "Toàn trình",
        "Miễn phí khi nộp trực tuyến",
    ]:
        assert vietnamese not in html, vietnamese
    for english in ["Find a procedure", "Civil status", "Fully online", "Free when filed online"]:
        assert english in html, english


def test_without_a_cookie_the_portal_speaks_vietnamese(client):
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    for english, vietnamese in HOME_STRINGS:
        assert vietnamese in html, vietnamese
        assert english not in html, english
    catalog = client.get("/procedures/").content.decode()
    assert "Tìm và lọc thủ tục (Search and filter)" in catalog


def test_switching_back_to_vietnamese(client):
    _switch_to(client, "en")
    _switch_to(client, "vi")
    html = client.get("/").content.decode()
    assert "Dịch vụ công trực tuyến" in html and "Online public services" not in html


# --- The catalog itself: a tiny .po reader (no polib) ----------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # msgstr is index 0

    def __str__(self) -> str:
        return f"{PO_PATH.name}:{self.line}: {self.msgid!r}"


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def read_po(path: Path) -> list[Entry]:
    """Entries of a .po file (header and obsolete "#~" entries left out)."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None

    def start(lineno: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=lineno)
        return entry

    def finish() -> None:
        nonlocal entry, target
        if entry is not None and entry.msgid != "":
            entries.append(entry)
        entry, target = None, None

    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#~"):
            continue
        elif line.startswith("#,"):
            start(lineno).flags.update(f.strip() for f in line[2:].split(","))
        elif line.startswith("#"):
            start(lineno)
        elif match := _KEYWORD.match(line):
            keyword, index, literal = match.groups()
            current = start(lineno)
            if keyword == "msgid" and (current.msgid or current.msgstr):
                finish()  # a new entry without a blank line in between
                current = start(lineno)
            text = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = text
            else:
                target = (keyword, 0)
                setattr(current, keyword, text)
        elif line.startswith('"') and entry is not None and target is not None:
            text = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += text
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + text)
        else:
            raise AssertionError(f"{path.name}:{lineno}: cannot parse {raw!r}")
    finish()
    return entries


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sd]", text))


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run scripts/i18n"
    entries = read_po(PO_PATH)
    assert len(entries) > 200, "the English catalog looks truncated"
    return entries


def test_every_msgid_in_the_english_catalog_is_translated(catalog):
    """New strings must be translated: run scripts/i18n, fill the empty msgstrs, commit."""
    untranslated = [
        str(e)
        for e in catalog
        if "fuzzy" in e.flags
        or not e.msgstr
        or any(not s.strip() for s in e.msgstr.values())
        or (e.msgid_plural is not None and sorted(e.msgstr) != [0, 1])
    ]
    assert not untranslated, "Untranslated or fuzzy:\n" + "\n".join(untranslated)


def test_translations_keep_the_placeholders(catalog):
    broken = []
    for e in catalog:
        wanted = _placeholders(e.msgid) | _placeholders(e.msgid_plural or "")
        for s in e.msgstr.values():
            # A plural form may leave out a placeholder ("one procedure"), never invent one.
            ok = _placeholders(s) <= wanted if e.msgid_plural else _placeholders(s) == wanted
            if not ok:
                broken.append(f"{e}: {s!r}")
    assert not broken, "Placeholders differ:\n" + "\n".join(broken)


def test_the_compiled_catalog_matches_the_po(catalog):
    """django.mo is committed: it must be recompiled (scripts/i18n) whenever django.po changes."""
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run scripts/i18n"
    with MO_PATH.open("rb") as fh:
        mo = gettext.GNUTranslations(fh)
    stale = []
    for e in catalog:
        if e.msgctxt is not None:
            got = [mo.pgettext(e.msgctxt, e.msgid)]
            want = [e.msgstr.get(0)]
        elif e.msgid_plural is not None:
            got = [mo.ngettext(e.msgid, e.msgid_plural, 1), mo.ngettext(e.msgid, e.msgid_plural, 2)]
            want = [e.msgstr.get(0), e.msgstr.get(1)]
        else:
            got, want = [mo.gettext(e.msgid)], [e.msgstr.get(0)]
        if got != want:
            stale.append(str(e))
    assert not stale, "django.mo is out of date (run scripts/i18n):\n" + "\n".join(stale)
