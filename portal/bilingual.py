"""Messages with values in them, in the page's language.

A fixed message goes through gettext: its msgid is Vietnamese with an English gloss
("Hồ sơ đã được thanh toán (already paid).") and its English msgstr the English alone. A message
that carries values (a status, an amount) is written here instead, from its two sentences, so
that each language gets its own words for the values: gettext would need every value in both.
"""

from __future__ import annotations

from django.utils.translation import get_language


def vi_en(vietnamese: str, english: str) -> str:
    """``"<Vietnamese> (<English>)."``, or in English pages the English sentence alone.

    ``english`` is a whole sentence ("You cannot … ."); as the gloss it starts in lower case
    and loses its full stop.
    """
    if get_language() == "en":
        return english
    gloss = english[:1].lower() + english[1:].rstrip(".")
    return f"{vietnamese.rstrip('.')} ({gloss})."
