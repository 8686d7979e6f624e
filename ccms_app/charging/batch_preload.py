"""One query per group-commit batch for the rows its OCPP messages will look up one by one.

Every message needs its charge point row, most MeterValues their session and most
StatusNotifications their connector. Looked up per message, each lookup is a query, and each
query first autoflushes whatever the previous messages changed: a flush per message. The
ChargerEventService tags each unit with a BatchHint; the writer calls `preload` first in every
batch, so these rows are in the session (and its per-batch caches) before any unit runs, and
the units' lookups are dictionary hits. Rows are read fresh in every batch: nothing is cached
across transactions, so an operator's change is seen by the next batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession
from ccms_app.charging.transactions import ABSENT_SESSIONS
from ccms_app.core.rows import stored_id
from ccms_app.network import charge_points

# Built once (its SQL and cache key too): every batch with MeterValues or a Stop runs it.
_SESSIONS_BY_ID = select(ChargingSession).where(
    col(ChargingSession.id).in_(bindparam("transaction_ids", expanding=True))
)


@dataclass(frozen=True)
class BatchHint:
    """What one OCPP message will look up: its charge point, and maybe a transaction or a
    connector of it."""

    identity: str
    transaction_id: int | None = None
    connector_id: int | None = None


def preload(session: Session, hints: list[Any]) -> None:
    """Load the batch's charge points, sessions and connectors in (at most) three queries."""
    ours = [hint for hint in hints if isinstance(hint, BatchHint)]
    if not ours:
        return
    found = charge_points.cache_charge_points(session, {hint.identity for hint in ours})
    transaction_ids = {h.transaction_id for h in ours if h.transaction_id is not None}
    if transaction_ids:
        # The identity map holds objects weakly: keep them for the batch (session.get finds them).
        kept: list[ChargingSession] = session.info.setdefault("preloaded_sessions", [])
        kept += session.exec(
            _SESSIONS_BY_ID, params={"transaction_ids": list(transaction_ids)}
        ).all()
        # Ids chargers sent that name no session: session_of answers them without a query.
        absent: set[int] = session.info.setdefault(ABSENT_SESSIONS, set())
        absent |= transaction_ids - {cs.id for cs in kept}
    with_connectors = {
        stored_id(found[h.identity].id) for h in ours if h.connector_id and h.identity in found
    }
    if with_connectors:
        charge_points.cache_connectors(session, with_connectors)
