"""One query per group-commit batch for the rows its OCPP messages will look up one by one.

Every message needs its charge point row, most MeterValues their session and most
StatusNotifications their connector. Looked up per message, each lookup is a query, and each
query first autoflushes whatever the previous messages changed: a flush per message. The
ChargerEventService tags each unit with a BatchHint; the writer calls `preload` first in every
batch, so these rows are in the session (and its per-batch caches) before any unit runs, and
the units' lookups are dictionary hits.

On SQLite the writer keeps its session from one batch to the next while no other connection
has committed (core.writer_session): then these caches, kept in session.info, still hold the
rows as they are in the database, and only rows no earlier batch loaded are queried. Any other
writer's commit (an operator's edit) starts the next batch from an empty session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ccms_app.charging.models import OPEN_STATUSES, ChargingSession
from ccms_app.charging.transactions import ABSENT_SESSIONS, session_of
from ccms_app.core.rows import stored_id
from ccms_app.network import charge_points
from ccms_app.network.models import ChargePoint

# Built once (its SQL and cache key too): every batch with MeterValues or a Stop runs it.
_SESSIONS_BY_ID = select(ChargingSession).where(
    col(ChargingSession.id).in_(bindparam("transaction_ids", expanding=True))
)
KEPT_SESSIONS = "kept_sessions"  # session.info: transaction id -> ChargingSession
PRUNE_AT = "kept_sessions_prune_at"  # session.info: prune the kept sessions at this size
MIN_PRUNE_AT = 256


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
        _keep_sessions(session, transaction_ids)
    with_connectors = {
        stored_id(found[h.identity].id) for h in ours if h.connector_id and h.identity in found
    }
    if with_connectors:
        charge_points.cache_connectors(session, with_connectors)


def _keep_sessions(session: Session, transaction_ids: set[int]) -> None:
    """The identity map holds objects weakly: keep the sessions the batch names (session.get
    finds them), running ones for later batches too; query only those not kept yet."""
    kept: dict[int, ChargingSession] = session.info.setdefault(KEPT_SESSIONS, {})
    missing = _not_in(transaction_ids, kept)
    if missing:
        loaded = session.exec(_SESSIONS_BY_ID, params={"transaction_ids": list(missing)}).all()
        kept.update((stored_id(cs.id), cs) for cs in loaded)
        _prune_finished(session.info, kept)
        missing = _not_in(missing, kept)
    # Ids chargers sent that name no session: session_of answers them without a query.
    session.info[ABSENT_SESSIONS] = missing


def _not_in(ids: set[int], kept: dict[int, ChargingSession]) -> set[int]:
    """`ids - kept.keys()` walks every kept session (a set minus a keys view iterates the
    view: ~66 us with 2,000 running, twice a batch); this walks the batch's ids only."""
    return {transaction_id for transaction_id in ids if transaction_id not in kept}


def _prune_finished(info: dict[Any, Any], kept: dict[int, ChargingSession]) -> None:
    """Finished sessions are rarely named again: drop them, but only once the kept ones have
    doubled since the last look (a scan of every running session in every batch was a
    quarter of the writer's time with 1,000 sessions running)."""
    if len(kept) < info.get(PRUNE_AT, MIN_PRUNE_AT):
        return
    for finished in [key for key, cs in kept.items() if cs.status not in OPEN_STATUSES]:
        del kept[finished]
    info[PRUNE_AT] = max(2 * len(kept), MIN_PRUNE_AT)


def charge_point_session(
    session: Session, cp: ChargePoint, transaction_id: int | None
) -> ChargingSession | None:
    """transactions.session_of, answered from the kept sessions first (a dictionary hit, where
    session.get walks the identity map's machinery for every MeterValues)."""
    if transaction_id is not None:
        cs = session.info.get(KEPT_SESSIONS, {}).get(transaction_id)
        if cs is not None and cs.charge_point_id == cp.id:
            return cs
    return session_of(session, cp, transaction_id)
