"""Asset validation: every problem of a form or CSV row at once, field by field."""

from __future__ import annotations

import pytest

from ccms_app.network.rules.asset_validation import (
    CONNECTOR_TYPES,
    OpeningRule,
    parse_opening_hours,
    validate_area,
    validate_charge_point,
    validate_connector,
    validate_connectors,
    validate_station,
)

GOOD_STATION = {
    "name": "  Depot North ",
    "address": "Hafenstraße 1, 20457 Hamburg",
    "latitude": "53.5461",
    "longitude": "9.9661",
    "timezone": "Europe/Berlin",
    "opening_hours": "Mo-Fr 07:00-20:00; Sa 09:00-14:00; Su off",
}


def test_a_good_station_is_cleaned_and_typed() -> None:
    fields, errors = validate_station(GOOD_STATION)
    assert errors == {}
    assert fields.name == "Depot North"
    assert (fields.latitude, fields.longitude) == (53.5461, 9.9661)
    assert fields.timezone == "Europe/Berlin"


def test_empty_optional_station_fields_take_their_defaults() -> None:
    fields, errors = validate_station({"name": "Yard"})
    assert errors == {}
    assert (fields.latitude, fields.longitude) == (None, None)
    assert (fields.timezone, fields.opening_hours) == ("UTC", "24/7")


def test_every_station_error_is_reported_at_once() -> None:
    _, errors = validate_station(
        {
            "name": " ",
            "address": "x" * 501,
            "latitude": "91",
            "longitude": "east",
            "timezone": "Mars/Olympus",
            "opening_hours": "Mo-Fr 7-20",
        }
    )
    assert set(errors) == {"name", "address", "latitude", "longitude", "timezone", "opening_hours"}
    assert errors["name"] == "Station name is required"
    assert "between -90 and 90" in errors["latitude"]
    assert "must be a number" in errors["longitude"]
    assert "IANA" in errors["timezone"]
    assert "'7-20' is not a time range" in errors["opening_hours"]


@pytest.mark.parametrize(
    ("latitude", "longitude", "field"),
    [("52.5", "", "longitude"), ("", "13.4", "latitude")],
)
def test_coordinates_come_in_pairs(latitude: str, longitude: str, field: str) -> None:
    _, errors = validate_station({"name": "S", "latitude": latitude, "longitude": longitude})
    assert list(errors) == [field] and "or neither" in errors[field]


def test_names_have_a_length_limit() -> None:
    _, errors = validate_station({"name": "n" * 201})
    assert "201 characters" in errors["name"]
    _, area_errors = validate_area({"name": ""})
    assert area_errors == {"name": "Area name is required"}


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Europe/Nowhere", "utc+1"])
def test_time_zones_must_be_iana_names(zone: str) -> None:
    _, errors = validate_station({"name": "S", "timezone": zone})
    assert "timezone" in errors


# --- opening hours -----------------------------------------------------------------------


