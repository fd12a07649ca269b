"""Amounts of money as printed on receipts: figures (``50.000``) and Vietnamese words."""

from __future__ import annotations

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Scales of three digits below a "tỷ"; from a tỷ upwards the reading repeats ("nghìn tỷ").
SCALES = ("", "nghìn", "triệu")
BILLION = 1_000_000_000


def format_vnd(amount: int) -> str:
    """``2500500`` → ``"2.500.500"`` (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".")


def _three(n: int, *, full: bool) -> list[str]:
    """Words of 0 < n < 1000; ``full`` reads a leading zero hundred ("không trăm linh năm")."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    words += ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")
    elif units == 4 and tens > 1:
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def _below_billion(n: int, *, full: bool) -> list[str]:
    """Words of 0 <= n < 10⁹; ``full``: n follows a higher group, so zero hundreds are read."""
    groups = [n // 1_000_000, n // 1000 % 1000, n % 1000]
    words: list[str] = []
    for group, scale in zip(groups, reversed(SCALES), strict=True):
        if not group:
            continue
        words += _three(group, full=full or bool(words))
        if scale:
            words.append(scale)
    return words


def _words(n: int, *, full: bool = False) -> list[str]:
    if n >= BILLION:
        words = [*_words(n // BILLION, full=full), "tỷ"]
        rest = n % BILLION
        return words + _below_billion(rest, full=True) if rest else words
    return _below_billion(n, full=full)


def amount_in_words(amount: int) -> str:
    """Số tiền bằng chữ: ``50000`` → ``"Năm mươi nghìn đồng"``.

    Zero hundreds inside a number are read ("Một triệu không trăm năm mươi nghìn đồng"), a zero
    ten before a unit is "linh" ("Một trăm linh năm nghìn đồng"). ``amount`` must be a positive
    integer: a receipt of 0 đồng is never issued.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an integer number of đồng")
    if amount <= 0:
        raise ValueError("amount must be positive")
    text = " ".join([*_words(amount), "đồng"])
    return text[0].upper() + text[1:]
