"""Recipient lists of alarm e-mails and who hears of an alarm in the browser.

A rule's recipients are typed by an operator (commas, semicolons, one per line, any case,
repeats). The outbox stores one normalised form so that every alarm of one list lands in
the same digest: trimmed, lower-cased, deduplicated, sorted, joined by ",".
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[,;\n\r]+")


def normalise_recipients(typed: str) -> str:
    """The stored form of a typed recipient list ("" when it names nobody)."""
    addresses = {part.strip().lower() for part in _SEPARATORS.split(typed or "")}
    return ",".join(sorted(address for address in addresses if address))


def recipient_list(stored: str) -> list[str]:
    """A stored list back as addresses (what the SMTP envelope gets)."""
    return [address for address in stored.split(",") if address]


def normalise_role_ids(stored: str) -> str:
    """A rule's notify_role_ids as sorted ids ("" = every role that may view maintenance);
    what is not a number is ignored (an edited row must not hide alarms from everybody)."""
    ids = {int(part) for part in re.split(r"[,;\s]+", stored or "") if part.strip().isdigit()}
    return ",".join(str(role_id) for role_id in sorted(ids))


def role_is_notified(role_ids: str, role_id: int) -> bool:
    """Whether a role named by a rule's (normalised) notify_role_ids hears of the alarm."""
    return role_ids == "" or str(role_id) in role_ids.split(",")