def test_opening_hours_subset() -> None:
    assert parse_opening_hours("24/7") == (OpeningRule(tuple(range(7)), ((0, 1440),)),)
    rules = parse_opening_hours("Mo-We,Fr 08:00-12:00,13:00-18:00; Sa-Mo 22:00-02:00; Th off")
    assert rules[0] == OpeningRule((0, 1, 2, 4), ((480, 720), (780, 1080)))
    assert rules[1] == OpeningRule((0, 5, 6), ((1320, 120),))  # wraps the week and midnight
    assert rules[2] == OpeningRule((3,), ())
    assert parse_opening_hours("06:00-24:00") == (OpeningRule(tuple(range(7)), ((360, 1440),)),)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Mo-Fr 07:00-20:00;", "empty rule"),
        ("Mx 07:00-20:00", "'Mx' is not a day"),
        ("Mo-Fr 25:00-26:00", "not a valid time"),
        ("Mo 08:00-08:00", "opens and closes at once"),
        ("PH off", "'PH' is not a day"),
        ("Mo-Fr 07:00-20:00 Sa", "is not '<days> <times>'"),
        ("x" * 201, "at most 200"),
    ],
)
def test_unsupported_opening_hours_say_why(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_opening_hours(text)


# --- charge point ------------------------------------------------------------------------


def test_a_good_charge_point_converts_kw_to_watts() -> None:
    fields, errors = validate_charge_point(
        {
            "identity": "CP-0001",
            "vendor": "Alfen",
            "min_power_kw": "1.4",
            "max_power_kw": "22",
            "min_voltage_v": "230",
            "max_voltage_v": "400",
            "phases": "3",
            "charging_method": "ac",
        }
    )
    assert errors == {}
    assert (fields.min_power_w, fields.max_power_w) == (1400, 22000)
    assert (fields.phases, fields.charging_method) == (3, "AC")


def test_identity_rules_are_provisioning_rules() -> None:
    _, errors = validate_charge_point({"identity": "CP 1/2"})
    assert "contains ' ', '/'" in errors["identity"]
    _, errors = validate_charge_point({"identity": ""})
    assert errors["identity"] == "Identity is empty"


def test_every_charge_point_error_is_reported_at_once() -> None:
    _, errors = validate_charge_point(
        {
            "identity": "CP-1",
            "vendor": "v" * 51,
            "min_power_kw": "50",
            "max_power_kw": "1000.5",
            "min_voltage_v": "0",
            "max_voltage_v": "230.5",
            "phases": "2",
            "charging_method": "HVDC",
        }
    )
    assert set(errors) == {
        "vendor",
        "max_power_kw",
        "min_voltage_v",
        "max_voltage_v",
        "phases",
        "charging_method",
    }
    assert "at most 1,000 kW" in errors["max_power_kw"]
    assert "whole number" in errors["max_voltage_v"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"min_power_kw": "22", "max_power_kw": "11"}, "min_power_kw", "not be more than"),
        ({"max_power_kw": "0"}, "max_power_kw", "more than 0 kW"),
        ({"min_voltage_v": "400", "max_voltage_v": "230"}, "min_voltage_v", "not be more"),
        ({"charging_method": "DC", "phases": "3"}, "phases", "DC charge point has no phases"),
    ],
)
def test_ranges_and_phases(data: dict[str, str], field: str, message: str) -> None:
    _, errors = validate_charge_point({"identity": "CP-1", **data})
    assert message in errors[field]


# --- connectors --------------------------------------------------------------------------


def test_a_connector_within_the_charge_point_power() -> None:
    fields, errors = validate_connector(
        {"connector_id": "2", "connector_type": "type2", "max_power_kw": "11"}, 22000, "AC"
    )
    assert errors == {}
    assert (fields.connector_id, fields.connector_type, fields.max_power_w) == (2, "Type2", 11000)


def test_connector_errors() -> None:
    _, errors = validate_connector(
        {"connector_id": "0", "connector_type": "Mennekes", "max_power_kw": "50"}, 22000
    )
    assert "between 1 and 99" in errors["connector_id"]
    assert "not a connector type" in errors["connector_type"]
    assert "not be more than the charge point's (22 kW)" in errors["max_power_kw"]
    _, errors = validate_connector({"connector_id": "", "connector_type": "CCS2"}, None, "AC")
    assert errors["connector_id"] == "Connector id is required"
    assert "does not fit an AC charge point" in errors["connector_type"]
    assert "Tesla" in CONNECTOR_TYPES and "GB/T DC" in CONNECTOR_TYPES


def test_connector_ids_are_unique_per_charge_point() -> None:
    connectors, errors = validate_connectors(
        [
            {"connector_id": "1", "connector_type": "CCS2"},
            {"connector_id": "2", "connector_type": "CHAdeMO"},
            {"connector_id": "1", "connector_type": "Type2"},
        ],
        charging_method="DC",
    )
    assert [c.connector_id for c in connectors] == [1, 2, 1]
    assert errors == {
        "connectors.2.connector_id": "Connector id 1 is used twice (also in row 1)",
        "connectors.2.connector_type": "A Type2 connector does not fit a DC charge point",
    }
