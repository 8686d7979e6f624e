"""Validation of operation areas, stations, charge points and connectors as operators type them.

Every validator takes a mapping of strings (a form, or one CSV row) and returns the cleaned,
typed fields plus `errors`: field name -> message, every problem at once (an operator fixes
a form, or a whole CSV file, in one go). The fields are only meaningful when `errors` is
empty. Nothing here touches the database: uniqueness, scope and "does this station exist"
are the services' part.

Field names (the keys of the input mapping and of `errors`):
- area: name
- station: name, address, latitude, longitude, timezone, opening_hours
- charge point: identity, vendor, model, serial_number, firmware_version, min_power_kw,
  max_power_kw, min_voltage_v, max_voltage_v, phases, charging_method
- connector: connector_id, connector_type, max_power_kw; in a list, errors are keyed
  `connectors.<index>.<field>` (index from 0, in the order given)

Powers are typed in kW (decimals allowed, "22" or "7.4") and stored as whole watts.

Opening hours: a documented subset of the OpenStreetMap `opening_hours` syntax.
- `24/7`: always open (also what an empty value means).
- Otherwise rules separated by `;`, each `<days> <times>` or `<days> off`:
  days are `Mo Tu We Th Fr Sa Su`, ranges `Mo-Fr` and lists `Mo-We,Fr` (`Sa-Mo` wraps);
  times are `HH:MM-HH:MM` ranges, comma-separated (`08:00-12:00,13:00-18:00`), the end may
  be `24:00`, and an end before the start runs past midnight (`22:00-02:00`).
  A rule without days applies to every day: `08:00-20:00`.
  Example: `Mo-Fr 07:00-20:00; Sa 09:00-14:00; Su off`.
  Not supported (refused with a message): public holidays (PH), months, weeks, comments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from zoneinfo import available_timezones

from ccms_app.core.display import format_number
from ccms_app.core.i18n import N_, tr
from ccms_app.core.identifiers import FieldError, validate_identity

Errors = dict[str, str]

NAME_MAX = 200
ADDRESS_MAX = 500
TIMEZONE_MAX = 64
OPENING_HOURS_MAX = 200
DEVICE_TEXT_MAX = 50  # vendor, model, serial number, firmware version (OCPP CiString50)
MAX_POWER_KW = Decimal(1000)
MAX_VOLTAGE_V = 1500
CHARGING_METHODS = ("AC", "DC")
PHASES = (1, 3)
MAX_CONNECTOR_ID = 99

AC_CONNECTOR_TYPES = ("Type1", "Type2", "Type3", "Schuko", "GB/T AC")
DC_CONNECTOR_TYPES = ("CCS1", "CCS2", "CHAdeMO", "GB/T DC")
ANY_CONNECTOR_TYPES = ("NACS", "Tesla")
CONNECTOR_TYPES = (*AC_CONNECTOR_TYPES, *DC_CONNECTOR_TYPES, *ANY_CONNECTOR_TYPES)

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
ALWAYS_OPEN = "24/7"
_TIME_RANGE = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@dataclass(frozen=True)
class AreaFields:
    name: str


@dataclass(frozen=True)
class StationFields:
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    timezone: str
    opening_hours: str


@dataclass(frozen=True)
class ChargePointFields:
    identity: str
    vendor: str
    model: str
    serial_number: str
    firmware_version: str
    min_power_w: int | None
    max_power_w: int | None
    min_voltage_v: int | None
    max_voltage_v: int | None
    phases: int | None
    charging_method: str


@dataclass(frozen=True)
class ConnectorFields:
    connector_id: int
    connector_type: str
    max_power_w: int | None


@dataclass(frozen=True)
class OpeningRule:
    """Days 0 (Monday) .. 6 and their open intervals in minutes (empty: closed)."""

    days: tuple[int, ...]
    intervals: tuple[tuple[int, int], ...]


# --- small readers: each returns (value, error message or "") ---------------------------
# Messages are in the reader's language (the form's or the CSV import's operator; English for
# the API); `what` is a field's name, marked with N_ where it is given.


def _text(data: Mapping[str, str], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _length(value: str, maximum: int, what: str) -> str:
    if len(value) > maximum:
        return tr(
            "{field} is {count} characters long; at most {maximum} are allowed",
            field=tr(what),
            count=len(value),
            maximum=maximum,
        )
    return ""


def _decimal(raw: str, what: str) -> tuple[Decimal | None, str]:
    if not raw:
        return None, ""
    try:
        value = Decimal(raw.replace(",", ".") if raw.count(",") == 1 else raw)
    except InvalidOperation:
        return None, _not_a_number(what, raw)
    if not value.is_finite():
        return None, _not_a_number(what, raw)
    return value, ""


def _not_a_number(what: str, raw: str) -> str:
    return tr("{field} must be a number, got {value}", field=tr(what), value=repr(raw))


def _whole(raw: str, what: str) -> tuple[int | None, str]:
    value, error = _decimal(raw, what)
    if error or value is None:
        return None, error
    if value != value.to_integral_value():
        return None, tr(
            "{field} must be a whole number, got {value}", field=tr(what), value=repr(raw)
        )
    return int(value), ""


def _power_w(raw: str, what: str) -> tuple[int | None, str]:
    """kW as typed -> whole watts; must be > 0 and at most 1,000 kW."""
    kw, error = _decimal(raw, what)
    if error or kw is None:
        return None, error
    if kw <= 0:
        return None, tr("{field} must be more than 0 kW", field=tr(what))
    if kw > MAX_POWER_KW:
        maximum = format_number(float(MAX_POWER_KW), "kW", 0)
        return None, tr("{field} must be at most {maximum}", field=tr(what), maximum=maximum)
    return int((kw * 1000).to_integral_value()), ""


def _put(errors: Errors, key: str, message: str) -> None:
    if message and key not in errors:
        errors[key] = message


# --- area and station --------------------------------------------------------------------


def _name(data: Mapping[str, str], errors: Errors, what: str) -> str:
    """`what`: "Area name" or "Station name"."""
    name = _text(data, "name")
    _put(errors, "name", tr("{field} is required", field=tr(what)) if not name else "")
    _put(errors, "name", _length(name, NAME_MAX, what))
    return name


def validate_area(data: Mapping[str, str]) -> tuple[AreaFields, Errors]:
    errors: Errors = {}
    name = _name(data, errors, N_("Area name"))
    return AreaFields(name=name), errors


def validate_station(data: Mapping[str, str]) -> tuple[StationFields, Errors]:
    errors: Errors = {}
    name = _name(data, errors, N_("Station name"))
    address = _text(data, "address")
    _put(errors, "address", _length(address, ADDRESS_MAX, N_("Address")))
    latitude, longitude = _coordinates(data, errors)
    timezone = _text(data, "timezone") or "UTC"
    _put(errors, "timezone", timezone_error(timezone))
    opening_hours = _text(data, "opening_hours") or ALWAYS_OPEN
    _put(errors, "opening_hours", opening_hours_error(opening_hours))
    fields = StationFields(name, address, latitude, longitude, timezone, opening_hours)
    return fields, errors


def _coordinates(data: Mapping[str, str], errors: Errors) -> tuple[float | None, float | None]:
    """Both or neither; latitude -90..90, longitude -180..180."""
    values: dict[str, float | None] = {}
    for key, what, limit in (
        ("latitude", N_("Latitude"), 90),
        ("longitude", N_("Longitude"), 180),
    ):
        number, error = _decimal(_text(data, key), what)
        if not error and number is not None and not -limit <= number <= limit:
            error = tr("{field} must be between -{limit} and {limit}", field=tr(what), limit=limit)
        _put(errors, key, error)
        values[key] = None if error or number is None else float(number)
    latitude, longitude = values["latitude"], values["longitude"]
    if "latitude" not in errors and "longitude" not in errors:
        if latitude is None and longitude is not None:
            _put(errors, "latitude", tr("Give the latitude too (or neither coordinate)"))
        if longitude is None and latitude is not None:
            _put(errors, "longitude", tr("Give the longitude too (or neither coordinate)"))
    return latitude, longitude


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_ZONES


def timezone_error(name: str) -> str:
    """ "" for an IANA time zone name such as Europe/Berlin, else why not."""
    if len(name) > TIMEZONE_MAX:
        return _length(name, TIMEZONE_MAX, N_("Time zone"))
    if name not in _zones():
        return tr(
            "{name} is not a time zone name; use an IANA name such as Europe/Berlin or UTC",
            name=repr(name),
        )
    return ""


# --- opening hours -----------------------------------------------------------------------


def parse_opening_hours(text: str) -> tuple[OpeningRule, ...]:
    """The rules of an opening hours value (see the module doc); ValueError says what's wrong."""
    text = text.strip()
    if len(text) > OPENING_HOURS_MAX:
        raise ValueError(_length(text, OPENING_HOURS_MAX, N_("Opening hours")))
    if text in ("", ALWAYS_OPEN):
        return (OpeningRule(tuple(range(7)), ((0, 24 * 60),)),)
    rules = [part.strip() for part in text.split(";")]
    if any(not rule for rule in rules):
        raise ValueError(
            tr("Opening hours contain an empty rule (two ';' in a row or a trailing ';')")
        )
    return tuple(_rule(rule) for rule in rules)


