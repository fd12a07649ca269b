"""Template filters of the catalog."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """An integer amount in Vietnamese style: 15000 → "15.000" (the unit is added by the page)."""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{amount:,}".replace(",", ".")
