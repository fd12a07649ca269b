"""The English pages are for people in Vietnam too: dates are typed day/month/year, never the
US month/day (see ``portal/formats/vi/formats.py``)."""

from portal.formats.vi.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS

__all__ = ["DATE_INPUT_FORMATS", "DATETIME_INPUT_FORMATS"]
