"""What an operator types into a webhook subscription, checked field by field.

The form sends strings (the web UI and the REST API alike, `api.forms.as_form`): `name`,
`url`, `events` (comma-separated types or "*"), `enabled` ("true"/"false") and `secret`
(empty: CCMS makes one, or keeps the current one). Every field's problem is reported at once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlsplit

from ccms_app.core.i18n import tr
from ccms_app.webhooks.rules.events import validate_selection
from ccms_app.webhooks.rules.signing import validate_secret

MAX_NAME_CHARS = 120
MAX_URL_CHARS = 2000
T = TypeVar("T")
TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
FALSE_WORDS = frozenset({"false", "no", "off", "0"})


@dataclass(frozen=True)
class SubscriptionInput:
    name: str
    url: str
    events: str  # the stored selection
    enabled: bool
    secret: str  # "" = make one (create) or keep the current one (update)


def validate_name(value: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValueError(tr("Give the webhook a name that says where it goes (e.g. ERP)."))
    if len(cleaned) > MAX_NAME_CHARS or not cleaned.isprintable():
        raise ValueError(
            tr(
                "A name has at most {max_name_chars} printable characters.",
                max_name_chars=MAX_NAME_CHARS,
            )
        )
    return cleaned


def validate_url(value: str) -> str:
    """An absolute http(s) URL with a host, no credentials and nothing unprintable."""
    url = value.strip()
    if not url:
        raise ValueError(tr("Enter the URL CCMS posts the events to."))
    if len(url) > MAX_URL_CHARS or not url.isascii() or not url.isprintable() or " " in url:
        raise ValueError(
            tr(
                "A URL has at most {max_url_chars} characters, without spaces; "
                "write non-ASCII host names in their xn-- form.",
                max_url_chars=MAX_URL_CHARS,
            )
        )
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port out of range
    except ValueError as exc:
        raise ValueError(tr("This is not a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise ValueError(tr("Only http:// and https:// URLs can receive webhooks."))
    if not parts.hostname:
        raise ValueError(tr("The URL needs a host name, e.g. https://erp.example.com/ccms."))
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            tr(
                "Leave credentials out of the URL: it is shown in lists and logs. The receiver "
                "checks the CCMS-Signature header instead."
            )
        )
    if port == 0:
        raise ValueError(tr("Port 0 cannot receive anything."))
    return url


def read_enabled(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(tr("Say true or false."))


def _checked(
    form: Mapping[str, str],
    field: str,
    check: Callable[[str], T],
    errors: dict[str, str],
    default: str = "",
) -> T | None:
    try:
        return check(form.get(field, default))
    except ValueError as exc:
        errors[field] = str(exc)
        return None


def _selection(text: str) -> str:
    return validate_selection(text.split(","))


def _secret(text: str) -> str:
    return validate_secret(text) if text else ""


def read_form(form: Mapping[str, str]) -> tuple[SubscriptionInput | None, dict[str, str]]:
    """The checked input, or None with every field's problem."""
    errors: dict[str, str] = {}
    name = _checked(form, "name", validate_name, errors)
    url = _checked(form, "url", validate_url, errors)
    events = _checked(form, "events", _selection, errors)
    enabled = _checked(form, "enabled", read_enabled, errors, default="true")
    secret = _checked(form, "secret", _secret, errors)
    if name is None or url is None or events is None or enabled is None or secret is None:
        return None, errors
    return SubscriptionInput(name, url, events, enabled, secret), {}
