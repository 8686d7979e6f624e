"""Counts, days and ranges of days as the reader's language writes them (`core.i18n.
reader_language`: the tab's in an event, English outside one). English reads exactly as the
Analytics pages always wrote it ("1,234", "01 Nov 2026 - 30 Nov 2026"); the other languages
as Babel's CLDR data writes them ("1.234", "1.-30. Nov. 2026", "2026年11月1日 - 30日")."""

from __future__ import annotations

from datetime import date

from babel.dates import format_interval
from babel.numbers import format_decimal

from ccms_app.core.display import format_date
from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language


def _locale() -> str:
    return babel_locale(reader_language())


def count_text(value: int) -> str:
    """A whole number with the reader's grouping: "1,234"; "1.234" in German."""
    locale = _locale()
    return f"{value:,}" if locale == DEFAULT else format_decimal(value, locale=locale)


def day_text(day: date) -> str:
    """ "01 Nov 2026"; "01.11.2026"."""
    return format_date(day, "%d %b %Y", "yMMMd")


def days_text(first: date, last: date) -> str:
    """ "01 Nov 2026 - 30 Nov 2026" (one day: "01 Nov 2026"); "1.-30. Nov. 2026" (Babel's dash)."""
    if first == last:
        return day_text(first)
    locale = _locale()
    if locale == DEFAULT:
        return f"{first:%d %b %Y} - {last:%d %b %Y}"
    return format_interval(first, last, "yMMMd", locale=locale)


def part_text(first: date, last: date, month: bool) -> str:
    """A month or year only partly in a range, as its bar is labelled: "15-31 Oct 2026"
    (a month), "15 Oct-31 Dec 2026" (a year), "31 Oct 2026" (one day); "15.-31. Okt. 2026"."""
    locale = _locale()
    if locale != DEFAULT:
        if first == last:
            return day_text(first)
        return format_interval(first, last, "yMMMd", locale=locale)
    if month:
        days = f"{first.day}" if first == last else f"{first.day}-{last.day}"
        return f"{days} {first:%b %Y}"
    label = f"{first:%d %b}" if first == last else f"{first:%d %b}-{last:%d %b}"
    return f"{label} {first.year}"
