"""Vouchers decided without a database: what a voucher form may hold, whether a code may be
redeemed now, and what a percent voucher takes off a session.

Codes: 3 to 40 of A-Z, 0-9, "-" and "_", matched case-insensitively (stored in capitals).
A voucher gives either a value (credited to the wallet as bonus) or a percentage
(0 < p <= 100) off the holder's next charged session. `max_redemptions` caps the whole
code (1 = single-use, empty = unlimited); `per_holder_limit` caps each driver / group.
Validity: from `valid_from` (inclusive) until `valid_until` (exclusive), either open.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ccms_app.core.i18n import tr
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.core.money import MAX_MINOR, MoneyError, normalise_currency, parse_minor

VALUE, PERCENT = "value", "percent"
KINDS = (VALUE, PERCENT)
CODE_RE = re.compile(r"[A-Z0-9_-]{3,40}")
DESCRIPTION_MAX = 200
LIMIT_MAX = 1_000_000
UNLIMITED = ("", "unlimited", "none")
FORM_FIELDS = (
    "code",
    "description",
    "kind",
    "value",
    "value_minor",
    "percent",
    "currency",
    "max_redemptions",
    "per_holder_limit",
    "valid_from",
    "valid_until",
)


class VoucherFormError(ValueError):
    """The voucher form has errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class VoucherValues:
    code: str
    description: str
    kind: str
    value_minor: int
    percent: str  # plain decimal text, "" for a value voucher
    currency: str
    max_redemptions: int | None
    per_holder_limit: int
    valid_from: datetime | None
    valid_until: datetime | None


def normalise_code(text: str) -> str:
    """What a code is stored and matched as: trimmed, in capitals."""
    return text.strip().upper()


def code_problem(code: str) -> str | None:
    if not CODE_RE.fullmatch(code):
        return "3 to 40 characters: letters A-Z, digits, - and _."
    return None


def _limit(text: str, unlimited: bool) -> int | None:
    """A positive whole number, or None (unlimited) where allowed; ValueError otherwise."""
    cleaned = text.strip().lower()
    if unlimited and cleaned in UNLIMITED:
        return None
    value = int(cleaned)
    if not 1 <= value <= LIMIT_MAX:
        raise ValueError
    return value