def opening_hours_error(text: str) -> str:
    try:
        parse_opening_hours(text)
    except ValueError as exc:
        return str(exc)
    return ""


def _rule(rule: str) -> OpeningRule:
    parts = rule.split()
    if len(parts) == 1 and parts[0][:1].isdigit():
        return OpeningRule(tuple(range(7)), _times(parts[0], rule))
    if len(parts) != 2:
        raise ValueError(
            tr(
                "Opening hours rule {rule} is not '<days> <times>' "
                "(e.g. 'Mo-Fr 07:00-20:00' or 'Su off')",
                rule=repr(rule),
            )
        )
    days = _days(parts[0], rule)
    if parts[1].lower() in ("off", "closed"):
        return OpeningRule(days, ())
    return OpeningRule(days, _times(parts[1], rule))


def _day(name: str, rule: str) -> int:
    if name not in DAYS:
        raise ValueError(
            tr(
                "Opening hours rule {rule}: {day} is not a day; use Mo Tu We Th Fr Sa Su",
                rule=repr(rule),
                day=repr(name),
            )
        )
    return DAYS.index(name)


def _days(text: str, rule: str) -> tuple[int, ...]:
    days: list[int] = []
    for item in text.split(","):
        first, _, last = item.partition("-")
        start = _day(first, rule)
        end = _day(last, rule) if last else start
        span = (end - start) % 7
        days += [(start + i) % 7 for i in range(span + 1)]
    return tuple(sorted(set(days)))


