"""Whoever must act in the same transaction as a session's end registers here.

A session ends in three places (a StopTransaction, the next start on its connector, the
stale-session sweep); finance prices it at that moment so its cost is committed with the
stop. Charging cannot import finance (finance reads charging's sessions), so finance's use
case is registered by the composition root (runtime.py, and the test fixtures), and charging
calls whatever is registered. A listener that fails must not lose the stop: it runs in a
savepoint (core.listener_guard), and its failure is logged and left to the listener's own fallback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from sqlmodel import Session

from ccms_app.charging.models import ChargingSession
from ccms_app.core.listener_guard import run_listener
from ccms_app.network.models import ChargePoint

log = logging.getLogger(__name__)

SessionClosedListener = Callable[[Session, ChargingSession, ChargePoint], None]
_listeners: list[SessionClosedListener] = []


def on_session_closed(listener: SessionClosedListener) -> None:
    """Call `listener(db_session, charging_session, charge_point)` whenever a session ends,
    inside the transaction that ends it. Registering the same listener twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


def session_closed(session: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """Tell every listener that `cs` has just ended, its stop fields set (each guarded:
    core.listener_guard)."""
    extra = {"transaction_id": cs.id, "identity": cp.identity}
    for listener in _listeners:
        run_listener(
            session,
            partial(listener, session, cs, cp),
            "session close listener failed; the stop is kept",
            extra,
        )
