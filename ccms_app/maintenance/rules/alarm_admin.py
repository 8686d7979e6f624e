"""What an operator may write on an alarm: the close reason, a comment, the NEVI exclusion.

Pure: no database. The use cases (`maintenance.alarms.actions`) call these before they touch
a row, so the web form and the REST API get the same words for the same mistake.

Excluded downtime: the US NEVI rule (23 CFR 680.116(b)) counts a port's outage minutes
against its 97 % uptime unless they were caused by reasons outside the operator's control,
when the operator can show the port would otherwise have worked: electric utility service
interruptions, a failure to charge because of the vehicle, scheduled maintenance,
vandalism and natural disasters; hours outside the station's hours of operation are not
counted either. `EXCLUSION_REASONS` is that list; an alarm with one of them set
(`Alarm.excluded_reason`) is left out of the uptime figure, "" counts.
"""

from __future__ import annotations

from datetime import datetime

from ccms_app.core.i18n import N_, tr
from ccms_app.maintenance.rules.downtime import downtime_seconds

MAX_CLOSE_REASON = 200  # Alarm.close_reason
MAX_COMMENT = 2000
MAX_BULK = 200  # alarms one bulk acknowledge may name

EXCLUSION_REASONS: dict[str, str] = {
    "utility_interruption": N_("Electric utility service interruption"),
    "vehicle_fault": N_("Failure to charge due to the vehicle"),
    "scheduled_maintenance": N_("Scheduled maintenance"),
    "vandalism": N_("Vandalism"),
    "natural_disaster": N_("Natural disaster"),
    "outside_operating_hours": N_("Outside the station's hours of operation"),
}
NOT_EXCLUDED = ""  # the downtime counts against uptime

# What an operator usually writes when closing; the form offers them, any text is accepted.
CLOSE_SUGGESTIONS = (
    N_("Fixed on site"),
    N_("Fixed remotely (reset)"),
    N_("False alarm"),
    N_("Duplicate of another alarm"),
    N_("Charger replaced"),
)


def close_reason_error(reason: str) -> str:
    """Why `reason` cannot close an alarm ("" when it can)."""
    text = reason.strip()
    if not text:
        return tr("Give a reason: what was done, or why the alarm needs no action.")
    if len(text) > MAX_CLOSE_REASON:
        return _too_long(MAX_CLOSE_REASON, len(text))
    return ""


def comment_error(text: str) -> str:
    stripped = text.strip()
    if not stripped:
        return tr("Write a comment.")
    if len(stripped) > MAX_COMMENT:
        return _too_long(MAX_COMMENT, len(stripped))
    return ""


def _too_long(limit: int, given: int) -> str:
    return tr("At most {limit} characters ({given} given).", limit=limit, given=given)


def exclusion_error(reason: str) -> str:
    """Why `reason` is not an exclusion reason ("" when it is one, or "" clears it)."""
    if reason == NOT_EXCLUDED or reason in EXCLUSION_REASONS:
        return ""
    choices = ", ".join(EXCLUSION_REASONS)
    return tr(
        "Unknown reason {reason}: choose one of {choices}, or none.",
        reason=repr(reason),
        choices=choices,
    )


def exclusion_label(reason: str) -> str:
    """The reason's label in English (the alarm's timeline stores it; pages translate it)."""
    return EXCLUSION_REASONS.get(reason, reason) if reason else N_("Counted (not excluded)")


def closing_downtime_s(
    fault_started_at: datetime, recovered_at: datetime | None, closed_at: datetime
) -> int:
    """The downtime an operator's close records: until the recovery when the charger
    recovered, else until the close (the charger is still faulted, or never told us)."""
    return downtime_seconds(fault_started_at, recovered_at or closed_at)


def duration_text(seconds: int | None) -> str:
    """ "2 h 05 min", "45 s"; "" for None."""
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return tr("{days} d {hours} h", days=days, hours=hours)
    if hours:
        return tr("{hours} h {minutes} min", hours=hours, minutes=str(minutes).zfill(2))
    if minutes:
        return tr("{minutes} min", minutes=minutes)
    return tr("{seconds} s", seconds=secs)