def _times(text: str, rule: str) -> tuple[tuple[int, int], ...]:
    intervals = []
    for item in text.split(","):
        match = _TIME_RANGE.match(item)
        if match is None:
            raise ValueError(
                tr(
                    "Opening hours rule {rule}: {times} is not a time range like 08:00-18:00",
                    rule=repr(rule),
                    times=repr(item),
                )
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise ValueError(
                tr(
                    "Opening hours rule {rule}: {times} is not a valid time",
                    rule=repr(rule),
                    times=repr(item),
                )
            )
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if start == end:
            raise ValueError(
                tr(
                    "Opening hours rule {rule}: {times} opens and closes at once",
                    rule=repr(rule),
                    times=repr(item),
                )
            )
        intervals.append((start, end))
    return tuple(intervals)


# --- charge point and connectors ---------------------------------------------------------


def validate_charge_point(data: Mapping[str, str]) -> tuple[ChargePointFields, Errors]:
    errors: Errors = {}
    identity = _text(data, "identity")
    try:
        validate_identity(identity)
    except FieldError as exc:
        _put(errors, "identity", _sentence(str(exc)))
    texts = {}
    for key, what in (
        ("vendor", N_("Vendor")),
        ("model", N_("Model")),
        ("serial_number", N_("Serial number")),
        ("firmware_version", N_("Firmware version")),
    ):
        texts[key] = _text(data, key)
        _put(errors, key, _length(texts[key], DEVICE_TEXT_MAX, what))
    method = _text(data, "charging_method").upper() or "AC"
    if method not in CHARGING_METHODS:
        _put(
            errors,
            "charging_method",
            tr("Charging method must be AC or DC, got {value}", value=repr(method)),
        )
    min_w, max_w = _power_range(data, errors)
    min_v, max_v = _voltage_range(data, errors)
    phases = _phases(data, method, errors)
    fields = ChargePointFields(
        identity=identity,
        min_power_w=min_w,
        max_power_w=max_w,
        min_voltage_v=min_v,
        max_voltage_v=max_v,
        phases=phases,
        charging_method=method,
        **texts,
    )
    return fields, errors


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _power_range(data: Mapping[str, str], errors: Errors) -> tuple[int | None, int | None]:
    min_w, error = _power_w(_text(data, "min_power_kw"), N_("Minimum power"))
    _put(errors, "min_power_kw", error)
    max_w, error = _power_w(_text(data, "max_power_kw"), N_("Maximum power"))
    _put(errors, "max_power_kw", error)
    if min_w is not None and max_w is not None and min_w > max_w:
        _put(errors, "min_power_kw", tr("Minimum power must not be more than the maximum power"))
    return min_w, max_w


def _voltage_range(data: Mapping[str, str], errors: Errors) -> tuple[int | None, int | None]:
    values: list[int | None] = []
    for key, what in (
        ("min_voltage_v", N_("Minimum voltage")),
        ("max_voltage_v", N_("Maximum voltage")),
    ):
        volts, error = _whole(_text(data, key), what)
        if not error and volts is not None and not 0 < volts <= MAX_VOLTAGE_V:
            maximum = format_number(MAX_VOLTAGE_V, "V", 0)
            error = tr("{field} must be between 1 and {maximum}", field=tr(what), maximum=maximum)
        _put(errors, key, error)
        values.append(None if error else volts)
    min_v, max_v = values
    if min_v is not None and max_v is not None and min_v > max_v:
        _put(
            errors,
            "min_voltage_v",
            tr("Minimum voltage must not be more than the maximum voltage"),
        )
    return min_v, max_v


def _phases(data: Mapping[str, str], method: str, errors: Errors) -> int | None:
    raw = _text(data, "phases")
    if not raw:
        return None
    if method == "DC":
        _put(errors, "phases", tr("A DC charge point has no phases; leave it empty"))
        return None
    phases, error = _whole(raw, N_("Phases"))
    if not error and phases not in PHASES:
        error = tr("Phases must be 1 or 3 for AC, got {value}", value=repr(raw))
    _put(errors, "phases", error)
    return None if error else phases


def validate_connector(
    data: Mapping[str, str],
    charge_point_max_power_w: int | None = None,
    charging_method: str = "",
) -> tuple[ConnectorFields, Errors]:
    """One connector; its max power may not exceed the charge point's, its type must suit
    the charging method (AC or DC) when one is given."""
    errors: Errors = {}
    connector_id, error = _whole(_text(data, "connector_id"), N_("Connector id"))
    if not error and connector_id is None:
        error = tr("Connector id is required")
    if not error and connector_id is not None and not 1 <= connector_id <= MAX_CONNECTOR_ID:
        error = tr("Connector id must be between 1 and {maximum}", maximum=MAX_CONNECTOR_ID)
    _put(errors, "connector_id", error)
    connector_type = _connector_type(_text(data, "connector_type"), charging_method, errors)
    max_w, error = _power_w(_text(data, "max_power_kw"), N_("Connector maximum power"))
    if not error and max_w and charge_point_max_power_w and max_w > charge_point_max_power_w:
        power = format(charge_point_max_power_w / 1000, "g")
        error = tr(
            "Connector maximum power must not be more than the charge point's ({power} kW)",
            power=power,
        )
    _put(errors, "max_power_kw", error)
    fields = ConnectorFields(
        connector_id=connector_id or 0, connector_type=connector_type, max_power_w=max_w
    )
    return fields, errors


def _connector_type(raw: str, charging_method: str, errors: Errors) -> str:
    if not raw:
        return ""
    known = {t.lower(): t for t in CONNECTOR_TYPES}
    connector_type = known.get(raw.lower())
    if connector_type is None:
        _put(
            errors,
            "connector_type",
            tr(
                "{value} is not a connector type; use one of {types}",
                value=repr(raw),
                types=", ".join(CONNECTOR_TYPES),
            ),
        )
        return raw
    wrong: tuple[str, ...] = DC_CONNECTOR_TYPES if charging_method == "AC" else ()
    wrong = AC_CONNECTOR_TYPES if charging_method == "DC" else wrong
    if connector_type in wrong:
        _put(
            errors,
            "connector_type",
            tr(
                "A {connector_type} connector does not fit an AC charge point",
                connector_type=connector_type,
            )
            if charging_method == "AC"
            else tr(
                "A {connector_type} connector does not fit a DC charge point",
                connector_type=connector_type,
            ),
        )
    return connector_type


def validate_connectors(
    rows: Sequence[Mapping[str, str]],
    charge_point_max_power_w: int | None = None,
    charging_method: str = "",
) -> tuple[list[ConnectorFields], Errors]:
    """A charge point's connector list: each valid, connector ids unique."""
    errors: Errors = {}
    connectors: list[ConnectorFields] = []
    seen: dict[int, int] = {}
    for index, row in enumerate(rows):
        fields, row_errors = validate_connector(row, charge_point_max_power_w, charging_method)
        for key, message in row_errors.items():
            errors[f"connectors.{index}.{key}"] = message
        if "connector_id" not in row_errors:
            if fields.connector_id in seen:
                errors[f"connectors.{index}.connector_id"] = tr(
                    "Connector id {connector_id} is used twice (also in row {v1})",
                    connector_id=fields.connector_id,
                    v1=seen[fields.connector_id] + 1,
                )
            seen.setdefault(fields.connector_id, index)
        connectors.append(fields)
    return connectors, errors
