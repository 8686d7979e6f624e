"""The tariff-wide fields of the editor (currency, min / max price, the CCMS idle grace and
cap, rounding) as typed, and their OCPI / CCMS JSON; how a typed number is read.

Split from `fee_types` (the rows) so each stays small; `fee_types` re-exports these names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from ccms_app.core.i18n import N_, tr

GRACE_KEY, CAP_KEY, ROUNDING_KEY = "idle_grace_minutes", "idle_fee_cap", "rounding"
ROUNDINGS = {
    "half_up": N_("Half up (0.005 -> 0.01)"),
    "half_even": N_("Half even (0.005 -> 0.00, 0.015 -> 0.02)"),
    "down": N_("Down (truncate)"),
    "up": N_("Up"),
}
_SIXTY = Decimal(60)


@dataclass(frozen=True)
class TariffFields:
    """The tariff-wide values of the editor, as typed."""

    currency: str = "EUR"
    min_price: str = ""  # excl. VAT
    min_price_incl: str = ""
    max_price: str = ""
    max_price_incl: str = ""
    idle_grace_minutes: str = ""
    idle_fee_cap: str = ""  # excl. VAT
    rounding: str = "half_up"


def tariff_level(fields: TariffFields, errors: dict[str, str]) -> dict[str, Any]:
    """currency, min/max price, the CCMS idle grace / cap and rounding."""
    definition: dict[str, Any] = {"currency": fields.currency.strip().upper()}
    if not re.fullmatch(r"[A-Z]{3}", definition["currency"]):
        errors["currency"] = tr("An ISO 4217 code of 3 letters, e.g. EUR")
    for name in ("min_price", "max_price"):
        price = _price(fields, name, errors)
        if price is not None:
            definition[name] = price
    low, high = definition.get("min_price"), definition.get("max_price")
    if low is not None and high is not None and high["excl_vat"] < low["excl_vat"]:
        errors.setdefault("max_price", tr("The maximum price must not be below the minimum"))
    grace = fields.idle_grace_minutes.strip()
    if grace:
        minutes = parse_decimal(grace)
        if minutes is None or minutes * _SIXTY != (minutes * _SIXTY).to_integral_value():
            errors["idle_grace_minutes"] = tr("Minutes like 15 (whole seconds)")
        else:
            definition[GRACE_KEY] = minutes
    cap = fields.idle_fee_cap.strip()
    if cap:
        value = parse_decimal(cap)
        if value is None:
            errors["idle_fee_cap"] = tr("An amount like 10.00 (excl. VAT)")
        else:
            definition[CAP_KEY] = value
    if fields.rounding not in ROUNDINGS:
        errors["rounding"] = tr("Choose how amounts are rounded")
    definition[ROUNDING_KEY] = fields.rounding
    return definition


def _price(fields: TariffFields, name: str, errors: dict[str, str]) -> dict[str, Any] | None:
    excl_text = str(getattr(fields, name)).strip()
    incl_text = str(getattr(fields, f"{name}_incl")).strip()
    if not excl_text and not incl_text:
        return None
    excl, incl = parse_decimal(excl_text), parse_decimal(incl_text)
    if excl is None:
        errors[name] = tr("An amount like 1.00 (excl. VAT)")
    if incl_text and incl is None:
        errors[f"{name}_incl"] = tr("An amount like 1.19 (incl. VAT), or leave it empty")
    if excl is None or (incl_text and incl is None):
        return None
    price: dict[str, Any] = {"excl_vat": excl}
    if incl is not None:
        if incl < excl:
            errors[f"{name}_incl"] = tr("The price incl. VAT cannot be below the price excl. VAT")
        price["incl_vat"] = incl
    return price


def parse_decimal(text: str) -> Decimal | None:
    """A typed non-negative number ("0.35", "0,35", "12") exactly; None when it is not one."""
    cleaned = text.strip()
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?|\.[0-9]+", cleaned):
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        return None
