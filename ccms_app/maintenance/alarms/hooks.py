"""Whoever must act in the same transaction as an alarm's raise or close registers here.

Work orders (maintenance.work_orders) and e-mail notifications (maintenance.notifications)
are created atomically with the alarm; the engine cannot import them (they read alarms), so
their `install()` registers a hook from the composition root (runtime.py, tests/conftest.py)
and the engine calls whatever is registered. A hook that fails must not lose the alarm: it
runs in a savepoint, and its failure is logged. A batch (500 chargers faulting at once) runs
each hook over all its alarms in one savepoint, and only if that fails alarm by alarm again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlmodel import Session

from ccms_app.maintenance.alarms.models import Alarm, AlarmRule

log = logging.getLogger(__name__)

RAISED = "raised"
CLOSED = "closed"

# (session, alarm, the matching rule or None, "raised" | "closed")
AlarmHook = Callable[[Session, Alarm, AlarmRule | None, str], None]
_hooks: dict[str, AlarmHook] = {}


def register_alarm_hook(name: str, hook: AlarmHook) -> None:
    """Call `hook` for every newly raised and every closed alarm, inside the engine's
    transaction. Registering a name again replaces its hook (install() may run twice)."""
    _hooks[name] = hook


def unregister_alarm_hook(name: str) -> None:
    """Forget a hook (tests that register their own)."""
    _hooks.pop(name, None)


def run_alarm_hooks(session: Session, alarm: Alarm, rule: AlarmRule | None, event: str) -> None:
    """Run every registered hook, each in its own savepoint."""
    for name, hook in list(_hooks.items()):
        _run_one(session, name, hook, alarm, rule, event)


def run_alarm_hooks_many(
    session: Session, items: Sequence[tuple[Alarm, AlarmRule | None]], event: str
) -> None:
    """Run every registered hook for many alarms of one event: one savepoint per hook for the
    lot (a savepoint flushes, so one per alarm made a storm cost one round trip per row);
    if the hook fails on any of them, it runs again alarm by alarm, each in its own savepoint,
    so one bad alarm costs only its own hook's work."""
    if not items:
        return
    for name, hook in list(_hooks.items()):
        try:
            with session.begin_nested():
                for alarm, rule in items:
                    hook(session, alarm, rule, event)
        except Exception:
            log.warning(
                "alarm hook failed on a batch; retried alarm by alarm",
                extra={"hook": name, "alarms": len(items), "alarm_event": event},
            )
            for alarm, rule in items:
                _run_one(session, name, hook, alarm, rule, event)


def _run_one(
    session: Session, name: str, hook: AlarmHook, alarm: Alarm, rule: AlarmRule | None, event: str
) -> None:
    try:
        with session.begin_nested():
            hook(session, alarm, rule, event)
    except Exception:
        log.exception(
            "alarm hook failed; the alarm is kept",
            extra={"hook": name, "alarm_id": alarm.id, "alarm_event": event},
        )
