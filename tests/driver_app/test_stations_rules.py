"""The pure rules of finding a charger: the price summary (what the engine would charge, in
words), opening hours now, distances, search and filters."""

from __future__ import annotations

from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from ccms_app.core.i18n import reading_as
from ccms_app.driver_app.rules.station_prices import (
    PricePart,
    PriceSummary,
    money_text,
    per_minute,
    price_now,
    price_text,
)
from ccms_app.driver_app.rules.stations import (
    ConnectorOffer,
    StationFilter,
    StationOffer,
    by_distance,
    distance_m,
    distance_text,
    filter_stations,
    fit_map,
    folded,
    opening,
    opening_text,
    power_text,
    valid_position,
)
from ccms_app.finance.rules.tariff_json import parse_tariff
from ccms_app.finance.rules.tariff_types import Dimension

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday


def _tariff(*elements: dict[str, Any], **fields: Any) -> Any:
    return parse_tariff({"currency": "EUR", "elements": list(elements), **fields})


def _component(kind: str, price: str, vat: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"type": kind, "price": Decimal(price), "step_size": 1}
    if vat is not None:
        found["vat"] = Decimal(vat)
    return found


def _words(tariff: Any, at: datetime = MONDAY_NOON) -> str:
    return price_text(price_now(tariff, at))


def test_energy_time_idle_and_session_prices_in_words() -> None:
    tariff = _tariff(
        {"price_components": [_component("ENERGY", "0.30", "19")]},
        {"price_components": [_component("FLAT", "1.00")]},
        {"price_components": [_component("TIME", "3.00")], "restrictions": {"min_duration": 7200}},
        {"price_components": [_component("PARKING_TIME", "12.00")]},
        idle_grace_minutes=15,
    )
    assert _words(tariff) == (
        "€0.357/kWh · €0.05/min after 120 min · idle €0.20/min after 15 min · €1.00/session"
    )


def test_an_energy_price_and_a_service_fee_in_one_element_add_up() -> None:
    tariff = _tariff(
        {"price_components": [_component("ENERGY", "0.30"), _component("ENERGY", "0.05")]}
    )
    assert _words(tariff) == "€0.35/kWh"


def test_clock_windows_and_weekdays_follow_the_local_time() -> None:
    peak = {
        "price_components": [_component("ENERGY", "0.50")],
        "restrictions": {"start_time": "10:00", "end_time": "14:00"},
    }
    weekend = {
        "price_components": [_component("ENERGY", "0.20")],
        "restrictions": {"day_of_week": ["SATURDAY", "SUNDAY"]},
    }
    normal = {"price_components": [_component("ENERGY", "0.40")]}
    tariff = _tariff(peak, weekend, normal)
    assert _words(tariff, MONDAY_NOON) == "€0.50/kWh until 14:00 · €0.40/kWh"
    assert _words(tariff, MONDAY_NOON.replace(hour=18)) == "€0.40/kWh"
    assert _words(tariff, datetime(2026, 3, 7, 18, tzinfo=UTC)) == "€0.20/kWh"


def test_energy_steps_are_listed_until_one_covers_the_rest() -> None:
    tariff = _tariff(
        {"price_components": [_component("ENERGY", "0.25")], "restrictions": {"max_kwh": 20}},
        {"price_components": [_component("ENERGY", "0.45")]},
        {"price_components": [_component("ENERGY", "0.99")]},  # never reached
        {"price_components": [_component("FLAT", "2.00")], "restrictions": {"min_kwh": 5}},
    )
    # The FLAT element does not hold at the session's start: the engine never charges it.
    assert _words(tariff) == "€0.25/kWh up to 20 kWh · €0.45/kWh"


def test_per_hour_when_a_minute_would_need_rounding() -> None:
    assert per_minute(Decimal("6.00")) == Decimal("0.1000")
    assert per_minute(Decimal("5.00")) is None
    tariff = _tariff({"price_components": [_component("TIME", "5.00")]})
    assert _words(tariff) == "€5.00/h"


def test_minimum_and_maximum_and_nothing_to_pay_now() -> None:
    tariff = _tariff(
        {
            "price_components": [_component("ENERGY", "0.40")],
            "restrictions": {"start_time": "18:00", "end_time": "22:00"},
        },
        min_price={"excl_vat": Decimal("1.00"), "incl_vat": Decimal("1.19")},
        max_price={"excl_vat": Decimal("30.00")},
    )
    assert _words(tariff) == (
        "No charge at this time · minimum €1.19 per session · maximum €30.00 per session"
    )
    assert price_text(None) == "Price not set"


def test_money_keeps_a_unit_prices_decimals_and_the_readers_language() -> None:
    assert money_text(Decimal("0.3570"), "EUR") == "€0.357"
    assert money_text(Decimal("0.389963"), "EUR") == "€0.39"
    assert money_text(Decimal("2"), "JPY") == "¥2"
    with reading_as("de"):
        assert money_text(Decimal("0.357"), "EUR") == "0,357\xa0€"
        summary = PriceSummary("EUR", (PricePart(Dimension.ENERGY, Decimal("0.39")),), None, None)
        assert price_text(summary).startswith("0,39\xa0€")


