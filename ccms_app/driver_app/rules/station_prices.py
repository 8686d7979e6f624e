"""What a driver would pay at a connector, said before charging: "€0.39/kWh · €0.10/min after
60 min".

The tariff is the one the finance module resolves for this driver's app id tag at this
connector (`finance.tariff_assignments.resolve`), read as the engine reads it
(`finance.rules.tariff_types.Tariff`, restriction times in the station's zone). The summary
follows the engine's choice (`finance.rules.tariff_engine`): per dimension the FIRST element
that has a component of it and whose restrictions hold prices a piece of the session. So:

- only elements that hold at this local time (time of day, weekday, dates) and are not
  reservation prices are read;
- per dimension (energy, charging time, idle time, per session) each such element becomes a
  part with the conditions the engine still checks later in the session ("after 60 min",
  "up to 20 kWh", "from 50 kW") or the end of its clock window ("until 22:00"); the first
  element without either covers the rest, so the list stops there;
- a FLAT price is the one of the first element whose restrictions hold at the session's
  start (energy 0, duration 0), as the engine charges it;
- idle time is free during the tariff's grace ("after 15 min");
- every amount includes VAT when the tariff gives a rate (what the driver pays), exact
  Decimals; TIME prices (per hour in OCPI) are shown per minute when that is exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from babel.numbers import format_currency, format_decimal

from ccms_app.core.i18n import babel_locale, reader_language, tr
from ccms_app.core.money import exponent
from ccms_app.finance.rules.tariff_types import (
    DayOfWeek,
    Dimension,
    Price,
    PriceComponent,
    Restrictions,
    Tariff,
    TariffElement,
)

SHOWN_DECIMALS = 4  # a unit price shows at most this many decimals (rounded half up)
_STEP = Decimal(1).scaleb(-SHOWN_DECIMALS)
_SIXTY = Decimal(60)
_HUNDRED = Decimal(100)
_WEEKDAYS = tuple(DayOfWeek)
ORDER = (Dimension.ENERGY, Dimension.TIME, Dimension.PARKING_TIME, Dimension.FLAT)
SEPARATOR = " · "
_FRACTION = re.compile(r"\.0+")

# Conditions a part keeps: (kind, value); kinds in the order they are said.
AFTER_MINUTES, FIRST_MINUTES = "after_minutes", "first_minutes"
FROM_KWH, UP_TO_KWH = "from_kwh", "up_to_kwh"
FROM_KW, BELOW_KW = "from_kw", "below_kw"
FROM_A, BELOW_A = "from_a", "below_a"
UNTIL = "until"


@dataclass(frozen=True)
class PricePart:
    """One price the driver meets: `amount` per kWh (ENERGY), per hour (TIME, PARKING_TIME)
    or per session (FLAT), VAT included when the tariff has a rate."""

    dimension: Dimension
    amount: Decimal
    conditions: tuple[tuple[str, Decimal | int | time], ...] = ()


@dataclass(frozen=True)
class PriceSummary:
    currency: str
    parts: tuple[PricePart, ...]
    min_price: Decimal | None = None  # per session, VAT included when known
    max_price: Decimal | None = None


def gross(component: PriceComponent) -> Decimal:
    """The component's price with its VAT (exact; no VAT rate: the price as it is)."""
    if component.vat is None:
        return component.price
    return component.price * (_HUNDRED + component.vat) / _HUNDRED


def _holds_at(restrictions: Restrictions | None, local: datetime) -> bool:
    """The clock, weekday and date restrictions at this local instant (engine's reading)."""
    if restrictions is None:
        return True
    r = restrictions
    if r.reservation is not None:
        return False
    if r.day_of_week and _WEEKDAYS[local.weekday()] not in r.day_of_week:
        return False
    today = local.date()
    if (r.start_date is not None and today < r.start_date) or (
        r.end_date is not None and today >= r.end_date
    ):
        return False
    return _in_window(r.start_time, r.end_time, local.time())


def _in_window(start: time | None, end: time | None, now: time) -> bool:
    if start is None and end is None:
        return True
    lower = start or time(0, 0)
    if end is None:
        return now >= lower
    if lower < end:
        return lower <= now < end
    return now >= lower or now < end  # past midnight; start == end: all day


