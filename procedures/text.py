"""Vietnamese text normalisation for search (what ``unaccent`` + ``lower`` do, plus a little more).

The same function builds ``Procedure.search_text`` and normalises the query, so a search matches
whatever accents the citizen typed (none, the right ones or wrong ones):

>>> search_normalize("Đăng ký khai sinh")
'dang ki khai sinh'
>>> search_normalize("dăng KÝ  khai-sinh")
'dang ki khai sinh'
"""

from __future__ import annotations

import re
import unicodedata

_STRIP = re.compile(r"[^a-z0-9.]+")
_DOTS = re.compile(r"(?<![0-9])\.|\.(?![0-9])")


def search_normalize(text: str) -> str:
    """Lowercase, drop diacritics (đ → d), i/y spelled alike, punctuation → spaces."""
    text = unicodedata.normalize("NFD", text or "").lower().replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    # "ký"/"kí", "lý"/"lí": both spellings are in use, so they must find each other.
    text = text.replace("y", "i")
    text = _STRIP.sub(" ", text)
    text = _DOTS.sub(" ", text)  # keep the dot only inside codes such as 1.001612
    return " ".join(text.split())


def search_terms(query: str, *, limit: int = 8) -> list[str]:
    """The distinct normalised words of a query (longest first, at most ``limit``)."""
    words = list(dict.fromkeys(search_normalize(query).split()))
    words.sort(key=len, reverse=True)
    return words[:limit]


# Vietnamese letters with a modifier are letters of their own, after the plain one (a < ă < â,
# e < ê, o < ô < ơ, u < ư, d < đ); tone marks only order words spelled alike (no tone, huyền,
# hỏi, ngã, sắc, nặng).
_MODIFIERS = {"\u0306": "1", "\u0302": "2", "\u031b": "3"}  # breve, circumflex, horn
_TONES = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}


def vi_sort_key(text: str) -> tuple[str, str, str]:
    """Alphabetical order as Vietnamese readers expect it (Bạc Liêu < Bắc Giang < Bắc Ninh,
    Anh Sơn < Ân Thi, Duyệt < Đăng; Python's code-point order gives Chấm < Chứng < Cấp), spaces
    collapsed. ``sorted(names, key=vi_sort_key)``."""
    text = " ".join((text or "").split()).lower()
    letters: list[str] = []  # each character and the rank of its modifier
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        if ch in _MODIFIERS and letters:
            letters[-1] = letters[-1][0] + _MODIFIERS[ch]
        elif ch in _TONES and tones:
            tones[-1] = _TONES[ch]
        elif not unicodedata.combining(ch):
            letters.append("d4" if ch == "đ" else ch + "0")
            tones.append("0")
    return "".join(letters), "".join(tones), text
