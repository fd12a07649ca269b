"""Language of parts (WCAG 2.1 SC 3.1.2): every piece of text carries the language it is in.

``misattributed(html)`` reads a page and returns the text, and the user-facing attribute values
(``alt``, ``title``, ``aria-label``, ``placeholder``), whose language differs from the
``lang`` in effect where they stand:

- Vietnamese, recognised by its letters (ă â đ ê ô ơ ư and the tone marks), under ``lang="en"``;
- an English gloss (``class="en"``) anywhere but under ``lang="en"``.

Not checked: text of ``<script>``, ``<style>`` and ``<template>``; ``<title>`` and ``<option>``,
which cannot mark a part of their text (a procedure's name in an English page title); English
text outside a gloss, which cannot be told from Vietnamese without diacritics; and, in English
pages, the bilingual strings that the Python code still writes in one piece ("Họ và tên (Full
name)": their English half is in brackets), until they are translated like the templates' text;
and a catalog name quoted «like this» in a plain-text message ("«Giấy chứng sinh» is not
attached"), which cannot carry markup: it is taken as the name it is.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

VIETNAMESE = re.compile(
    "[ăâđêôơưĂÂĐÊÔƠƯ\u0300-\u0303\u0309\u0323\u1ea0-\u1ef9àáãèéìíòóõùúýÀÁÃÈÉÌÍÒÓÕÙÚÝ]"
)
VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"]
    + ["track", "wbr"]
)
SKIPPED = frozenset({"script", "style", "template", "title", "option"})
# "Vietnamese (English)": a bracketed part with Latin letters and no Vietnamese ones.
BILINGUAL = re.compile(r"\((?=[^()]*[A-Za-z])[^()ăâđêôơưĂÂĐÊÔƠƯ\u1ea0-\u1ef9]*\)")
TEXT_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
QUOTED_NAME = re.compile(r"«[^«»]*»")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        # (tag, lang in effect, inside a gloss, skipped)
        self.stack: list[tuple[str, str, bool, bool]] = [("", "", False, False)]
        self.found: list[str] = []

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> tuple[str, bool, bool]:
        _, lang, gloss, skipped = self.stack[-1]
        values = dict(attrs)
        lang = values.get("lang") or lang
        gloss = gloss or "en" in (values.get("class") or "").split()
        skipped = skipped or tag in SKIPPED
        if not skipped:
            for name in TEXT_ATTRIBUTES:
                if values.get(name):
                    self._check(values[name], lang, gloss, where=f"<{tag} {name}>")
        return lang, gloss, skipped

    def handle_starttag(self, tag, attrs):
        lang, gloss, skipped = self._open(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, lang, gloss, skipped))

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth][0] == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        _, lang, gloss, skipped = self.stack[-1]
        if not skipped and data.strip():
            self._check(data, lang, gloss, where=f"<{self.stack[-1][0]}>")

    def _check(self, text: str, lang: str, gloss: bool, where: str) -> None:
        text = " ".join(text.split())
        if gloss and lang != "en":
            self.found.append(f"English gloss under lang={lang!r} in {where}: {text!r}")
        elif (
            not gloss
            and lang == "en"
            and VIETNAMESE.search(QUOTED_NAME.sub("", text))
            and not BILINGUAL.search(text)
        ):
            self.found.append(f"Vietnamese under lang='en' in {where}: {text!r}")


def misattributed(html: str) -> list[str]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found
