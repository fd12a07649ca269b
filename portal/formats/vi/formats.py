"""Date input in Vietnam is day/month/year. Django's ``vi`` locale defines no input formats, so
without these the admin read "07/12/2026" as 12 July (the US default) and refused "25/12/2026".
The first format is also how the admin's date fields show a date. ISO dates stay accepted: the
filing forms' ``<input type="date">`` posts them."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
