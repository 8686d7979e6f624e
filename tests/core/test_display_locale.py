"""Numbers, dates, times and money as the reader's language writes them (Babel), English
exactly as the pages always wrote it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_datetime
from babel.dates import format_time as babel_time
from babel.numbers import format_currency, format_decimal

from ccms_app.core.display import format_date, format_number, format_time
from ccms_app.core.i18n import reading_as
from ccms_app.core.money import format_money

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
YESTERDAY = datetime(2026, 12, 5, 9, 5, 7, tzinfo=UTC)


def test_english_reads_as_before() -> None:
    assert format_number(1234.56, "kWh") == "1,234.6 kWh"
    assert format_number(-0.5, "kW", 2) == "-0.50 kW"
    assert format_number(3, "A", 0) == "3 A"
    assert format_number(None, "kWh") == "—"
    assert format_time(YESTERDAY, "Europe/Berlin", NOW) == "2026-12-05 10:05 CET"
    assert format_time(NOW, "Europe/Berlin", NOW) == "11:00:00 CET"
    assert format_date(date(2026, 12, 6), "%B %Y", "yMMMM") == "December 2026"
    assert format_money(-12345, "EUR") == "-€123.45"


@pytest.mark.parametrize("language", ["de", "zh_Hans"])
def test_other_languages_use_babel(language: str) -> None:
    berlin = YESTERDAY.astimezone(ZoneInfo("Europe/Berlin"))
    with reading_as(language):
        assert (
            format_number(1234.56, "kWh")
            == f"{format_decimal(1234.6, '#,##0.0', locale=language)} kWh"
        )
        assert format_time(YESTERDAY, "Europe/Berlin", NOW) == (
            f"{format_datetime(berlin, 'short', locale=language)} CET"
        )
        now_there = NOW.astimezone(berlin.tzinfo)
        assert format_time(NOW, "Europe/Berlin", NOW) == (
            f"{babel_time(now_there, 'medium', locale=language)} CET"
        )
        assert format_money(-12345, "EUR") == format_currency(
            -123.45, "EUR", locale=language, currency_digits=True
        )
    assert format_number(1234.56, "kWh") == "1,234.6 kWh"  # back to English after


def test_german_and_chinese_write_dates_their_way() -> None:
    day = date(2026, 12, 6)
    with reading_as("de"):
        assert format_number(1234.56, "kWh") == "1.234,6 kWh"
        assert format_date(day, "%B %Y", "yMMMM") == "Dezember 2026"
        assert format_money(29, "EUR") == "0,29\xa0€"
    with reading_as("zh_Hans"):
        assert format_date(day, "%d %b %Y", "yMMMd") == "2026年12月6日"
        assert format_date(day, "%B %Y", "yMMMM") == "2026年12月"
