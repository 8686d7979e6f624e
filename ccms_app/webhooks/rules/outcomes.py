"""What an attempt to reach a receiver ended with, in words.

The worker stores each attempt's error (a delivery's `error`, the subscription's
`last_outcome`) in English, as written here: the log and the API read it as stored. The
pages word it in the reader's language (`outcome_text`): a stored text made from one of
these messages is read back into its values and translated; any other text (an HTTP status,
an exception's own words) is shown as stored.
"""

from __future__ import annotations

import re

from ccms_app.core.i18n import N_, tr

REDIRECT = N_("HTTP {status}: redirects are not followed")
NO_ANSWER = N_("no answer within {seconds} s")
NO_CONNECTION = N_("could not connect: {error}")

# Each message, as a pattern over the stored English text (values as named groups).
_STORED: tuple[tuple[str, re.Pattern[str]], ...] = (
    (REDIRECT, re.compile(r"HTTP (?P<status>\d+): redirects are not followed")),
    (NO_ANSWER, re.compile(r"no answer within (?P<seconds>[\d.]+) s")),
    (NO_CONNECTION, re.compile(r"could not connect: (?P<error>.*)", re.DOTALL)),
)


def redirect_refused(status: int) -> str:
    """As stored: "HTTP 302: redirects are not followed"."""
    return REDIRECT.format(status=status)


def no_answer(seconds: float) -> str:
    """As stored: "no answer within 10 s"."""
    return NO_ANSWER.format(seconds=f"{seconds:g}")


def no_connection(error: object) -> str:
    """As stored: "could not connect: <the connection error's words>"."""
    return NO_CONNECTION.format(error=error)


def outcome_text(stored: str) -> str:
    """A stored outcome in the reader's language (as stored when it is none of these)."""
    for msgid, pattern in _STORED:
        found = pattern.fullmatch(stored)
        if found is not None:
            return tr(msgid, **found.groupdict())
    return stored
