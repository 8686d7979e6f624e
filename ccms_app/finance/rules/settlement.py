"""A partner's monthly settlement, decided without a database: which revenue-share agreement
covers each session, and what the month comes to.

Per agreement in force during the month (and in the report's currency):
- sessions: the partner's final priced sessions that stopped in the month; the agreement in
  force at a session's stop covers it, a station's own agreement before the partner-wide one.
  A session no agreement covers (none in force then, or its cost in another currency) is
  listed apart and settles nothing: the report says so instead of guessing.
- income excl. VAT, VAT, income incl. VAT: the sessions' stored cost totals, added up.
- operator commission: `operator_percent` of the income excl. VAT. Rounded half up ONCE for
  the whole settlement (the exact commissions of all agreements added up, then rounded), never
  per session; the rounded total is shared out over the agreements by largest remainder, so
  the agreement lines add up to the total.
- session fees: `fee_per_session_minor` x sessions (integers, nothing to round).
- platform fee: the monthly fee, times the share of the month the agreement is in force
  (a whole month: the whole fee), rounded half up per agreement.
- amount due to the partner = income excl. VAT - commission - session fees - platform fee.
  It may be negative (few sessions, a platform fee): then the partner owes the operator that
  amount. VAT is shown for information: the settlement is on amounts excl. VAT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from ccms_app.core.display import time_zone
from ccms_app.core.i18n import tr
from ccms_app.core.money import MoneyError, exponent, normalise_currency, parse_minor

NAME_MAX = 100
PERCENT_DECIMALS = 4
PERCENT_TEXT_MAX = 8  # the column: "100.0000" at most
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]+)?")
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Terms:
    """One revenue-share agreement as the maths needs it."""

    agreement_id: int
    name: str
    station_id: int | None  # None: every station of the partner
    operator_percent: Decimal
    fee_per_session_minor: int
    platform_fee_minor: int
    currency: str
    valid_from: datetime
    valid_until: datetime | None  # the first instant no longer covered; None: open-ended

    def in_force_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (self.valid_until is None or moment < self.valid_until)

    def overlaps(self, start: datetime, end: datetime | None) -> bool:
        """Whether [valid_from, valid_until) and [start, end) share an instant."""
        starts_before_end = end is None or self.valid_from < end
        return starts_before_end and (self.valid_until is None or start < self.valid_until)


@dataclass(frozen=True)
class SessionIncome:
    """One final priced session of the partner, as the report lists it."""

    session_id: int
    stopped_at: datetime
    station_id: int | None
    station: str
    charge_point: str
    connector_id: int
    id_tag: str
    energy_wh: int
    currency: str
    excl_minor: int
    vat_minor: int
    incl_minor: int


@dataclass(frozen=True)
class Figures:
    """A settlement's numbers (one agreement's, or the totals), minor units."""

    sessions: int = 0
    energy_wh: int = 0
    excl_minor: int = 0
    vat_minor: int = 0
    incl_minor: int = 0
    commission_minor: int = 0
    session_fees_minor: int = 0
    platform_fee_minor: int = 0

    @property
    def due_minor(self) -> int:
        """What the operator pays the partner; negative: what the partner owes."""
        return (
            self.excl_minor
            - self.commission_minor
            - self.session_fees_minor
            - self.platform_fee_minor
        )


@dataclass(frozen=True)
class AgreementFigures:
    terms: Terms
    figures: Figures
    sessions: tuple[SessionIncome, ...]
    month_share: Fraction  # of the month the agreement is in force (1: all of it)


@dataclass(frozen=True)
class Uncovered:
    session: SessionIncome
    reason: str


@dataclass(frozen=True)
class Settlement:
    currency: str
    agreements: tuple[AgreementFigures, ...]
    uncovered: tuple[Uncovered, ...]
    totals: Figures
    commission_exact: Decimal  # before the one rounding


# --- which agreement --------------------------------------------------------------------


def agreement_for(terms: Iterable[Terms], station_id: int | None, at: datetime) -> Terms | None:
    """The agreement covering a session at `station_id` that stopped `at`: the station's own
    agreement in force then, else the partner-wide one (overlaps are refused on save, so
    there is at most one of each)."""
    in_force = [t for t in terms if t.in_force_at(at)]
    own = [t for t in in_force if t.station_id is not None and t.station_id == station_id]
    wide = [t for t in in_force if t.station_id is None]
    found = own or wide
    return found[0] if found else None


def month_share(terms: Terms, start: datetime, end: datetime) -> Fraction:
    """The share of [start, end) the agreement is in force (0 to 1)."""
    first = max(start, terms.valid_from)
    last = min(end, terms.valid_until) if terms.valid_until is not None else end
    if last <= first:
        return Fraction(0)
    return Fraction(_micros(last - first), _micros(end - start))


def _micros(span: timedelta) -> int:
    return (span.days * 86_400 + span.seconds) * 1_000_000 + span.microseconds


# --- the settlement ---------------------------------------------------------------------


def settle(
    terms: Sequence[Terms],
    sessions: Sequence[SessionIncome],
    start: datetime,
    end: datetime,
    currency: str,
) -> Settlement:
    """The month [start, end) of one partner in `currency`; see the module docstring."""
    active = [t for t in terms if t.overlaps(start, end) and t.currency == currency]
    covered: dict[int, list[SessionIncome]] = {t.agreement_id: [] for t in active}
    uncovered: list[Uncovered] = []
    for item in sorted(sessions, key=lambda s: (s.stopped_at, s.session_id)):
        found = agreement_for(active, item.station_id, item.stopped_at)
        if item.currency != currency:
            reason = tr(
                "priced in {session_currency}, not {currency}",
                session_currency=item.currency,
                currency=currency,
            )
            uncovered.append(Uncovered(item, reason))
        elif found is None:
            uncovered.append(Uncovered(item, tr("no agreement in force when it stopped")))
        else:
            covered[found.agreement_id].append(item)
    exact = {
        t.agreement_id: Decimal(sum(s.excl_minor for s in covered[t.agreement_id]))
        * t.operator_percent
        / HUNDRED
        for t in active
    }
    commission_exact = sum(exact.values(), Decimal(0))
    total_commission = int(commission_exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    commissions = dict(zip(exact, share_out(list(exact.values()), total_commission), strict=True))
    figures = tuple(
        _agreement(t, covered[t.agreement_id], commissions[t.agreement_id], start, end)
        for t in active
    )
    totals = add_up(f.figures for f in figures)
    return Settlement(currency, figures, tuple(uncovered), totals, commission_exact)


def _agreement(
    terms: Terms,
    sessions: list[SessionIncome],
    commission_minor: int,
    start: datetime,
    end: datetime,
) -> AgreementFigures:
    share = month_share(terms, start, end)
    platform = int(
        (Decimal(terms.platform_fee_minor) * share.numerator / share.denominator).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
    )
    figures = Figures(
        sessions=len(sessions),
        energy_wh=sum(s.energy_wh for s in sessions),
        excl_minor=sum(s.excl_minor for s in sessions),
        vat_minor=sum(s.vat_minor for s in sessions),
        incl_minor=sum(s.incl_minor for s in sessions),
        commission_minor=commission_minor,
        session_fees_minor=terms.fee_per_session_minor * len(sessions),
        platform_fee_minor=platform,
    )
    return AgreementFigures(terms, figures, tuple(sessions), share)


def add_up(items: Iterable[Figures]) -> Figures:
    found = list(items)
    return Figures(*(sum(getattr(f, name) for f in found) for name in Figures.__dataclass_fields__))


def share_out(values: Sequence[Decimal], total: int) -> list[int]:
    """Integers, one per (non-negative) value, adding up to `total`: each the floor of its
    value, the units left over to the largest remainders (ties: the first)."""
    floors = [int(v.to_integral_value(rounding=ROUND_FLOOR)) for v in values]
    left = total - sum(floors)
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    for step in range(abs(left)):
        index = order[step % len(order)] if left > 0 else order[-1 - step % len(order)]
        floors[index] += 1 if left > 0 else -1
    return floors


# --- months and days ---------------------------------------------------------------------


def parse_month(text: str) -> date | None:
    """ "2026-03" -> 2026-03-01; None when it is not a month written YYYY-MM."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1970:
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def local_day_start(text: str, zone: str) -> datetime | None:
    """ "2026-03-29" -> the first instant of that day in `zone`, in UTC; None if not a day."""
    cleaned = text.strip()
    if not _DAY.fullmatch(cleaned):
        return None
    try:
        day = date.fromisoformat(cleaned)
    except ValueError:
        return None
    return datetime.combine(day, time(0), tzinfo=time_zone(zone)).astimezone(UTC)


