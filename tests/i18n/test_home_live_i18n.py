"""Home and Live Monitoring in German and Simplified Chinese: what the server words (warnings,
the live power, Home's figures, charts and licence, the running sessions' numbers) comes out
in the tab's language from the real catalogs, numbers and money as the locale writes them,
and English exactly as before.

Words are checked against the catalogs (each must translate the message), numbers, dates and
money against Babel's output."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ccms_app.analytics.figures import Series, Totals
from ccms_app.analytics.home_figures import HomeFigures, LicenceDays
from ccms_app.analytics.power_samples import PowerPoint, StationPower
from ccms_app.analytics.state.home import HomeFiguresState, site_row
from ccms_app.charging.data_issues import OpenIssues
from ccms_app.core.i18n import catalog
from ccms_app.core.i18n_catalogs import extracted
from ccms_app.core.money import format_money
from ccms_app.finance.rules.revenue import PeriodKind, buckets
from ccms_app.monitoring.active_sessions import display_row
from ccms_app.monitoring.home_summary import HomeSummary
from ccms_app.monitoring.snapshot import (
    ChargePointView,
    ConnectorView,
    HomeCounts,
    NetworkWarning,
    warnings_of,
)
from ccms_app.monitoring.state.home import HomeState, apply_summary, warning_text
from ccms_app.monitoring.state.licence_card import licence_usage, licence_validity
from ccms_app.monitoring.state.sessions import localized_row
from tests.monitoring.state_tree import state_in_tree

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)  # Mon 2 Nov 2026, 10:30 in Berlin
LANGUAGES = ("de", "zh_Hans")
# The files whose marked messages these pages show (every one must be translated).
PAGE_FILES = (
    "ccms_app/analytics/pages/home.py",
    "ccms_app/analytics/components/home.py",
    "ccms_app/analytics/state/home.py",
    "ccms_app/monitoring/",
    "ccms_app/ui/page_header.py",
    "ccms_app/ui/cards.py",
    "ccms_app/ui/table.py",
    "ccms_app/ui/status.py",
    "ccms_app/ui/data_list.py",
    "ccms_app/ui/filters.py",
)


def tr(language: str, msgid: str, **values: object) -> str:
    """The catalog's translation of `msgid` (it must have one), values filled in."""
    text = catalog(language).get(msgid)
    assert text, f"{language} lacks {msgid!r}"
    return text.format(**values) if values else text


def test_every_message_of_the_pages_is_translated() -> None:
    marked = {
        str(m.id)
        for m in extracted()
        if m.id and any(str(where).startswith(PAGE_FILES) for where, _line in m.locations)
    }
    assert len(marked) > 100
    for language in LANGUAGES:
        lacking = sorted(msgid for msgid in marked if not catalog(language).get(msgid))
        assert lacking == [], language


# --- the warnings and the live power (HomeState, shared by tabs of every language) -----------


def _warnings() -> list[NetworkWarning]:
    """One warning of each kind, worded by the snapshot's own rules."""
    faulted = ChargePointView(
        id=1,
        identity="CP-1",
        station_name="Depot",
        station_timezone="Europe/Berlin",
        online=True,
        registration_state="registered",
        status="Available",
        error_code="HighTemperature",
        last_seen_at=NOW,
        connectors=(ConnectorView(2, "Faulted", "GroundFailure", "E42", NOW),),
        status_at=NOW,
    )
    offline = ChargePointView(
        2, "CP-2", "Depot", "Europe/Berlin", False, "registered", "Available", "NoError", NOW
    )
    waiting = ChargePointView(
        3, "CP-3", "", "UTC", True, "unregistered", "Available", "NoError", NOW
    )
    issues = {1: OpenIssues(3, "meter went backwards", NOW), 2: OpenIssues(1, "no meter", NOW)}
    return list(warnings_of([faulted, offline, waiting], issues))