def parse_percent(text: str) -> Decimal:
    """ "15" / "12.5" / "12,5" -> Decimal; ValueError unless 0 < p <= 100, 2 decimals."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite() or not 0 < value <= 100 or value != value.quantize(Decimal("0.01")):
        raise ValueError(text)
    return value


def _value_minor(form: Mapping[str, str], currency: str) -> int:
    """`value` as typed ("5.00"), or `value_minor` in minor units (the API)."""
    raw = str(form.get("value_minor", "")).strip()
    if not raw:
        return parse_minor(form.get("value", ""), currency)
    if not raw.isdigit() or int(raw) > MAX_MINOR:
        raise MoneyError(tr("A whole number of minor units, e.g. 500 for 5.00."))
    return int(raw)


def _money_fields(
    form: Mapping[str, str], kind: str, currency: str, errors: dict[str, str]
) -> tuple[int, str]:
    value_minor, percent = 0, ""
    if kind == VALUE:
        try:
            value_minor = _value_minor(form, currency)
            if value_minor <= 0:
                errors["value"] = tr("A value voucher gives more than zero.")
        except MoneyError as exc:
            errors["value"] = str(exc)
    elif kind == PERCENT:
        try:
            percent = f"{parse_percent(form.get('percent', '')).normalize():f}"
        except ValueError:
            errors["percent"] = tr("A percentage above 0 and at most 100 (2 decimals), e.g. 15.")
    return value_minor, percent


def _limits(form: Mapping[str, str], errors: dict[str, str]) -> tuple[int | None, int]:
    max_redemptions, per_holder = None, 1
    try:
        max_redemptions = _limit(form.get("max_redemptions", ""), unlimited=True)
    except ValueError:
        errors["max_redemptions"] = tr(
            "A whole number from 1 (single-use), or empty for unlimited."
        )
    try:
        per_holder = _limit(form.get("per_holder_limit", "") or "1", unlimited=False) or 1
    except ValueError:
        errors["per_holder_limit"] = tr("A whole number from 1: how often one holder may redeem.")
    return max_redemptions, per_holder


def _window(
    form: Mapping[str, str], zone: str, errors: dict[str, str]
) -> tuple[datetime | None, datetime | None]:
    found: dict[str, datetime | None] = {}
    for name in ("valid_from", "valid_until"):
        try:
            found[name] = wall_time_to_utc(form.get(name, ""), zone)
        except ValueError:
            errors[name] = tr("A date and time such as 2026-03-01T08:00, or empty.")
            found[name] = None
    since, until = found["valid_from"], found["valid_until"]
    if since is not None and until is not None and until <= since:
        errors["valid_until"] = tr("The end of validity must come after its start.")
    return since, until


def check_voucher(form: Mapping[str, str], default_currency: str, zone: str) -> VoucherValues:
    """Clean voucher values from the form's strings, or VoucherFormError naming every
    wrong field. Times without an offset are read in `zone`."""
    errors: dict[str, str] = {}
    code = normalise_code(form.get("code", ""))
    problem = code_problem(code)
    if problem:
        errors["code"] = problem
    description = form.get("description", "").strip()
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = tr(
            "At most {description_max} characters.", description_max=DESCRIPTION_MAX
        )
    kind = form.get("kind", VALUE).strip().lower() or VALUE
    if kind not in KINDS:
        errors["kind"] = tr("Choose value or percent.")
    try:
        currency = normalise_currency(form.get("currency", "") or default_currency)
    except MoneyError as exc:
        errors["currency"], currency = str(exc), default_currency
    value_minor, percent = _money_fields(form, kind, currency, errors)
    max_redemptions, per_holder = _limits(form, errors)
    since, until = _window(form, zone, errors)
    if errors:
        raise VoucherFormError(errors)
    return VoucherValues(
        code,
        description,
        kind,
        value_minor,
        percent,
        currency,
        max_redemptions,
        per_holder,
        since,
        until,
    )


@dataclass(frozen=True)
class RedeemFacts:
    """What the database says about a voucher and a holder at the moment of redeeming."""

    active: bool
    valid_from: datetime | None
    valid_until: datetime | None
    redemption_count: int
    max_redemptions: int | None
    eligible: bool
    holder_redemptions: int
    per_holder_limit: int


# Why a redemption is refused: (reason key, message template with {code} and {when}).
INACTIVE = "inactive"
NOT_YET_VALID = "not_yet_valid"
EXPIRED = "expired"
USED_UP = "used_up"
NOT_ELIGIBLE = "not_eligible"
ALREADY_REDEEMED = "already_redeemed"
UNKNOWN = "unknown"


def refusal(facts: RedeemFacts, now: datetime) -> str | None:
    """The first reason the voucher cannot be redeemed now by this holder, or None."""
    if not facts.active:
        return INACTIVE
    if facts.valid_from is not None and now < facts.valid_from:
        return NOT_YET_VALID
    if facts.valid_until is not None and now >= facts.valid_until:
        return EXPIRED
    if not facts.eligible:
        return NOT_ELIGIBLE
    if facts.holder_redemptions >= facts.per_holder_limit:
        return ALREADY_REDEEMED
    if facts.max_redemptions is not None and facts.redemption_count >= facts.max_redemptions:
        return USED_UP
    return None


def refusal_message(reason: str, code: str, when: str = "", limit: int = 1) -> str:
    """What the operator (or driver) reads for a refused code."""
    if reason == UNKNOWN:
        return tr("No voucher with the code {code}.", code=code)
    if reason == INACTIVE:
        return tr("The voucher {code} is no longer active.", code=code)
    if reason == NOT_YET_VALID:
        return tr("The voucher {code} is not valid yet: it starts {when}.", code=code, when=when)
    if reason == EXPIRED:
        return tr("The voucher {code} expired {when}.", code=code, when=when)
    if reason == USED_UP:
        return tr("The voucher {code} is used up.", code=code)
    if reason == NOT_ELIGIBLE:
        return tr("The voucher {code} is not for this driver or group.", code=code)
    if reason == ALREADY_REDEEMED:
        if limit == 1:
            return tr("Already redeemed: {code} may be redeemed once per holder.", code=code)
        return tr(
            "Already redeemed: {code} may be redeemed {limit} times per holder.",
            code=code,
            limit=limit,
        )
    raise KeyError(reason)


def discount_minor(cost_incl_minor: int, percent: Decimal) -> int:
    """`percent` of the cost, rounded half-up to the minor unit, never more than the cost."""
    if cost_incl_minor <= 0:
        return 0
    exact = Decimal(cost_incl_minor) * percent / Decimal(100)
    return min(cost_incl_minor, int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)))
