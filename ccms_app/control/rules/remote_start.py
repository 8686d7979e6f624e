"""What followed a RemoteStartTransaction the charger accepted.

"Accepted" only means the charger will wait for a car: the transaction itself may then start,
be refused by CCMS (an unknown or blocked id tag, ConcurrentTx: the tag is already charging),
or never come (nobody plugged in before the charger's ConnectionTimeOut). The command history
says which, so an operator helping a driver on the phone sees the real result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ccms_app.core.i18n import N_

REMOTE_START = "RemoteStartTransaction"
DEFAULT_WAIT = timedelta(minutes=3)  # when the charger's ConnectionTimeOut is not known
GRACE = timedelta(seconds=30)  # the StartTransaction may arrive a little after the timeout
CLOCK_SKEW = timedelta(seconds=60)  # a transaction's start time is the charger's clock


@dataclass(frozen=True)
class FollowingTransaction:
    transaction_id: int
    id_tag_status: str  # what CCMS answered the StartTransaction: Accepted, Invalid, ...


def wait_for_plug_in(connection_timeout: str | None) -> timedelta:
    """How long the charger waits for a car: its ConnectionTimeOut (seconds) if it reported
    one, plus a grace period."""
    if connection_timeout is not None and connection_timeout.strip().isdigit():
        return timedelta(seconds=int(connection_timeout)) + GRACE
    return DEFAULT_WAIT


def follow_up(
    sent_at: datetime,
    now: datetime,
    transaction: FollowingTransaction | None,
    wait: timedelta,
) -> tuple[str, dict[str, object]]:
    """The outcome after the charger accepted: a message id and its values."""
    if transaction is not None:
        values: dict[str, object] = {"transaction": transaction.transaction_id}
        if transaction.id_tag_status == "Accepted":
            return N_("Transaction {transaction} started."), values
        values["reason"] = transaction.id_tag_status
        return N_("Transaction {transaction} refused: {reason}."), values
    if now < sent_at + wait:
        return N_("Accepted: waiting for a car to be plugged in."), {}
    minutes = max(1, round(wait.total_seconds() / 60))
    return N_("No transaction started within {minutes} min: no car was plugged in."), {
        "minutes": minutes
    }
