"""What Stripe accepts, checked before Stripe is asked (pure: no IO).

Input Stripe would refuse is the caller's mistake, named on the caller's field (a 422 in the
API), not Stripe's refusal after the fact (a 502 and a failed row): amounts within Stripe's
minimum charge and its 8-digit maximum, return pages that are absolute http(s) URLs.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from ccms_app.core.i18n import tr
from ccms_app.core.money import format_minor

STRIPE_MAX_MINOR = 99_999_999  # Stripe's largest amount: 8 digits of minor units
# Stripe's smallest charge per currency, in minor units (its "minimum charge amounts");
# other currencies: 1 minor unit (Stripe converts those; we cannot know the rate).
STRIPE_MINIMUM_MINOR: dict[str, int] = {
    "USD": 50, "AED": 200, "AUD": 50, "BGN": 100, "BRL": 50, "CAD": 50, "CHF": 50,
    "CZK": 1500, "DKK": 250, "EUR": 50, "GBP": 30, "HKD": 400, "HUF": 17500, "INR": 50,
    "JPY": 50, "MXN": 1000, "MYR": 200, "NOK": 300, "NZD": 50, "PLN": 200, "RON": 200,
    "SEK": 300, "SGD": 50, "THB": 1000,
}  # fmt: skip
URL_MAX = 500  # ours; Stripe takes up to 5000
_HOST_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def amount_problem(amount_minor: int, currency: str) -> str:
    """Why Stripe would refuse to charge `amount_minor` of `currency`; "" when it takes it."""
    minimum = STRIPE_MINIMUM_MINOR.get(currency.upper(), 1)
    if amount_minor < minimum:
        return tr(
            "Card payments are at least {amount} (Stripe's minimum).",
            amount=format_minor(minimum, currency),
        )
    if amount_minor > STRIPE_MAX_MINOR:
        return tr(
            "Card payments are at most {amount}.", amount=format_minor(STRIPE_MAX_MINOR, currency)
        )
    return ""


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        labels = host.split(".")
        return len(host) <= 253 and all(_HOST_LABEL.fullmatch(label) for label in labels)
    return True


def url_problem(url: str) -> str:
    """Why Stripe would refuse `url` as the page to send the payer back to; "" when fine.
    An absolute http(s) URL of printable ASCII (percent-encode the rest) with a valid host
    name or IP address; Stripe's `{CHECKOUT_SESSION_ID}` placeholder may be in it."""
    if len(url) > URL_MAX:
        return tr("At most {url_max} characters.", url_max=URL_MAX)
    if not (url.isascii() and url.isprintable()) or " " in url:
        return tr("Must be a URL without spaces or non-ASCII characters (percent-encode them).")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return tr("Not a valid URL (its host or port).")
    if parts.scheme not in ("http", "https") or not url.lower().startswith(f"{parts.scheme}://"):
        return tr("Must be an absolute URL starting with https:// or http://.")
    if parts.username is not None or parts.password is not None:
        return tr("Must not carry a user name or password.")
    if port == 0 or not _host_ok(parts.hostname or ""):
        return tr("Not a valid URL: the host must be a domain name or an IP address.")
    return ""