def local_day_after(text: str, zone: str) -> datetime | None:
    """The first instant after the day `text` in `zone` (an inclusive last day as an
    exclusive end), in UTC; None if not a day."""
    start = local_day_start(text, zone)
    if start is None:
        return None
    day = date.fromisoformat(text.strip()) + timedelta(days=1)
    return datetime.combine(day, time(0), tzinfo=time_zone(zone)).astimezone(UTC)


def local_day(moment: datetime | None, zone: str, last: bool = False) -> str:
    """The local day of an instant ("" for None); `last`: the day before an exclusive end."""
    if moment is None:
        return ""
    local = moment.astimezone(time_zone(zone))
    if last:
        local -= timedelta(microseconds=1)
    return local.date().isoformat()


# --- the agreement form ------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementValues:
    name: str
    operator_percent: Decimal
    fee_per_session_minor: int
    platform_fee_minor: int
    currency: str


def percent(text: str) -> Decimal:
    """ "12.5" / "12,5" -> Decimal("12.5"); ValueError saying why (0 to 100, 4 decimals)."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError(tr("Give the operator's share in percent (0 to 100)"))
    if not _PERCENT.fullmatch(cleaned):
        raise ValueError(
            tr("{text} is not a percentage; write it like 12.5", text=repr(text.strip()))
        )
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        raise ValueError(tr("{text} is not a percentage", text=repr(text.strip()))) from None
    if value > HUNDRED:
        raise ValueError(tr("The operator's share must be between 0 and 100 %"))
    if value != value.quantize(Decimal(1).scaleb(-PERCENT_DECIMALS)):
        raise ValueError(
            tr("At most {percent_decimals} decimals", percent_decimals=PERCENT_DECIMALS)
        )
    return value.normalize() if value else Decimal(0)


def not_saved(count: int) -> str:
    """ "Not saved: 2 fields need correcting." """
    if count == 1:
        return tr("Not saved: 1 field needs correcting.")
    return tr("Not saved: {count} fields need correcting.", count=count)


def percent_text(value: Decimal) -> str:
    """The stored text of a percentage: "12.5", "0", "100"."""
    return f"{value.normalize():f}" if value else "0"


def check_agreement(values: Mapping[str, str]) -> tuple[AgreementValues | None, dict[str, str]]:
    """The form's clean values, or every wrong field's message (name, operator_percent,
    fee_per_session, platform_fee, currency; amounts in major units, e.g. "0.30")."""
    errors: dict[str, str] = {}
    name = " ".join(str(values.get("name", "")).split())
    if not name:
        errors["name"] = tr("Give the agreement a name")
    elif len(name) > NAME_MAX:
        errors["name"] = tr("At most {name_max} characters", name_max=NAME_MAX)
    share = Decimal(0)
    try:
        share = percent(str(values.get("operator_percent", "")))
    except ValueError as exc:
        errors["operator_percent"] = str(exc)
    currency = "EUR"
    try:
        currency = normalise_currency(str(values.get("currency", "")))
    except MoneyError as exc:
        errors["currency"] = str(exc)
    fees = {}
    for field in ("fee_per_session", "platform_fee"):
        try:
            fees[field] = parse_minor(str(values.get(field, "") or "0"), currency)
        except MoneyError as exc:
            errors[field] = str(exc)
    if errors:
        return None, errors
    clean = AgreementValues(name, share, fees["fee_per_session"], fees["platform_fee"], currency)
    return clean, {}


def money_text(minor: int, currency: str) -> str:
    """Minor units as the form's plain amount: 30 EUR -> "0.30", 150 JPY -> "150"."""
    return str(Decimal(minor).scaleb(-exponent(currency)))


def amount(minor: int, currency: str) -> Decimal:
    """Minor units as an exact amount in major units (what the CSV writes)."""
    return Decimal(minor).scaleb(-exponent(currency))
