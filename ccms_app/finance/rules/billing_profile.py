"""What an organisation's billing settings may hold, checked field by field (pure).

The settings form and the REST API send strings; `check_profile` answers the clean values or
every wrong field's message at once, so the operator fixes them in one go. The time zone is
checked by the stations' rule (network.rules.asset_validation.timezone_error).
The logo is checked by its bytes: PNG or JPEG by signature (not by the name it came with),
at most 512 KB.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ccms_app.core.i18n import CODES, DEFAULT, tr
from ccms_app.core.money import MoneyError, normalise_currency
from ccms_app.network.rules.asset_validation import timezone_error

ROUNDINGS = ("half_up", "half_even")
NAME_MAX = 200
ADDRESS_MAX = 500
VAT_ID_MAX = 32
EMAIL_MAX = 320
ZONE_MAX = 64
LOGO_MAX_BYTES = 512 * 1024
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
FIELDS = (
    "currency",
    "vat_percent",
    "rounding",
    "time_zone",
    "language",
    "seller_name",
    "seller_address",
    "seller_vat_id",
    "seller_email",
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_VAT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .-]*")
_VAT_PERCENT = re.compile(r"[0-9]{1,3}([.,][0-9]+)?")


class BillingProfileError(ValueError):
    """The settings have errors: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ProfileValues:
    """Clean settings, ready to store (VAT as plain decimal text, "" = none)."""

    currency: str
    vat_percent: str
    rounding: str
    time_zone: str
    language: str  # of its receipts, invoices and e-mails to drivers
    seller_name: str
    seller_address: str
    seller_vat_id: str
    seller_email: str


def vat_percent(raw: str) -> str:
    """ "19", "7.5", "7,50" -> the plain decimal text; "" -> "" (no VAT). ValueError says why."""
    text = raw.strip()
    if not text:
        return ""
    if not _VAT_PERCENT.fullmatch(text):
        raise ValueError(tr("must be a percentage like 19 or 7.5 (0 to 100)"))
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        raise ValueError(tr("must be a percentage like 19 or 7.5")) from None
    if value > 100:
        raise ValueError(tr("must be between 0 and 100"))
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(tr("may have at most 2 decimals"))
    return f"{value.normalize():f}"


def _text(
    errors: dict[str, str], values: Mapping[str, str], name: str, limit: int, label: str
) -> str:
    value = str(values.get(name, "") or "").strip()
    if len(value) > limit:
        errors[name] = tr("{label} has at most {limit} characters", label=label, limit=limit)
    return value


def _checked(errors: dict[str, str], name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except (ValueError, MoneyError) as exc:
        errors[name] = str(exc)
        return ""


def check_profile(values: Mapping[str, str]) -> ProfileValues:
    """The clean settings, or BillingProfileError naming every wrong field."""
    errors: dict[str, str] = {}
    currency = _checked(
        errors, "currency", lambda: normalise_currency(str(values.get("currency", "")))
    )
    vat = _checked(errors, "vat_percent", lambda: vat_percent(str(values.get("vat_percent", ""))))
    rounding = str(values.get("rounding", "") or "").strip()
    if rounding not in ROUNDINGS:
        errors["rounding"] = tr("must be half_up or half_even")
    zone = _text(errors, values, "time_zone", ZONE_MAX, tr("The time zone"))
    if "time_zone" not in errors and (zone_problem := timezone_error(zone)):
        errors["time_zone"] = zone_problem  # the stations' rule (network.rules)
    language = str(values.get("language", "") or DEFAULT).strip()
    if language not in CODES:
        errors["language"] = tr("must be one of {codes}", codes=", ".join(sorted(CODES)))
    name = _text(errors, values, "seller_name", NAME_MAX, tr("The seller name"))
    address = _text(errors, values, "seller_address", ADDRESS_MAX, tr("The address"))
    vat_id = _text(errors, values, "seller_vat_id", VAT_ID_MAX, tr("The VAT id"))
    if vat_id and "seller_vat_id" not in errors and not _VAT_ID.fullmatch(vat_id):
        errors["seller_vat_id"] = tr("may hold letters, digits, spaces, dots and dashes only")
    email = _text(errors, values, "seller_email", EMAIL_MAX, tr("The e-mail"))
    if email and "seller_email" not in errors and not _EMAIL.fullmatch(email):
        errors["seller_email"] = tr("{email} is not an e-mail address", email=repr(email))
    if errors:
        raise BillingProfileError(errors)
    return ProfileValues(currency, vat, rounding, zone, language, name, address, vat_id, email)


def logo_extension(data: bytes) -> str:
    """ "png" or "jpg" for an acceptable logo; BillingProfileError (field "logo") otherwise."""
    if not data:
        raise BillingProfileError({"logo": tr("the file is empty")})
    if len(data) > LOGO_MAX_BYTES:
        raise BillingProfileError({"logo": tr("must be at most 512 KB")})
    if data.startswith(PNG_SIGNATURE):
        return "png"
    if data.startswith(JPEG_SIGNATURE):
        return "jpg"
    raise BillingProfileError({"logo": tr("must be a PNG or JPEG image")})
