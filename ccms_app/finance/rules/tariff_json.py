"""OCPI 2.2.1 Tariff JSON <-> `Tariff`, with the CCMS fields.

`parse_tariff` reads an OCPI Tariff object (currency, elements[].price_components[],
elements[].restrictions, min_price / max_price) plus the CCMS fields: top-level
"idle_grace_minutes", "idle_fee_cap", "rounding" ("half_up" | "half_even" | "down" | "up")
and per element "fee". It reports every wrong field at once in `TariffError.errors`, keyed
by path. Documented OCPI Tariff fields CCMS does not use (id, country_code, party_id,
tariff_alt_text, tariff_alt_url, type, energy_mix, start_date_time, end_date_time,
last_updated) are accepted and ignored; OCPI 2.3's tax_included is accepted only as "NO"
(CCMS prices are excl. VAT, as in 2.2.1). Anything else is refused.

Limits chosen for operators: prices and money amounts at most 4 decimals; VAT 0..100 with
at most 2 decimals; kWh, kW, A at most 3 decimals; step_size a whole number >= 1 (FLAT: >= 0,
OCPI's free-of-charge example writes 0; FLAT has no unit to step).

`tariff_to_json` writes the same shape back with Decimal values; `dumps_tariff` writes JSON
text with exact numbers, so parse_tariff(json.loads(dumps_tariff(t), parse_float=Decimal),
time_zone=t.time_zone) == t.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, TypeVar

from ccms_app.core.i18n import tr
from ccms_app.core.money import MoneyError, normalise_currency
from ccms_app.finance.rules.tariff_json_values import (
    Errors,
    FieldError,
    TariffError,
    check_keys,
    dumps_exact,
    format_time,
    join,
    read_date,
    read_decimal,
    read_int,
    read_object,
    read_time,
)
from ccms_app.finance.rules.tariff_types import (
    DayOfWeek,
    Dimension,
    Price,
    PriceComponent,
    ReservationRestriction,
    Restrictions,
    Tariff,
    TariffElement,
)
from ccms_app.network.rules.asset_validation import timezone_error

__all__ = ["TariffError", "dumps_tariff", "parse_tariff", "tariff_to_json"]

ROUNDINGS = {
    "half_up": ROUND_HALF_UP,
    "half_even": ROUND_HALF_EVEN,
    "down": ROUND_DOWN,
    "up": ROUND_UP,
}
_ROUNDING_NAMES = {value: key for key, value in ROUNDINGS.items()}
_IGNORED = frozenset(
    [
        "id",
        "country_code",
        "party_id",
        "tariff_alt_text",
        "tariff_alt_url",
        "type",
        "energy_mix",
        "start_date_time",
        "end_date_time",
        "last_updated",
        "tax_included",
    ]
)
_TOP = frozenset(
    [
        "currency",
        "elements",
        "min_price",
        "max_price",
        "idle_grace_minutes",
        "idle_fee_cap",
        "rounding",
    ]
)
_ELEMENT = frozenset({"price_components", "restrictions", "fee"})
_COMPONENT = frozenset({"type", "price", "vat", "step_size"})
_RESTRICTION_KEYS = frozenset(
    [
        "start_time",
        "end_time",
        "start_date",
        "end_date",
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
        "day_of_week",
        "reservation",
    ]
)
_PRICE_KEYS = frozenset({"excl_vat", "incl_vat"})
_WEEK = tuple(DayOfWeek)
MAX_PRICE = Decimal(1_000_000)
T = TypeVar("T")


def _field(errors: Errors, path: str, read: Callable[[], T]) -> T | None:
    """Run one reader; on FieldError record it under `path` and return None."""
    try:
        return read()
    except FieldError as exc:
        errors.add(path, str(exc))
        return None


def _money(value: Any) -> Decimal:
    return read_decimal(value, maximum=MAX_PRICE, decimals=4)


def _quantity(value: Any) -> Decimal:
    return read_decimal(value, maximum=Decimal(10**7), decimals=3)


def parse_tariff(data: dict[str, Any], *, time_zone: str = "UTC") -> Tariff:
    """A Tariff from OCPI 2.2.1 JSON (+ CCMS fields); TariffError lists every wrong field."""
    errors = Errors()
    if not isinstance(data, dict):
        raise TariffError({"tariff": tr("must be a JSON object")})
    check_keys(errors, "", data, _TOP | _IGNORED)
    if data.get("tax_included", "NO") != "NO":
        errors.add("tax_included", 'CCMS prices are excl. VAT: only "NO" is supported')
    if zone_problem := timezone_error(time_zone):  # the stations' rule, so theirs always pass
        errors.add("time_zone", zone_problem)
    currency = _currency(errors, data.get("currency"))
    elements = _elements(errors, data.get("elements"))
    min_price = _price(errors, "min_price", data.get("min_price"))
    max_price = _price(errors, "max_price", data.get("max_price"))
    if min_price and max_price and min_price.excl_vat > max_price.excl_vat:
        errors.add("max_price.excl_vat", tr("must not be below min_price.excl_vat"))
    grace = _field(errors, "idle_grace_minutes", lambda: _grace(data.get("idle_grace_minutes", 0)))
    cap = None
    if data.get("idle_fee_cap") is not None:
        cap = _field(errors, "idle_fee_cap", lambda: _money(data["idle_fee_cap"]))
    rounding = data.get("rounding", "half_up")
    if rounding not in ROUNDINGS:
        errors.add("rounding", tr("must be one of: {choices}", choices=", ".join(ROUNDINGS)))
    errors.raise_if_any()
    return Tariff(
        currency=currency or "",
        elements=tuple(elements),
        time_zone=time_zone,
        min_price=min_price,
        max_price=max_price,
        idle_grace_seconds=grace or 0,
        idle_fee_cap=cap,
        rounding=ROUNDINGS[rounding],
    )


def _currency(errors: Errors, value: Any) -> str | None:
    if not isinstance(value, str):
        errors.add("currency", tr("is required: an ISO 4217 code such as EUR"))
        return None
    try:
        return normalise_currency(value)
    except MoneyError as exc:
        errors.add("currency", str(exc))
        return None


def _grace(value: Any) -> int:
    minutes = read_decimal(value, maximum=Decimal(7 * 24 * 60))
    seconds = minutes * 60
    if seconds != seconds.to_integral_value():
        raise FieldError(tr("must be whole seconds (minutes with at most 1/60 fractions)"))
    return int(seconds)


def _price(errors: Errors, path: str, value: Any) -> Price | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(path, tr("must be an object with excl_vat (and optionally incl_vat)"))
        return None
    check_keys(errors, path, value, _PRICE_KEYS)
    if "excl_vat" not in value:
        errors.add(join(path, "excl_vat"), tr("is required"))
        return None
    excl = _field(errors, join(path, "excl_vat"), lambda: _money(value["excl_vat"]))
    incl = None
    if value.get("incl_vat") is not None:
        incl = _field(errors, join(path, "incl_vat"), lambda: _money(value["incl_vat"]))
        if incl is not None and excl is not None and incl < excl:
            errors.add(join(path, "incl_vat"), tr("must not be below excl_vat"))
    return Price(excl_vat=excl, incl_vat=incl) if excl is not None else None


def _elements(errors: Errors, value: Any) -> list[TariffElement]:
    if not isinstance(value, list) or not value:
        errors.add("elements", tr("needs at least one tariff element"))
        return []
    elements: list[TariffElement] = []
    for number, raw in enumerate(value):
        path = join("elements", number)
        if not isinstance(raw, dict):
            errors.add(path, tr("must be an object with price_components"))
            continue
        check_keys(errors, path, raw, _ELEMENT)
        components = _components(errors, path, raw.get("price_components"))
        restrictions = None
        if raw.get("restrictions") is not None:
            restrictions = _restrictions(errors, join(path, "restrictions"), raw["restrictions"])
        fee = raw.get("fee", "")
        if not isinstance(fee, str) or len(fee) > 40:
            errors.add(join(path, "fee"), tr("must be a short label (at most 40 characters)"))
            fee = ""
        elements.append(TariffElement(tuple(components), restrictions, fee))
    return elements


def _components(errors: Errors, base: str, value: Any) -> list[PriceComponent]:
    path = join(base, "price_components")
    if not isinstance(value, list) or not value:
        errors.add(path, tr("needs at least one price component"))
        return []
    found: list[PriceComponent] = []
    for number, raw in enumerate(value):
        here = join(path, number)
        if not isinstance(raw, dict):
            errors.add(here, tr("must be an object with type, price and step_size"))
            continue
        check_keys(errors, here, raw, _COMPONENT)
        kind = raw.get("type")
        if kind not in Dimension.__members__:
            errors.add(join(here, "type"), tr("must be one of: ENERGY, FLAT, TIME, PARKING_TIME"))
            kind = None
        price = _required(errors, here, raw, "price", _money)
        vat = _required(errors, here, raw, "vat", _vat) if raw.get("vat") is not None else None
        step_reader = _flat_step if kind == Dimension.FLAT else _step
        step = _required(errors, here, raw, "step_size", step_reader)
        if kind is not None and price is not None and step is not None:
            found.append(PriceComponent(Dimension(kind), price, step, vat))
    return found


def _vat(value: Any) -> Decimal:
    return read_decimal(value, maximum=Decimal(100), decimals=2)


def _step(value: Any) -> int:
    return read_int(value, minimum=1, maximum=10**7)


def _flat_step(value: Any) -> int:
    return read_int(value, minimum=0, maximum=10**7)


def _required(
    errors: Errors, base: str, raw: dict[str, Any], key: str, read: Callable[[Any], T]
) -> T | None:
    if raw.get(key) is None:
        errors.add(join(base, key), tr("is required"))
        return None
    return _field(errors, join(base, key), lambda: read(raw[key]))


def _restrictions(errors: Errors, path: str, value: Any) -> Restrictions | None:
    raw = _field(errors, path, lambda: read_object(value))
    if raw is None:
        return None
    check_keys(errors, path, raw, _RESTRICTION_KEYS)

    def get(key: str, read: Callable[[Any], T]) -> T | None:
        return (
            None
            if raw.get(key) is None
            else _field(errors, join(path, key), lambda: read(raw[key]))
        )

    duration = lambda v: read_int(v, maximum=10**8)  # noqa: E731
    found = Restrictions(
        start_time=get("start_time", read_time),
        end_time=get("end_time", read_time),
        start_date=get("start_date", read_date),
        end_date=get("end_date", read_date),
        min_kwh=get("min_kwh", _quantity),
        max_kwh=get("max_kwh", _quantity),
        min_current=get("min_current", _quantity),
        max_current=get("max_current", _quantity),
        min_power=get("min_power", _quantity),
        max_power=get("max_power", _quantity),
        min_duration=get("min_duration", duration),
        max_duration=get("max_duration", duration),
        day_of_week=get("day_of_week", _days) or frozenset(),
        reservation=get("reservation", _reservation),
    )
    if found.start_date and found.end_date and found.end_date <= found.start_date:
        errors.add(join(path, "end_date"), tr("must be after start_date (end_date is exclusive)"))
    for low, high, unit in (
        ("min_kwh", "max_kwh", "kWh"),
        ("min_current", "max_current", "A"),
        ("min_power", "max_power", "kW"),
        ("min_duration", "max_duration", "seconds"),
    ):
        lower, upper = getattr(found, low), getattr(found, high)
        if lower is not None and upper is not None and upper <= lower:
            errors.add(join(path, high), f"must be more than {low} ({lower} {unit})")
    return found


def _days(value: Any) -> frozenset[DayOfWeek]:
    if not isinstance(value, list):
        raise FieldError(tr('must be a list of days, e.g. ["MONDAY", "TUESDAY"]'))
    unknown = [v for v in value if v not in DayOfWeek.__members__]
    if unknown:
        raise FieldError(tr("unknown day {day}; days are MONDAY .. SUNDAY", day=repr(unknown[0])))
    return frozenset(DayOfWeek(v) for v in value)


def _reservation(value: Any) -> ReservationRestriction:
    if value not in ReservationRestriction.__members__:
        raise FieldError(tr("must be RESERVATION or RESERVATION_EXPIRES"))
    return ReservationRestriction(value)


def tariff_to_json(tariff: Tariff) -> dict[str, Any]:
    """The OCPI JSON (+ CCMS fields) of a tariff; numbers as Decimal, ints as int."""
    data: dict[str, Any] = {
        "currency": tariff.currency,
        "elements": [_element_json(e) for e in tariff.elements],
    }
    for key, price in (("min_price", tariff.min_price), ("max_price", tariff.max_price)):
        if price is not None:
            data[key] = {"excl_vat": price.excl_vat}
            if price.incl_vat is not None:
                data[key]["incl_vat"] = price.incl_vat
    if tariff.idle_grace_seconds:
        minutes = Decimal(tariff.idle_grace_seconds) / 60
        data["idle_grace_minutes"] = int(minutes) if minutes == int(minutes) else minutes
    if tariff.idle_fee_cap is not None:
        data["idle_fee_cap"] = tariff.idle_fee_cap
    data["rounding"] = _ROUNDING_NAMES.get(tariff.rounding, "half_up")
    return data


def _element_json(element: TariffElement) -> dict[str, Any]:
    data: dict[str, Any] = {"price_components": []}
    for c in element.price_components:
        component: dict[str, Any] = {"type": c.type.value, "price": c.price}
        if c.vat is not None:
            component["vat"] = c.vat
        component["step_size"] = c.step_size
        data["price_components"].append(component)
    if element.restrictions is not None:
        data["restrictions"] = _restrictions_json(element.restrictions)
    if element.fee:
        data["fee"] = element.fee
    return data


def _restrictions_json(r: Restrictions) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in ("start_time", "end_time"):
        if getattr(r, key) is not None:
            data[key] = format_time(getattr(r, key))
    for key in ("start_date", "end_date"):
        if getattr(r, key) is not None:
            data[key] = getattr(r, key).isoformat()
    for key in [
        "min_kwh",
        "max_kwh",
        "min_current",
        "max_current",
        "min_power",
        "max_power",
        "min_duration",
        "max_duration",
    ]:
        if getattr(r, key) is not None:
            data[key] = getattr(r, key)
    if r.day_of_week:
        data["day_of_week"] = [d.value for d in _WEEK if d in r.day_of_week]
    if r.reservation is not None:
        data["reservation"] = r.reservation.value
    return data


def dumps_tariff(tariff: Tariff) -> str:
    """JSON text of `tariff_to_json`, numbers written exactly (no float on the way)."""
    return dumps_exact(tariff_to_json(tariff))
