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


def vi_sort_key(text: str) -> tuple[str, str]:
    """Alphabetical order as Vietnamese readers expect it: by the letters without their marks
    first (Cấp < Chấm < Chứng; code-point order gives Chấm < Chứng < Cấp), đ after d, spaces
    collapsed; the exact spelling only breaks ties. ``sorted(names, key=vi_sort_key)``."""
    folded = unicodedata.normalize("NFD", " ".join((text or "").split())).lower()
    folded = folded.replace("đ", "d~")  # "~" sorts after "z"
    return "".join(ch for ch in folded if not unicodedata.combining(ch)), text or ""
