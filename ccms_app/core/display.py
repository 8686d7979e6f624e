"""How values read on every page: times in a zone, numbers with their unit, a dash for none,
each as the reader's language writes them (Babel: "1,234.5 kWh", "1.234,5 kWh").

Rows are formatted once on the server (per push or per page load), so every module that
prints a time or a quantity uses these and they all read the same. The language is the
reader's (`core.i18n.reader_language`: the tab's, set by the event gate); English outside an
event.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date as babel_date
from babel.dates import format_datetime, format_skeleton
from babel.dates import format_time as babel_time
from babel.numbers import format_decimal

from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language

MISSING = "—"


def format_time(value: datetime | None, zone: str, now: datetime) -> str:
    """Local time of the station: just the time for today, the date too otherwise."""
    if value is None:
        return MISSING
    tz = time_zone(zone)
    local = value.astimezone(tz)
    today = local.date() == now.astimezone(tz).date()
    locale = babel_locale(reader_language())
    if locale == DEFAULT:  # ISO-like, as operators' exports and logs write it
        return local.strftime("%H:%M:%S %Z" if today else "%Y-%m-%d %H:%M %Z")
    shown = (
        babel_time(local, "medium", locale=locale)
        if today
        else format_datetime(local, "short", locale=locale)
    )
    return f"{shown} {local.strftime('%Z')}"


def format_date(value: date, english: str, skeleton: str) -> str:
    """A date (or a month, a weekday) as the reader's language writes it: `english` is the
    strftime pattern English pages have always used ("%d %b %Y" -> "06 Dec 2026"), `skeleton`
    what the date shows, in CLDR letters, for the others ("yMMMd" -> "06.12.2026",
    "2026年12月6日"; "yMMMM" -> "Dezember 2026"; "MMMEd", "MMM")."""
    locale = babel_locale(reader_language())
    if locale == DEFAULT:
        return value.strftime(english)
    try:
        return format_skeleton(skeleton, value, locale=locale)
    except KeyError:  # no such skeleton in the locale's data: the letters as a pattern
        return babel_date(value, skeleton, locale=locale)


def format_number(value: float | None, unit: str, digits: int = 1) -> str:
    if value is None:
        return MISSING
    pattern = "#,##0." + "0" * digits if digits > 0 else "#,##0"
    number = format_decimal(value, pattern, locale=babel_locale(reader_language()))
    return f"{number} {unit}"


@lru_cache(maxsize=512)
def time_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; UTC when it is unknown (a typo must not break a page)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")
