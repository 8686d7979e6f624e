"""When a session that never got its StopTransaction has ended anyway (docs/data-policy.md,
"Sessions that end").

Chargers lose StopTransactions: a reset, a power cut, a full offline queue. Left open, such a
session counts as running for ever and holds its driver's card (ConcurrentTx). Three signs
say it ended, in this order:
- its connector reported Available after it started, with no meter reading since: the
  vehicle left (OCPP 1.6: Finishing -> Available after a transaction);
- the charge point booted after it started, with no meter reading since and its connector not
  charging: 1.6 transactions do not survive a reboot, and a charger that resumes one keeps
  sending its MeterValues;
- it is older than the maximum age a real session can last.
The first two wait for a grace period first: a charger that comes back online replays its
queued StopTransaction, and the real one is better than the policy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

AVAILABLE = "Available"
# The connector is still in a transaction in these states (a resumed one after a reboot).
IN_TRANSACTION = frozenset({"Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"})


@dataclass(frozen=True)
class OpenSession:
    """What the policy looks at for one session that has no stop yet."""

    start_time: datetime
    meter_updated_at: datetime | None  # the newest meter reading's time
    connector_status: str | None  # None: the session has no connector row
    connector_status_at: datetime | None
    last_boot_at: datetime | None


@dataclass(frozen=True)
class SessionEnd:
    at: datetime  # when the session ended (its stop time)
    reason: str  # why CCMS closed it (the session's flag)


def _quiet_since(s: OpenSession, at: datetime) -> bool:
    """No meter reading after `at`: nothing says the session went on."""
    return s.meter_updated_at is None or s.meter_updated_at <= at


def ended_without_stop(s: OpenSession) -> SessionEnd | None:
    """The evidence that the session ended, if any (grace not applied)."""
    status_at = s.connector_status_at
    if (
        s.connector_status == AVAILABLE
        and status_at is not None
        and status_at > s.start_time
        and _quiet_since(s, status_at)
    ):
        return SessionEnd(status_at, "connector reported Available without a StopTransaction")
    boot = s.last_boot_at
    if (
        boot is not None
        and boot > s.start_time
        and _quiet_since(s, boot)
        and not (s.connector_status in IN_TRANSACTION and (status_at or boot) > boot)
    ):
        return SessionEnd(boot, "charge point rebooted without a StopTransaction")
    return None


def session_end(
    s: OpenSession, now: datetime, grace: timedelta, max_age: timedelta
) -> SessionEnd | None:
    """Whether CCMS closes the session now, and how."""
    ended = ended_without_stop(s)
    if ended is not None and now - ended.at >= grace:
        return ended
    if now - s.start_time >= max_age:
        hours = int(max_age.total_seconds() // 3600)
        return SessionEnd(now, f"still open after the maximum age of {hours} h")
    return None
