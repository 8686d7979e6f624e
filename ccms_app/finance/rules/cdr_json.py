"""OCPI CDR JSON <-> the engine: a session to quote from CDR-like JSON, and a priced
session written as an OCPI 2.2.1 CDR cost fragment.

`timeline_from_cdr` reads {"start_date_time", "end_date_time"?, "charging_periods": [
{"start_date_time", "dimensions": [{"type", "volume"}]}], "reservation_expired"? (CCMS)}:
- a period lasts until the next period's start (the last one until end_date_time);
- TIME is its charging hours and PARKING_TIME its parking hours; with both, charging comes
  first and parking fills the rest of the period; with neither, it is charging when it has
  ENERGY, else parking; RESERVATION_TIME makes it a reservation period;
- without end_date_time, the session ends at the last period's start + its TIME +
  PARKING_TIME + RESERVATION_TIME;
- MAX/MIN_POWER (kW) and MAX/MIN_CURRENT (A) are the period's reported values.
Other OCPI CDR fields are accepted and ignored; unknown fields are refused.

`cost_to_cdr` writes the CDR totals (Price objects in major units as Decimal; incl_vat left
out when no component of the session named a VAT rate: OCPI "cannot be calculated"),
total_energy (kWh), total_time (hours, charging + parking), total_parking_time (hours) and
the charging_periods.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from ccms_app.core.money import exponent
from ccms_app.finance.rules.tariff_json_values import (
    Errors,
    FieldError,
    TariffError,
    check_keys,
    iso_utc,
    join,
    read_datetime,
    read_decimal,
)
from ccms_app.finance.rules.tariff_types import (
    DimensionCost,
    PeriodKind,
    SessionCost,
    SessionTimeline,
    TimelinePeriod,
)

__all__ = ["TariffError", "cost_to_cdr", "timeline_from_cdr"]

CDR_DIMENSIONS = frozenset(
    [
        "ENERGY",
        "MAX_CURRENT",
        "MIN_CURRENT",
        "MAX_POWER",
        "MIN_POWER",
        "PARKING_TIME",
        "RESERVATION_TIME",
        "TIME",
    ]
)
_IGNORED = frozenset(
    [
        "id",
        "country_code",
        "party_id",
        "session_id",
        "cdr_token",
        "auth_method",
        "authorization_reference",
        "cdr_location",
        "meter_id",
        "currency",
        "tariffs",
        "signed_data",
        "total_cost",
        "total_fixed_cost",
        "total_energy",
        "total_energy_cost",
        "total_time",
        "total_time_cost",
        "total_parking_time",
        "total_parking_cost",
        "total_reservation_cost",
        "remark",
        "invoice_reference_id",
        "credit",
        "credit_reference_id",
        "home_charging_compensation",
        "last_updated",
    ]
)
_TOP = frozenset({"start_date_time", "end_date_time", "charging_periods", "reservation_expired"})
_PERIOD = frozenset({"start_date_time", "dimensions", "tariff_id"})
_HOUR_US = Decimal(3_600_000_000)
_SLACK = timedelta(seconds=1)  # hours written with few decimals do not add up exactly


def timeline_from_cdr(data: dict[str, Any]) -> SessionTimeline:
    """The session a CDR fragment describes; TariffError names every wrong field."""
    errors = Errors()
    if not isinstance(data, dict):
        raise TariffError({"cdr": "must be a JSON object"})
    check_keys(errors, "", data, _TOP | _IGNORED)
    start = _moment(errors, "start_date_time", data.get("start_date_time"), required=True)
    end = _moment(errors, "end_date_time", data.get("end_date_time"), required=False)
    expired = data.get("reservation_expired", False)
    if not isinstance(expired, bool):
        errors.add("reservation_expired", "must be true or false")
    raw_periods = data.get("charging_periods")
    if not isinstance(raw_periods, list) or not raw_periods:
        errors.add("charging_periods", "needs at least one charging period")
        raise TariffError(errors.found)
    parsed = [_period(errors, join("charging_periods", n), p) for n, p in enumerate(raw_periods)]
    errors.raise_if_any()
    readings = [p for p in parsed if p is not None]
    _check_order(errors, start, end, readings)
    errors.raise_if_any()
    last_end = end or _natural_end(readings[-1])
    periods: list[TimelinePeriod] = []
    for number, reading in enumerate(readings):
        until = readings[number + 1][0] if number + 1 < len(readings) else last_end
        periods.extend(_timeline_periods(errors, join("charging_periods", number), reading, until))
    errors.raise_if_any()
    return SessionTimeline(periods=tuple(periods), end=last_end, reservation_expired=bool(expired))


Reading = tuple[datetime, dict[str, Decimal]]


def _moment(errors: Errors, path: str, value: Any, *, required: bool) -> datetime | None:
    if value is None:
        if required:
            errors.add(path, "is required")
        return None
    try:
        return read_datetime(value)
    except FieldError as exc:
        errors.add(path, str(exc))
        return None


def _period(errors: Errors, path: str, raw: Any) -> Reading | None:
    if not isinstance(raw, dict):
        errors.add(path, "must be an object with start_date_time and dimensions")
        return None
    check_keys(errors, path, raw, _PERIOD)
    start = _moment(
        errors, join(path, "start_date_time"), raw.get("start_date_time"), required=True
    )
    dims = raw.get("dimensions")
    if not isinstance(dims, list) or not dims:
        errors.add(join(path, "dimensions"), "needs at least one dimension")
        return None
    volumes: dict[str, Decimal] = {}
    for number, dim in enumerate(dims):
        here = join(join(path, "dimensions"), number)
        if not isinstance(dim, dict) or set(dim) != {"type", "volume"}:
            errors.add(here, "must be an object with exactly type and volume")
            continue
        kind = dim["type"]
        if kind not in CDR_DIMENSIONS:
            errors.add(join(here, "type"), "must be one of: " + ", ".join(sorted(CDR_DIMENSIONS)))
            continue
        if kind in volumes:
            errors.add(join(here, "type"), f"{kind} is given twice in this period")
            continue
        try:
            volumes[kind] = read_decimal(dim["volume"], maximum=Decimal(10**7))
        except FieldError as exc:
            errors.add(join(here, "volume"), str(exc))
    if "RESERVATION_TIME" in volumes and ("TIME" in volumes or "PARKING_TIME" in volumes):
        errors.add(join(path, "dimensions"), "a reservation period has no TIME or PARKING_TIME")
    return (start, volumes) if start is not None else None


def _check_order(
    errors: Errors, start: datetime | None, end: datetime | None, readings: list[Reading]
) -> None:
    for number, (moment, volumes) in enumerate(readings):
        path = join(join("charging_periods", number), "start_date_time")
        if number and moment <= readings[number - 1][0]:
            errors.add(path, "must be after the previous period")
        reserved = "RESERVATION_TIME" in volumes
        if start is not None and not reserved and moment < start:
            errors.add(path, "must not be before the session's start_date_time")
    if end is not None and readings and end < readings[-1][0]:
        errors.add("end_date_time", "must not be before the last charging period starts")


def _duration(hours: Decimal) -> timedelta:
    return timedelta(microseconds=int((hours * _HOUR_US).quantize(1, rounding=ROUND_HALF_EVEN)))


def _natural_end(reading: Reading) -> datetime:
    start, volumes = reading
    hours = sum(
        (volumes.get(k, Decimal(0)) for k in ("TIME", "PARKING_TIME", "RESERVATION_TIME")),
        Decimal(0),
    )
    return start + _duration(hours)


def _timeline_periods(
    errors: Errors, path: str, reading: Reading, until: datetime
) -> list[TimelinePeriod]:
    start, volumes = reading
    reported = {
        "max_power_kw": volumes.get("MAX_POWER"),
        "min_power_kw": volumes.get("MIN_POWER"),
        "max_current_a": volumes.get("MAX_CURRENT"),
        "min_current_a": volumes.get("MIN_CURRENT"),
    }
    energy = volumes.get("ENERGY", Decimal(0))
    if "RESERVATION_TIME" in volumes:
        return [TimelinePeriod(start, PeriodKind.RESERVATION, Decimal(0), **reported)]
    charging = volumes.get("TIME")
    parking = volumes.get("PARKING_TIME")
    span = until - start
    used = _duration((charging or Decimal(0)) + (parking or Decimal(0)))
    if used > span + _SLACK:
        errors.add(
            join(path, "dimensions"),
            "TIME and PARKING_TIME add up to more than the time until the next period",
        )
        return []
    if charging is not None and parking is not None and _duration(charging) < span:
        switch = start + _duration(charging)
        return [
            TimelinePeriod(start, PeriodKind.CHARGING, energy, **reported),
            TimelinePeriod(switch, PeriodKind.PARKING),
        ]
    if charging is None and (parking is not None or not energy):
        return [TimelinePeriod(start, PeriodKind.PARKING, energy, **reported)]
    return [TimelinePeriod(start, PeriodKind.CHARGING, energy, **reported)]


def _major(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency))


def _price(cost: DimensionCost, currency: str, with_vat: bool) -> dict[str, Decimal]:
    price = {"excl_vat": _major(cost.excl_vat_minor, currency)}
    if with_vat:
        price["incl_vat"] = _major(cost.incl_vat_minor, currency)
    return price


def cost_to_cdr(cost: SessionCost) -> dict[str, Any]:
    """The OCPI 2.2.1 CDR cost fields of a priced session (see the module docstring)."""
    currency = cost.currency
    with_vat = any(rate is not None for rate, _ in cost.vat_by_rate)
    return {
        "currency": currency,
        "total_cost": _price(cost.total, currency, with_vat),
        "total_energy_cost": _price(cost.energy, currency, with_vat),
        "total_time_cost": _price(cost.time, currency, with_vat),
        "total_parking_cost": _price(cost.parking, currency, with_vat),
        "total_fixed_cost": _price(cost.fixed, currency, with_vat),
        "total_energy": cost.total_energy_kwh,
        "total_time": cost.total_time_hours,
        "total_parking_time": cost.total_parking_hours,
        "charging_periods": [
            {
                "start_date_time": iso_utc(period.start),
                "dimensions": [
                    {"type": kind, "volume": volume} for kind, volume in period.dimensions
                ],
            }
            for period in cost.charging_periods
        ],
    }