def test_the_snapshot_words_its_warnings_as_home_reads_them() -> None:
    """warning_text reads the parts back from this wording: a change here must change both."""
    assert [(w.kind, w.message) for w in _warnings()] == [
        ("error", "Charge point reports: HighTemperature"),
        ("fault", "Connector 2 faulted: GroundFailure (E42)"),
        ("offline", "Offline"),
        ("unregistered", "Unregistered charge point is waiting to be registered"),
        ("data", "3 data issues; latest: meter went backwards"),
        ("data", "1 data issue; latest: no meter"),
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_warnings_are_worded_in_the_language(language: str) -> None:
    worded = [warning_text(language, w) for w in _warnings()]
    assert worded == [
        tr(language, "Charge point reports: {error}", error="HighTemperature"),
        tr(
            language,
            "Connector {connector} faulted: {error}",
            connector=2,
            error="GroundFailure (E42)",
        ),
        tr(language, "Offline"),
        tr(language, "Unregistered charge point is waiting to be registered"),
        tr(
            language,
            "{count} data issues; latest: {detail}",
            count=3,
            detail="meter went backwards",
        ),
        tr(language, "1 data issue; latest: {detail}", detail="no meter"),
    ]
    assert [warning_text("en", w) for w in _warnings()] == [w.message for w in _warnings()]


def test_the_shared_home_state_holds_every_language() -> None:
    warnings = tuple(_warnings())
    summary = HomeSummary(
        generated_at=NOW,
        counts=HomeCounts(charge_points=3, live_power_kw=1234.5),
        warnings=warnings,
        warnings_total=len(warnings),
        zones={1: "Europe/Berlin"},
    )
    home = state_in_tree(HomeState)
    apply_summary(home, summary)
    assert home.counts.live_power == "1,234.5 kW"  # English as before
    assert home.live_power_texts["en"] == "1,234.5 kW"
    assert home.live_power_texts["de"] == "1.234,5 kW"
    assert home.live_power_texts["zh_Hans"] == "1,234.5 kW"
    first = home.warnings[1]
    assert first.message == "Connector 2 faulted: GroundFailure (E42)"
    assert home.warning_texts["en"][first.key] == first.message
    for language in LANGUAGES:
        assert home.warning_texts[language][first.key] == tr(
            language,
            "Connector {connector} faulted: {error}",
            connector=2,
            error="GroundFailure (E42)",
        )
    assert set(home.warning_texts["de"]) == {w.key for w in home.warnings}


# --- Home's figures (HomeFiguresState: the tab's own) ------------------------------------------


def _figures() -> HomeFigures:
    within = buckets(PeriodKind.DAYS, NOW, "Europe/Berlin")
    day = Totals(orders=3, energy_wh=29_500, charging_us=16_200_000_000)
    day.amounts = {"EUR": (1_429, 1_700), "GBP": (84, 100)}
    values = tuple([Totals() for _ in within[:-1]] + [day])
    named = [StationPower(n, f"Station {n}", 1_234_500 - n, 1) for n in range(1, 10)]
    stations = (*named, StationPower(None, "No station", 1_000, 1))
    return HomeFigures(
        generated_at=NOW,
        time_zone="Europe/Berlin",
        currency="EUR",
        licence=LicenceDays(
            40, "active", "Valid until 2026-12-11 · 40 days left", None, date(2026, 12, 11)
        ),
        sub_operators=2,
        stations=1_204,
        charge_points=3,
        connectors=6,
        power_w=7_400,
        charging=1,
        power_by_station=stations,
        curve=(PowerPoint(NOW - timedelta(minutes=5), 7_400, 1), PowerPoint(NOW, 7_400, 1)),
        curve_since=NOW - timedelta(hours=24),
        kind=PeriodKind.DAYS,
        series=Series(within, values, day),
        today=day,
        this_month=day,
    )


def test_home_figures_in_english_are_as_before() -> None:
    state = state_in_tree(HomeFiguresState)
    state._show(_figures(), "en")
    assert state.today == {
        "sessions": "3",
        "energy": "29.5 kWh",
        "duration": "4.5 h",
        "revenue": "€17.00 + £1.00",
    }
    assert (state.today_label, state.month_label) == ("Mon 02 Nov", "November 2026")
    assert state.network["licence"] == "40 days left"
    assert state.network["licence_note"] == "Valid until 2026-12-11 · 40 days left"
    assert state.network["stations"] == "1,204"
    assert state.period_title == "Charging and revenue, last 30 days"
    assert state.range_text == "Sun 04 Oct to Mon 02 Nov (Europe/Berlin)"
    assert state.rows[-1]["label"] == "Total"
    assert state.more_sites == "and 2 more stations charging"
    assert state.curve.data[0].name == "Network power"


def test_home_figures_in_german() -> None:
    state = state_in_tree(HomeFiguresState)
    state._show(_figures(), "de")
    assert state.today == {
        "sessions": "3",
        "energy": "29,5 kWh",
        "duration": "4,5 h",
        "revenue": format_money(1_700, "EUR", "de") + " + " + format_money(100, "GBP", "de"),
    }
    assert state.today["revenue"].startswith("17,00")
    assert (state.today_label, state.month_label) == ("Mo., 2. Nov.", "November 2026")
    assert state.network["licence"] == tr("de", "{days} days left", days="40")
    assert state.network["licence_note"] == tr(
        "de", "Valid until {date} · {days} days left", date="11.12.2026", days="40"
    )
    assert state.network["stations"] == "1.204"
    assert state.period_label == tr("de", "Last {count} days", count=30)
    assert state.period_title == tr("de", "Charging and revenue, last {count} days", count=30)
    assert state.range_text == tr(
        "de",
        "{first} to {last} ({zone})",
        first="So., 4. Okt.",
        last="Mo., 2. Nov.",
        zone="Europe/Berlin",
    )
    assert state.rows[0]["label"] == "Mo., 2. Nov." and state.rows[0]["energy"] == "29,5 kWh"
    assert state.rows[-1]["label"] == tr("de", "Total")
    assert state.sites[0]["power"] == "1.234,5 kW"
    assert state.more_sites == tr("de", "and {count} more stations charging", count="2")
    assert state.currency_note == tr(
        "de",
        "The revenue chart shows {currency} only; the period also had {amounts} charged by "
        "sub-operators in other currencies (in the table).",
        currency="EUR",
        amounts=format_money(100, "GBP", "de"),
    )
    chart = state.sessions_chart
    assert chart.layout.yaxis.title.text == tr("de", "sessions")
    assert chart.layout.separators == ",."
    assert chart.data[0].x[-1] == "Mo., 2. Nov."
    assert list(chart.layout.xaxis.tickvals)[-1] == "Mo., 2. Nov."
    assert list(chart.layout.xaxis.ticktext)[-1] == "2. Nov."


def test_home_figures_in_chinese() -> None:
    state = state_in_tree(HomeFiguresState)
    figures = _figures()
    state._show(figures, "zh_Hans")
    assert (state.today_label, state.month_label) == ("11月2日周一", "2026年11月")
    assert state.network["licence_note"] == tr(
        "zh_Hans", "Valid until {date} · {days} days left", date="2026年12月11日", days="40"
    )
    assert state.rows[-1]["label"] == tr("zh_Hans", "Total")
    names = [row["name"] for row in state.sites]
    assert "Station 1" in names  # a station's name is data
    curve = state.curve.data[0]
    assert curve.name == tr("zh_Hans", "Network power")
    assert (
        curve.hovertemplate
        == tr(
            "zh_Hans",
            "{time}: {power} kW, {count} charging",
            time="%{x|%H:%M}",
            power="%{y}",
            count="%{customdata}",
        )
        + "<extra></extra>"
    )
    assert state.sessions_chart.data[0].x[-1] == "11月2日周一"
    # the row of running sessions without a station
    assert site_row(StationPower(None, "No station", 1_000, 1), "zh_Hans")["name"] == tr(
        "zh_Hans", "No station"
    )


# --- the licence card and the running sessions --------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_licence_card_in_the_language(language: str) -> None:
    assert licence_usage(language, 12, 50, "charge points") == tr(
        language, "{used} / {limit} charge points", used="12", limit="50"
    )
    assert licence_usage(language, 3, None, "connectors") == tr(
        language, "{used} connectors (no limit)", used="3"
    )
    new_year = {"de": "01.01.2026", "zh_Hans": "2026年1月1日"}[language]
    assert licence_validity(language, "ended", None, date(2026, 1, 1), 0) == tr(
        language, "Ended on {date}", date=new_year
    )
    assert licence_validity(language, "active", None, None, None) == tr(language, "No end date")


def test_running_sessions_are_written_for_the_language() -> None:
    row = {
        "id": 7,
        "identity": "CP-1",
        "connector_id": 1,
        "id_tag": "TAG",
        "start_time": NOW,
        "energy_wh": 12_345.6,
        "power_w": 7_400,
        "current_a": 32.0,
        "voltage_v": 230.2,
        "soc_percent": 80,
        "cost_minor": 123_456,
        "currency": "EUR",
        "timezone": "Europe/Berlin",
    }
    assert localized_row(row, "en") == display_row(row, datetime.now(UTC))
    german = localized_row(row, "de")
    assert (german["energy_wh"], german["power_w"], german["current_a"]) == (
        "12,35 kWh",
        "7,4 kW",
        "32,0 A",
    )
    assert german["cost_minor"] == format_money(123_456, "EUR", "de")
    assert localized_row(row, "zh_Hans")["energy_wh"] == "12.35 kWh"
