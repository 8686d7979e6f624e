"""Whoever must act in the same transaction as a session's start registers here.

The twin of charging.session_close: finance records how an accepted session is paid (the
payer's method, a card hold to place) in the StartTransaction's own commit, so no session
runs without its payment record. Charging cannot import finance (finance reads charging's
sessions), so finance's use case is registered by the composition root (runtime.py, and the
test fixtures), and charging calls whatever is registered. A listener that fails must not
lose the start: it runs in a savepoint (core.listener_guard), and its failure is logged (a
session without a payment record is billed as before payments existed: by the monthly
invoice).
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

SessionOpenedListener = Callable[[Session, ChargingSession, ChargePoint], None]
_listeners: list[SessionOpenedListener] = []


def on_session_opened(listener: SessionOpenedListener) -> None:
    """Call `listener(db_session, charging_session, charge_point)` whenever an accepted session
    starts, inside the transaction that creates it (after the row is flushed: it has its id).
    Registering the same listener twice is a no-op."""
    if listener not in _listeners:
        _listeners.append(listener)


def session_opened(session: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """Tell every listener that `cs` has just started (each guarded: core.listener_guard)."""
    extra = {"transaction_id": cs.id, "identity": cp.identity}
    for listener in _listeners:
        run_listener(
            session,
            partial(listener, session, cs, cp),
            "session open listener failed; the start is kept",
            extra,
        )
