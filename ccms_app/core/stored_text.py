"""Sentences stored in English, shown in the reader's language.

A note written when nobody reads it (a cost priced as a charger stops, a Stripe webhook) is
stored in English, the same for every reader: one of a few messages (marked with `N_` where
they are written) with its values filled in. `reword` finds which message a stored sentence
is and writes it again in the reader's language with the same values; a sentence none fits
(older wording, typed text) is shown as stored. Pure: no database, no Reflex. Used by
finance (pricing notes, Stripe mismatches, tariff reasons) and load balancing (the
controller's reasons and building notes).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from string import Formatter

from ccms_app.core.i18n import tr


def reword(
    stored: str,
    messages: Iterable[str],
    values: Mapping[str, Callable[[str], str]] | None = None,
) -> str:
    """`stored` (one of `messages` filled in, in English) in the reader's language; `values`
    words a value again by its name (a status code stored in English)."""
    found = fits(stored, messages)
    if found is None:
        return stored
    message, params = found
    for name, word in (values or {}).items():
        if name in params:
            params[name] = word(params[name])
    return tr(message, **params)


def fits(stored: str, messages: Iterable[str]) -> tuple[str, dict[str, str]] | None:
    """The first of `messages` that `stored` is, with its values; None when none is."""
    for message in messages:
        found = _pattern(message).fullmatch(stored)
        if found is not None:
            return message, found.groupdict()
    return None


@lru_cache(maxsize=256)
def _pattern(message: str) -> re.Pattern[str]:
    """The message as a pattern: its words literally, each `{name}` any text."""
    parts = []
    for literal, name, _spec, _conversion in Formatter().parse(message):
        parts.append(re.escape(literal))
        if name:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.DOTALL)
