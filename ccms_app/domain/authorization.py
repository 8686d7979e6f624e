"""Whether an id tag may charge, as OCPP 1.6 IdTagInfo.status values."""

from __future__ import annotations

from datetime import datetime

ACCEPTED = "Accepted"
BLOCKED = "Blocked"
EXPIRED = "Expired"
INVALID = "Invalid"
CONCURRENT_TX = "ConcurrentTx"


def id_tag_status(
    *,
    known: bool,
    blocked: bool,
    expiry: datetime | None,
    now: datetime,
    in_other_transaction: bool = False,
    charge_point_registered: bool = True,
) -> str:
    """The IdTagInfo status for a tag. Order matters: an unknown or blocked card says so even
    when it is also expired, so the driver gets the most useful message."""
    if not charge_point_registered or not known:
        return INVALID
    if blocked:
        return BLOCKED
    if expiry is not None and expiry <= now:
        return EXPIRED
    if in_other_transaction:
        return CONCURRENT_TX
    return ACCEPTED
