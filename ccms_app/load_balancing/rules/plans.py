"""Time plans: a different site limit on some weekdays between two local times.

Read in the station's local time (a plan says "weekdays 08:00-18:00", as the contract with
the grid operator or the building's tariff does). A plan whose end is before its start runs
over midnight and belongs to the weekday it starts on (Friday 22:00-06:00 covers Saturday
early morning); start == end is the whole day. Of two plans active at once the higher
priority wins (a tie: the older plan, the lower id), so an operator can stack an exception
over a default.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ccms_app.core.i18n import tr

_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_LOOKAHEAD_DAYS = 8


@dataclass(frozen=True)
class PlanSpec:
    id: int
    name: str
    priority: int
    weekdays: str  # ISO weekday digits, Monday = 1
    start_time: str  # local HH:MM
    end_time: str
    limit_a: float | None
    limit_kw: float | None
    enabled: bool = True


def check_weekdays(text: str) -> str:
    """The weekdays as sorted ISO digits ("5, 1" -> "15"); ValueError naming the problem."""
    digits = re.sub(r"[\s,]", "", text)
    if not digits:
        raise ValueError(tr("choose at least one weekday (ISO digits, Monday = 1 ... Sunday = 7)"))
    if not digits.isdigit() or any(day not in "1234567" for day in digits):
        raise ValueError(
            tr("weekdays must be digits 1 (Monday) to 7 (Sunday), got {text}", text=repr(text))
        )
    if len(set(digits)) != len(digits):
        raise ValueError(tr("a weekday is listed twice in {text}", text=repr(text)))
    return "".join(sorted(digits))


def check_time(text: str) -> str:
    """A local time as HH:MM ("8:00" -> "08:00"); ValueError naming the problem."""
    match = _TIME.fullmatch(text.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(
            tr("time must be HH:MM between 00:00 and 23:59, got {text}", text=repr(text))
        )
    return f"{int(match[1]):02d}:{match[2]}"


def _clock(text: str) -> time:
    hours, minutes = check_time(text).split(":")
    return time(int(hours), int(minutes))


def _weekday(local: datetime, days_back: int = 0) -> str:
    return str((local.isoweekday() - 1 - days_back) % 7 + 1)


def is_active(plan: PlanSpec, local: datetime) -> bool:
    if not plan.enabled:
        return False
    start, end, now = _clock(plan.start_time), _clock(plan.end_time), local.time()
    today = _weekday(local) in plan.weekdays
    if start == end:
        return today
    if start < end:
        return today and start <= now < end
    return (today and now >= start) or (_weekday(local, 1) in plan.weekdays and now < end)


def active_plan(plans: Sequence[PlanSpec], local: datetime) -> PlanSpec | None:
    """The plan in force at this local time: the highest priority, then the lowest id."""
    active = [plan for plan in plans if is_active(plan, local)]
    return max(active, key=lambda plan: (plan.priority, -plan.id), default=None)


def next_switch(plans: Sequence[PlanSpec], local: datetime) -> datetime | None:
    """When the plan in force changes next (within 8 days), in `local`'s zone; None: never.
    Only plan boundaries and midnights can switch, so only those are tried."""
    current = _plan_id(active_plan(plans, local))
    for moment in _boundaries(plans, local):
        if _plan_id(active_plan(plans, moment)) != current:
            return moment
    return None


def _plan_id(plan: PlanSpec | None) -> int | None:
    return None if plan is None else plan.id


def _boundaries(plans: Sequence[PlanSpec], local: datetime) -> list[datetime]:
    clocks = {time(0, 0)}
    for plan in plans:
        if plan.enabled:
            clocks.update((_clock(plan.start_time), _clock(plan.end_time)))
    horizon = local + timedelta(days=_LOOKAHEAD_DAYS)
    moments = {
        datetime.combine(local.date() + timedelta(days=day), clock, tzinfo=local.tzinfo)
        for day in range(_LOOKAHEAD_DAYS + 1)
        for clock in clocks
    }
    return sorted(moment for moment in moments if local < moment <= horizon)