def test_opening_hours_now_in_the_stations_zone() -> None:
    hours = "Mo-Fr 07:00-20:00; Sa 09:00-14:00"
    zone = "Europe/Berlin"
    at_noon = opening(hours, zone, MONDAY_NOON)  # 13:00 in Berlin
    assert at_noon.open is True
    assert opening_text(at_noon, zone, MONDAY_NOON) == "Open until 20:00"
    early = datetime(2026, 3, 2, 5, tzinfo=UTC)  # 06:00 in Berlin
    assert opening_text(opening(hours, zone, early), zone, early) == "Closed · opens at 07:00"
    saturday_night = datetime(2026, 3, 7, 20, tzinfo=UTC)
    assert opening_text(opening(hours, zone, saturday_night), zone, saturday_night) == (
        "Closed · opens Mon 07:00"
    )
    always = opening("24/7", zone, MONDAY_NOON)
    assert always.always and opening_text(always, zone, MONDAY_NOON) == "Open 24/7"
    unreadable = opening("PH off", zone, MONDAY_NOON)
    assert unreadable.open is None and opening_text(unreadable, zone, MONDAY_NOON) == ""


def _offer(name: str, address: str, *connectors: ConnectorOffer, **fields: Any) -> StationOffer:
    values: dict[str, Any] = {
        "latitude": None,
        "longitude": None,
        "timezone": "UTC",
        "opening_hours": "24/7",
    } | fields
    return StationOffer(len(name), name, address, connectors=connectors, **values)


def _connector(kind: str, watts: int | None, availability: str) -> ConnectorOffer:
    return ConnectorOffer(1, 1, "CP", 1, kind, watts, "Available", availability, None)


def test_search_and_filters() -> None:
    fast = _offer("Autohof Nord", "A7, Hamburg", _connector("CCS2", 150_000, "busy"))
    slow = _offer(
        "Marktplatz", "Marktplatz 1, Düsseldorf", _connector("Type2", 11_000, "free"),
        favourite=True,
    )  # fmt: skip
    unknown = _offer("Hof", "Hofweg, Köln", _connector("Type2", None, "free"))
    both = [fast, slow, unknown]
    assert filter_stations(both, StationFilter(text="dusseldorf")) == [slow]
    assert filter_stations(both, StationFilter(text="hof KÖLN")) == [unknown]
    assert filter_stations(both, StationFilter(min_power_kw=50)) == [fast]
    assert filter_stations(both, StationFilter(min_power_kw=11)) == [fast, slow]
    assert filter_stations(both, StationFilter(available_now=True)) == [slow, unknown]
    assert filter_stations(both, StationFilter(connector_type="CCS2", available_now=True)) == []
    assert filter_stations(both, StationFilter(favourites_only=True)) == [slow]
    assert folded("Straße Köln") == "strasse koln"


def test_distance_and_sorting() -> None:
    here = (53.55, 10.0)
    near = _offer("Near", "", latitude=53.551, longitude=10.0)
    far = _offer("Far", "", latitude=48.14, longitude=11.58)
    nowhere = _offer("Nowhere", "")
    ordered = by_distance([nowhere, far, near], here)
    assert [s.name for s, _ in ordered] == ["Near", "Far", "Nowhere"]
    assert distance_text(ordered[0][1]) == "110 m"
    assert distance_text(ordered[1][1]) == "612 km"
    assert ordered[2][1] is None and distance_text(None) == ""
    assert [s.name for s, d in by_distance([far, near], None)] == ["Far", "Near"]
    assert round(distance_m((0.0, 0.0), (0.0, 1.0))) == 111_195
    assert distance_text(1234.0) == "1.2 km"
    with reading_as("de"):
        assert distance_text(1234.0) == "1,2 km"
    assert valid_position("53.5", "10") == (53.5, 10.0)
    assert valid_position(91, 0) is None and valid_position("nan", 0) is None
    assert valid_position("x", 0) is None


def test_power_in_kw() -> None:
    assert power_text(22_000) == "22 kW"
    assert power_text(7_400) == "7.4 kW"
    assert power_text(None) == "" and power_text(0) == ""
    with reading_as("de"):
        assert power_text(7_400) == "7,4 kW"


def test_a_window_ending_at_midnight_says_until() -> None:
    tariff = _tariff(
        {
            "price_components": [_component("ENERGY", "0.10")],
            "restrictions": {"start_time": "22:00", "end_time": "06:00"},
        },
        {"price_components": [_component("ENERGY", "0.30")]},
    )
    late = datetime(2026, 3, 2, 23, tzinfo=UTC)
    summary = price_now(tariff, late)
    assert summary.parts[0].conditions == (("until", time(6, 0)),)
    assert price_text(summary) == "€0.10/kWh until 06:00 · €0.30/kWh"


def test_the_map_frames_the_stations() -> None:
    assert fit_map([]) == ({"lat": 50.0, "lon": 10.0}, 3.0)
    centre, zoom = fit_map([(53.54, 9.97)])
    assert centre == {"lat": 53.54, "lon": 9.97} and zoom == 13.5
    centre, zoom = fit_map([(53.54, 9.97), (51.46, 7.01)])  # Hamburg and Essen
    assert centre == {"lat": 52.5, "lon": 8.49} and zoom == 5.0
    assert fit_map([(53.54, 9.97), (53.56, 10.01)])[1] > fit_map([(53.5, 9.9), (48.1, 11.6)])[1]
