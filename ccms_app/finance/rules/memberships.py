"""Membership maths (pure): a plan's fields as typed, monthly periods, a session's benefit.

Periods: a membership runs monthly from the day it was taken out, as card subscriptions do
(enrolled on 14 March 10:00 -> 14 April 10:00 -> 14 May 10:00 ...), on the operator's wall
clock, so a period starts at the same local time across daylight-saving changes. A day the
month does not have becomes the month's last day (31 Jan -> 28 Feb -> 31 Mar): each period is
counted from the enrolment moment, never from the previous period, so it does not drift.

A session's benefit (`session_benefit`), from the stored cost's integer parts:
1. included energy: the Wh still free this period (at most the session's Wh) take their
   share of the energy part excl. VAT (energy_excl x free Wh / session Wh), plus that share's
   VAT at the cost's own ratio (total incl. / total excl.);
2. the discount percent off what is left of the total incl. VAT;
the sum is rounded half up once and is never more than the total. A session whose energy part
costs nothing uses none of the included energy (nothing would be saved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from ccms_app.core.i18n import DEFAULT, babel_locale, reader_language, tr

MAX_PERCENT = Decimal(100)
PERCENT_PLACES = 2
MAX_INCLUDED_KWH = Decimal(1_000_000)
KWH_PLACES = 3  # a Wh
_NUMBER = re.compile(r"[0-9]+([.,][0-9]+)?")


class MembershipRuleError(ValueError):
    """A typed value is not usable; the message says why, for the form field."""


def _decimal(text: str, not_a_number: str) -> Decimal:
    """`text` as a Decimal; MembershipRuleError(`not_a_number`) when it is not one."""
    cleaned = text.strip().replace(",", ".")
    if not _NUMBER.fullmatch(text.strip()):
        raise MembershipRuleError(not_a_number)
    try:
        return Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern rules this out
        raise MembershipRuleError(not_a_number) from exc


def parse_percent(text: str) -> Decimal | None:
    """ "10" / "12,5" -> Decimal; "" -> None (no discount). 0-100, at most 2 decimals."""
    if not text.strip():
        return None
    value = _decimal(text, tr("Discount must be a number such as 12.5"))
    if value > MAX_PERCENT:
        raise MembershipRuleError(tr("Discount must be between 0 and 100 %"))
    if value != value.quantize(Decimal(1).scaleb(-PERCENT_PLACES)):
        raise MembershipRuleError(
            tr("Discount has at most {percent_places} decimals", percent_places=PERCENT_PLACES)
        )
    return value.normalize() if value else Decimal(0)


def percent_text(value: Decimal | None) -> str:
    """How a percent is stored and shown: "12.5", "" for none."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def stored_percent(text: str) -> Decimal | None:
    """The stored percent text back as a Decimal (None: no discount)."""
    try:
        return Decimal(text) if text.strip() else None
    except InvalidOperation:
        return None


def parse_included_wh(text: str) -> int:
    """Included energy typed in kWh ("150", "12.5", "") -> Wh. At most 3 decimals."""
    if not text.strip():
        return 0
    value = _decimal(text, tr("Included energy must be a number such as 12.5"))
    if value > MAX_INCLUDED_KWH:
        raise MembershipRuleError(
            tr(
                "Included energy is at most {max_included_kwh:,} kWh",
                max_included_kwh=MAX_INCLUDED_KWH,
            )
        )
    wh = value.scaleb(KWH_PLACES)
    if wh != wh.to_integral_value():
        raise MembershipRuleError(tr("Included energy has at most 3 decimals (1 Wh)"))
    return int(wh)


def shown_decimal(text: str) -> str:
    """A stored decimal ("12.5") as the reader's language writes it ("12,5" in German); as
    stored for English (and for anything not a number)."""
    language = reader_language()
    if language == DEFAULT or not text:
        return text
    try:
        value = Decimal(text)
    except InvalidOperation:
        return text
    if not value.is_finite():
        return text
    places = max(0, -int(value.as_tuple().exponent))
    pattern = "0." + "#" * places if places else "0"
    return format_decimal(value, pattern, locale=babel_locale(language))


