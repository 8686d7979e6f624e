"""What the alarm bell shows one tab: the organisation's shared view filtered by the tab's
role. Pure: the view comes from notifications.bell, the role from the tab's login.

An alarm reaches a role when its rule names the role (notify_role_ids) or names none ("" =
every role that may view maintenance; the bell is only offered to those). The counter counts
the open alarms that reach the role; a toast shows the new ones (id beyond what the tab has
seen) whose rule wants a browser notification (notify_browser).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ccms_app.maintenance.notifications.rules.recipients import role_is_notified

TOASTS_SHOWN = 3  # alarms listed in the toast; the rest are counted


@dataclass
class AudienceCount:
    """Open alarms of one audience (a rule's roles), by severity."""

    roles: str = ""  # normalised role ids; "" = everyone with maintenance:view
    critical: int = 0
    major: int = 0
    minor: int = 0
    warning: int = 0


@dataclass
class BellAlarm:
    """One of the newest open alarms, as the toast shows it."""

    id: int = 0
    title: str = ""  # "Connector faulted"
    where: str = ""  # "CP-001 connector 1 · Depot North"
    severity: str = ""
    roles: str = ""
    toast: bool = True
    href: str = ""


@dataclass
class BellView:
    """One organisation's bell, shared by its tabs."""

    audiences: list[AudienceCount] = field(default_factory=list)
    newest: list[BellAlarm] = field(default_factory=list)  # newest first
    updated_at: str = ""


@dataclass
class BellCounts:
    """The counter of one tab."""

    total: int = 0
    critical: int = 0
    major: int = 0
    minor: int = 0
    warning: int = 0
    label: str = ""  # "3" or "99+"


@dataclass
class Toast:
    """The new alarms one tab has not dismissed yet."""

    alarms: list[BellAlarm] = field(default_factory=list)
    more: int = 0  # new alarms beyond those listed (of the bell's newest)
    latest_id: int = 0


def counts_for(audiences: Sequence[AudienceCount], role_id: int) -> BellCounts:
    counts = BellCounts()
    for audience in audiences:
        if role_is_notified(audience.roles, role_id):
            counts.critical += audience.critical
            counts.major += audience.major
            counts.minor += audience.minor
            counts.warning += audience.warning
    counts.total = counts.critical + counts.major + counts.minor + counts.warning
    counts.label = "99+" if counts.total > 99 else str(counts.total)
    return counts


def latest_id(newest: Sequence[BellAlarm]) -> int:
    return max((alarm.id for alarm in newest), default=0)


def toast_for(newest: Sequence[BellAlarm], role_id: int, seen_id: int) -> Toast:
    """The alarms newer than `seen_id` that reach the role with a browser notification."""
    new = [
        alarm
        for alarm in newest
        if alarm.id > seen_id and alarm.toast and role_is_notified(alarm.roles, role_id)
    ]
    return Toast(new[:TOASTS_SHOWN], max(len(new) - TOASTS_SHOWN, 0), latest_id(newest))
