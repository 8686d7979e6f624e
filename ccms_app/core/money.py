"""Money as integer minor units of an ISO 4217 currency: parse what an operator types, format
what the pages show. Never a float.

Rounding rule for input: none. A typed amount is converted exactly or refused: "0.29" EUR is
29 cents, "0.290" too (trailing zeros are exact), "0.295" EUR is refused because a cent
cannot hold it. Whoever needs rounding (billing) rounds explicitly with `round_minor`.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale
from babel.numbers import format_currency

from ccms_app.core.i18n import babel_locale, reader_language, tr


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 codes whose minor unit is not 2 decimals.
_EXPONENTS: dict[str, int] = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    "CLF": 4,
    "UYW": 4,
}
# Active ISO 4217 currency codes (funds and precious metals left out).
CURRENCIES: frozenset[str] = frozenset(
    _codes(
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN
    BWP BYN BZD CAD CDF CHF CLF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR
    FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD
    JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT
    MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG
    QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS
    TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER
    ZAR ZMW ZWG
    """
    )
)
MAX_MINOR = 10**9  # a price per kWh above a billion minor units is a typing error
_AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")


class MoneyError(ValueError):
    """The amount or currency cannot be used; the message says why, for the operator."""


def normalise_currency(code: str) -> str:
    """An ISO 4217 code in capitals ("eur" -> "EUR"); MoneyError when it is not one."""
    code = code.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise MoneyError(tr("currency must be an ISO 4217 code of 3 letters, e.g. EUR"))
    if code not in CURRENCIES:
        raise MoneyError(tr("{code} is not an ISO 4217 currency code", code=code))
    return code


def exponent(currency: str) -> int:
    """Decimals of the currency's minor unit (EUR 2, JPY 0, KWD 3)."""
    return _EXPONENTS.get(currency.upper(), 2)


def parse_minor(text: str, currency: str) -> int:
    """Integer minor units for a typed non-negative amount such as "0.29" or "0,29".

    One comma is read as the decimal separator; thousands separators, signs and exponents
    are refused. More significant decimals than the currency has are refused, not rounded.
    """
    digits = exponent(currency)
    cleaned = text.strip()
    if not cleaned:
        raise MoneyError(tr("Give an amount, e.g. 0.29"))
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _AMOUNT_RE.fullmatch(cleaned):
        raise MoneyError(f"{text.strip()!r} is not an amount; write it like 0.29")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules this out
        raise MoneyError(f"{text.strip()!r} is not an amount") from exc
    scaled = amount.scaleb(digits)
    if scaled != scaled.to_integral_value():
        unit = "no decimals" if digits == 0 else f"at most {digits} decimals"
        raise MoneyError(
            tr(
                "{upper} amounts have {unit}; {cleaned} would need rounding",
                upper=currency.upper(),
                unit=unit,
                cleaned=cleaned,
            )
        )
    minor = int(scaled)
    if minor > MAX_MINOR:
        raise MoneyError(
            tr("{cleaned} {upper} is too large", cleaned=cleaned, upper=currency.upper())
        )
    return minor


def format_minor(minor: int, currency: str, with_code: bool = True) -> str:
    """ "0.29 EUR" for 29 (EUR); "150 JPY" for 150 (JPY)."""
    digits = exponent(currency)
    sign = "-" if minor < 0 else ""
    whole, fraction = divmod(abs(minor), 10**digits)
    text = f"{sign}{whole}" + (f".{fraction:0{digits}d}" if digits else "")
    return f"{text} {currency.upper()}" if with_code else text


def round_minor(amount: Decimal, currency: str, rounding: str = ROUND_HALF_UP) -> int:
    """An exact amount in major units (e.g. kWh x price) rounded to minor units by `rounding`
    (a decimal module constant), for callers that must round, such as billing."""
    return int(amount.scaleb(exponent(currency)).quantize(Decimal(1), rounding=rounding))


_FRACTION_RE = re.compile(r"\.0+")


@lru_cache(maxsize=256)
def _currency_pattern(locale: str, digits: int) -> str:
    """The locale's currency pattern with exactly `digits` decimals: CLDR's own digits for a
    currency can differ from ISO 4217 (IQD: 0 against 3), and an amount must never be rounded
    for display."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    return _FRACTION_RE.sub("." + "0" * digits if digits else "", pattern)


def format_money(minor: int, currency: str, locale: str | None = None) -> str:
    """ "€0.29" for 29 (EUR), "¥150" for 150 (JPY), "-€1.50" for -150: the currency's symbol
    and its ISO 4217 minor unit, laid out as `locale` writes money (Babel); by default as the
    reader's language does ("0,29 €" in German)."""
    locale = locale or babel_locale(reader_language())
    digits = exponent(currency)
    amount = Decimal(minor).scaleb(-digits)
    pattern = _currency_pattern(locale, digits)
    return format_currency(amount, currency.upper(), pattern, locale=locale, currency_digits=False)