def _later_conditions(r: Restrictions | None) -> tuple[tuple[str, Decimal | int | time], ...]:
    """What the engine checks later in the session (so the price is conditional)."""
    if r is None:
        return ()
    found: list[tuple[str, Decimal | int | time]] = []
    pairs: tuple[tuple[str, Decimal | int | None], ...] = (
        (AFTER_MINUTES, None if not r.min_duration else r.min_duration // 60),
        (FIRST_MINUTES, None if r.max_duration is None else r.max_duration // 60),
        (FROM_KWH, r.min_kwh if r.min_kwh else None),
        (UP_TO_KWH, r.max_kwh),
        (FROM_KW, r.min_power),
        (BELOW_KW, r.max_power),
        (FROM_A, r.min_current),
        (BELOW_A, r.max_current),
    )
    found.extend((kind, value) for kind, value in pairs if value is not None)
    return tuple(found)


def _until(r: Restrictions | None) -> tuple[tuple[str, Decimal | int | time], ...]:
    """A price of a clock window lasts until its end (said, not a condition of the list)."""
    if r is None or r.end_time is None or r.start_time == r.end_time:
        return ()
    return ((UNTIL, r.end_time),)


def _amount(element: TariffElement, dimension: Dimension) -> Decimal | None:
    """The element's price of `dimension` (the engine bills all its components of it)."""
    prices = [gross(c) for c in element.price_components if c.type == dimension]
    return sum(prices, Decimal(0)) if prices else None


def _parts_of(
    tariff: Tariff, elements: list[TariffElement], dimension: Dimension
) -> list[PricePart]:
    parts: list[PricePart] = []
    for element in elements:
        amount = _amount(element, dimension)
        if amount is None:
            continue
        later = _later_conditions(element.restrictions)
        if dimension == Dimension.FLAT:
            if any(kind not in (FIRST_MINUTES, UP_TO_KWH) for kind, _ in later):
                continue  # does not hold at the session's start: never charged
            return [PricePart(dimension, amount, _until(element.restrictions))]
        if dimension == Dimension.PARKING_TIME and tariff.idle_grace_seconds:
            grace = ((AFTER_MINUTES, tariff.idle_grace_seconds // 60),)
            later = grace + tuple(c for c in later if c[0] != AFTER_MINUTES)
        until = _until(element.restrictions)
        parts.append(PricePart(dimension, amount, later + until))
        if not later and not until:
            break  # this one covers whatever the earlier ones leave
    return parts


def price_now(tariff: Tariff, local_now: datetime) -> PriceSummary:
    """The prices of `tariff` for a session starting at `local_now` (in the tariff's zone)."""
    elements = [e for e in tariff.elements if _holds_at(e.restrictions, local_now)]
    parts: list[PricePart] = []
    for dimension in ORDER:
        parts.extend(_parts_of(tariff, elements, dimension))
    return PriceSummary(
        tariff.currency,
        tuple(parts),
        _limit(tariff.min_price),
        _limit(tariff.max_price),
    )


def _limit(price: Price | None) -> Decimal | None:
    """A session limit as the driver reads it: VAT included when the tariff says."""
    if price is None:
        return None
    return price.incl_vat if price.incl_vat is not None else price.excl_vat


# --- words -------------------------------------------------------------------------------


def money_text(amount: Decimal, currency: str) -> str:
    """ "€0.39", "0,385 €": the currency's decimals at least, up to SHOWN_DECIMALS (a unit
    price may have more than a cent holds), as the reader's language writes money."""
    locale = babel_locale(reader_language())
    shown = amount.quantize(_STEP, rounding=ROUND_HALF_UP)
    digits = exponent(currency)
    decimals = max(digits, _decimals(shown))
    pattern = _FRACTION.sub(
        "." + "0" * decimals if decimals else "",
        Locale.parse(locale).currency_formats["standard"].pattern,
    )
    return format_currency(shown, currency.upper(), pattern, locale=locale, currency_digits=False)


def _decimals(value: Decimal) -> int:
    normal = value.normalize()
    exponent_ = normal.as_tuple().exponent
    return max(0, -exponent_) if isinstance(exponent_, int) else 0


def number_text(value: Decimal | int) -> str:
    """ "22", "7,4": a quantity as the reader's language writes it (exact)."""
    locale = babel_locale(reader_language())
    places = _decimals(Decimal(value))
    pattern = "#,##0" + ("." + "#" * places if places else "")
    return format_decimal(Decimal(value), pattern, locale=locale)


def per_minute(amount_per_hour: Decimal) -> Decimal | None:
    """The price per minute when it is exact at SHOWN_DECIMALS, else None (say per hour)."""
    minute = amount_per_hour / _SIXTY
    rounded = minute.quantize(_STEP, rounding=ROUND_HALF_UP)
    return rounded if rounded * _SIXTY == amount_per_hour else None


def _unit_text(part: PricePart, currency: str) -> str:
    if part.dimension == Dimension.ENERGY:
        return tr("{price}/kWh", price=money_text(part.amount, currency))
    if part.dimension == Dimension.FLAT:
        return tr("{price}/session", price=money_text(part.amount, currency))
    minute = per_minute(part.amount)
    if minute is not None:
        text = tr("{price}/min", price=money_text(minute, currency))
    else:
        text = tr("{price}/h", price=money_text(part.amount, currency))
    return tr("idle {price}", price=text) if part.dimension == Dimension.PARKING_TIME else text


def _condition_text(text: str, kind: str, value: Decimal | int | time) -> str:
    if isinstance(value, time):
        return tr("{price} until {time}", price=text, time=value.strftime("%H:%M"))
    shown = number_text(value)
    messages = {
        AFTER_MINUTES: tr("{price} after {minutes} min", price=text, minutes=shown),
        FIRST_MINUTES: tr("{price} for the first {minutes} min", price=text, minutes=shown),
        FROM_KWH: tr("{price} after {kwh} kWh", price=text, kwh=shown),
        UP_TO_KWH: tr("{price} up to {kwh} kWh", price=text, kwh=shown),
        FROM_KW: tr("{price} from {kw} kW", price=text, kw=shown),
        BELOW_KW: tr("{price} below {kw} kW", price=text, kw=shown),
        FROM_A: tr("{price} from {amps} A", price=text, amps=shown),
        BELOW_A: tr("{price} below {amps} A", price=text, amps=shown),
    }
    return messages.get(kind, text)


def part_text(part: PricePart, currency: str) -> str:
    text = _unit_text(part, currency)
    for kind, value in part.conditions:
        text = _condition_text(text, kind, value)
    return text


def price_text(summary: PriceSummary | None) -> str:
    """The summary in the reader's language; what to say without a tariff or prices."""
    if summary is None:
        return tr("Price not set")
    words = [part_text(part, summary.currency) for part in summary.parts]
    if summary.min_price:
        words.append(
            tr("minimum {price} per session", price=money_text(summary.min_price, summary.currency))
        )
    if summary.max_price is not None:
        words.append(
            tr("maximum {price} per session", price=money_text(summary.max_price, summary.currency))
        )
    if not summary.parts:
        words.insert(0, tr("No charge at this time"))
    return SEPARATOR.join(words)
