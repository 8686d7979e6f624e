"""Whether an id tag may charge, as OCPP 1.6 IdTagInfo.status values.

Who owns a card matters too (`owner_blocked`), decided in drivers.authorization:
- a driver's card is Blocked while the driver is suspended;
- a group card (assigned to a user group, charging on the group account) is Blocked while the
  group has no authorised member whose driver is active: only authorised members may charge on
  the group account, so a group without any has nobody the card may stand for;
- a driver's own card is not affected by the driver's group memberships: "authorised" decides
  whether the driver may charge on the group account (billing), not whether the card works.
"""

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
    owner_blocked: bool = False,
) -> str:
    """The IdTagInfo status for a tag. Order matters: an unknown or blocked card says so even
    when it is also expired, so the driver gets the most useful message."""
    if not charge_point_registered or not known:
        return INVALID
    if blocked or owner_blocked:
        return BLOCKED
    if expiry is not None and expiry <= now:
        return EXPIRED
    if in_other_transaction:
        return CONCURRENT_TX
    return ACCEPTED
