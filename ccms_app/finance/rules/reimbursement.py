"""Reimbursement of home charging, decided without a database.

An employer repays an employee the electricity a company car charged at the employee's home:
the kWh the home charger metered for sessions started with the employee's own cards, at the
employee's electricity rate (per kWh, in the rate's currency). The amount is exact until the
end and rounded half up ONCE, on the month's total per employee, never per session.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ccms_app.core.i18n import tr
from ccms_app.core.money import MoneyError, normalise_currency, round_minor
from ccms_app.finance.rules.documents import energy_kwh

RATE_DECIMALS = 6
RATE_MAX = Decimal(1000)  # per kWh: above is a typing error
RATE_TEXT_MAX = 16  # the column
_RATE = re.compile(r"[0-9]{1,4}(\.[0-9]+)?")


@dataclass(frozen=True)
class ChargedEnergy:
    """One session counted for the employee: what the home charger metered."""

    session_id: int
    stopped_at: datetime
    charge_point: str
    id_tag: str
    energy_wh: int
    rate_per_kwh: Decimal

    @property
    def exact_amount(self) -> Decimal:
        return energy_kwh(self.energy_wh) * self.rate_per_kwh


@dataclass(frozen=True)
class Reimbursement:
    """An employee's month: the sessions, their energy, the exact and the rounded amount."""

    currency: str
    sessions: tuple[ChargedEnergy, ...]
    energy_wh: int
    exact_amount: Decimal
    amount_minor: int

    @property
    def rates(self) -> tuple[Decimal, ...]:
        """The distinct rates applied, ascending (one in the usual case)."""
        return tuple(sorted({s.rate_per_kwh for s in self.sessions}))


def reimburse(sessions: Iterable[ChargedEnergy], currency: str) -> Reimbursement:
    """The sum of kWh x rate over the sessions, rounded half up once to minor units."""
    ordered = tuple(sorted(sessions, key=lambda s: (s.stopped_at, s.session_id)))
    exact = sum((s.exact_amount for s in ordered), Decimal(0))
    return Reimbursement(
        currency=currency,
        sessions=ordered,
        energy_wh=sum(s.energy_wh for s in ordered),
        exact_amount=exact,
        amount_minor=round_minor(exact, currency, ROUND_HALF_UP),
    )


def rate(text: str) -> Decimal:
    """ "0.3125" / "0,3125" -> Decimal; ValueError saying why (above 0, at most 6 decimals)."""
    cleaned = text.strip().replace(",", ".")
    if not cleaned:
        raise ValueError(tr("Give the employee's electricity rate per kWh, e.g. 0.32"))
    if not _RATE.fullmatch(cleaned):
        raise ValueError(tr("{text} is not a rate; write it like 0.32", text=repr(text.strip())))
    try:
        value = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        raise ValueError(tr("{text} is not a rate", text=repr(text.strip()))) from None
    if not 0 < value <= RATE_MAX:
        raise ValueError(
            tr("The rate must be above 0 and at most {rate_max} per kWh", rate_max=RATE_MAX)
        )
    if value != value.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        raise ValueError(tr("At most {rate_decimals} decimals", rate_decimals=RATE_DECIMALS))
    return value.normalize()


def rate_text(value: Decimal) -> str:
    """The stored text of a rate: "0.32", "0.3125"."""
    return f"{value.normalize():f}"


@dataclass(frozen=True)
class HomeChargerValues:
    rate_per_kwh: Decimal
    currency: str


def check_home_charger(
    values: Mapping[str, str],
) -> tuple[HomeChargerValues | None, dict[str, str]]:
    """The rate and currency, or every wrong field's message (rate_per_kwh, currency)."""
    errors: dict[str, str] = {}
    found_rate = Decimal(0)
    try:
        found_rate = rate(str(values.get("rate_per_kwh", "")))
    except ValueError as exc:
        errors["rate_per_kwh"] = str(exc)
    currency = ""
    try:
        currency = normalise_currency(str(values.get("currency", "")))
    except MoneyError as exc:
        errors["currency"] = str(exc)
    if errors:
        return None, errors
    return HomeChargerValues(found_rate, currency), {}