def kwh_text(wh: int) -> str:
    """Wh as kWh text without trailing zeros: 12500 -> "12.5", 0 -> "0"."""
    value = Decimal(wh).scaleb(-KWH_PLACES).normalize()
    return format(value, "f")


# --- periods -------------------------------------------------------------------------------


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1) - datetime(year, month, 1)).days


def add_months(moment: datetime, months: int, zone: ZoneInfo) -> datetime:
    """`moment` (aware) plus whole months on the zone's wall clock, as UTC; a day the target
    month lacks becomes its last day."""
    local = moment.astimezone(zone)
    index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(index, 12)
    day = min(local.day, _days_in_month(year, month + 1))
    wall = local.replace(tzinfo=None, year=year, month=month + 1, day=day)
    return wall.replace(tzinfo=zone).astimezone(UTC)


def period_at(anchor: datetime, at: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The monthly period counted from `anchor` that contains `at` (the first one when `at`
    is before the anchor): (start inclusive, end exclusive), UTC."""
    if at < anchor:
        return anchor.astimezone(UTC), add_months(anchor, 1, zone)
    local_anchor, local_at = anchor.astimezone(zone), at.astimezone(zone)
    months = (local_at.year - local_anchor.year) * 12 + (local_at.month - local_anchor.month)
    months = max(months, 0)
    while months > 0 and add_months(anchor, months, zone) > at:
        months -= 1
    while add_months(anchor, months + 1, zone) <= at:
        months += 1
    return add_months(anchor, months, zone), add_months(anchor, months + 1, zone)


# --- benefits ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CostShares:
    """The parts of a session's stored cost the benefit reads (integer minor units)."""

    total_incl_minor: int
    total_excl_minor: int
    energy_excl_minor: int


@dataclass(frozen=True)
class BenefitAmounts:
    discount_minor: int  # taken off the total incl. VAT
    included_wh: int  # of the period's included energy, used by this session


NO_BENEFIT = BenefitAmounts(0, 0)


def _half_up(value: Fraction) -> int:
    """Round a non-negative exact amount to whole minor units, half up."""
    return int((value + Fraction(1, 2)) // 1)


def included_share(cost: CostShares, session_wh: int, free_wh_left: int) -> tuple[int, Fraction]:
    """(Wh used, exact amount incl. VAT they take off) for the included energy left."""
    if cost.energy_excl_minor <= 0 or session_wh <= 0 or free_wh_left <= 0:
        return 0, Fraction(0)
    used = min(free_wh_left, session_wh)
    excl = Fraction(cost.energy_excl_minor * used, session_wh)
    if cost.total_excl_minor > 0:
        incl = excl * Fraction(cost.total_incl_minor, cost.total_excl_minor)
    else:
        incl = excl
    return used, min(incl, Fraction(max(cost.total_incl_minor, 0)))


def session_benefit(
    cost: CostShares, session_wh: int, free_wh_left: int, discount_percent: Decimal | None
) -> BenefitAmounts:
    """What a membership takes off one session's cost (see the module doc)."""
    total = cost.total_incl_minor
    if total <= 0:
        return NO_BENEFIT
    used, free_incl = included_share(cost, session_wh, free_wh_left)
    percent = Fraction(discount_percent) if discount_percent else Fraction(0)
    percent = min(max(percent, Fraction(0)), Fraction(100))
    exact = free_incl + (Fraction(total) - free_incl) * percent / 100
    return BenefitAmounts(min(_half_up(exact), total), used)


def has_benefit(discount_percent: Decimal | None, member_tariff_id: int | None, wh: int) -> bool:
    """A plan gives something: a discount above 0, a member tariff or included energy."""
    return bool(discount_percent) or member_tariff_id is not None or wh > 0
