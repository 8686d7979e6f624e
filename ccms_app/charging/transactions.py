"""Charging sessions from StartTransaction and StopTransaction (MeterValues: meter_values).

docs/data-policy.md is the contract this module implements. In short: every message is
answered so the charger never retries forever; nothing a charger reports is dropped (samples
for unknown transactions are kept without a session); messages replayed late are applied by
their own timestamps; and anything that cannot be applied as sent is flagged on the session
and/or kept as a ChargerDataIssue for an operator.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from ccms_app.charging import data_issues
from ccms_app.charging.models import OPEN_STATUSES, ChargingSession, SessionStatus
from ccms_app.charging.reservations import use_reservation
from ccms_app.charging.rules.metering import RegisterReading
from ccms_app.charging.session_close import session_closed
from ccms_app.charging.session_energy import count_session_energy, registers, store_groups
from ccms_app.charging.session_flags import flag_session
from ccms_app.charging.session_open import session_opened
from ccms_app.core.events import NetworkEvent
from ccms_app.core.rows import stored_id
from ccms_app.drivers.authorization import check_id_tag
from ccms_app.network.charge_points import get_or_create_connector, read_time, touch
from ccms_app.network.models import ChargePoint
from ocpp_server.ports import IdTagInfo

log = logging.getLogger(__name__)

DEFAULT_STOP_REASON = "Local"  # OCPP 1.6: an absent reason means Local
NO_TRANSACTION_IDS = (0, -1)  # what chargers send when they never got a transaction id
# session.info key: transaction ids the batch preload (charging.batch_preload) found no session
# for. A session created later in the same batch leaves the set (see start).
ABSENT_SESSIONS = "absent_sessions"


def session_event(cp: ChargePoint, cs: ChargingSession, **data: Any) -> NetworkEvent:
    return NetworkEvent(
        kind="session",
        charge_point_id=cp.id,
        identity=cp.identity,
        data={
            "transaction_id": cs.id,
            "connector_id": cs.connector_id,
            "status": cs.status,
            **data,
        },
    )


def session_of(
    session: Session, cp: ChargePoint, transaction_id: int | None
) -> ChargingSession | None:
    """The charge point's own session with this id (another charger's is not its to change)."""
    if transaction_id is None or transaction_id in session.info.get(ABSENT_SESSIONS, ()):
        return None
    cs = session.get(ChargingSession, transaction_id)
    return cs if cs is not None and cs.charge_point_id == cp.id else None


@dataclass(frozen=True)
class StartRequest:
    connector_id: int
    id_tag: str
    meter_start: int
    timestamp: str
    reservation_id: int | None = None


# Built once (every StartTransaction runs both): a start already stored (the charger sent it
# again), and the sessions still open on the connector that started before `at`.
_SAME_START = select(ChargingSession).where(
    col(ChargingSession.charge_point_id) == bindparam("charge_point_id"),
    col(ChargingSession.connector_id) == bindparam("connector_id"),
    col(ChargingSession.id_tag) == bindparam("id_tag"),
    col(ChargingSession.meter_start_wh) == bindparam("meter_start_wh"),
    col(ChargingSession.start_time) == bindparam("start_time"),
)
_OPEN_BEFORE = select(ChargingSession).where(
    col(ChargingSession.charge_point_id) == bindparam("charge_point_id"),
    col(ChargingSession.connector_id) == bindparam("connector_id"),
    col(ChargingSession.status).in_(OPEN_STATUSES),
    col(ChargingSession.start_time) <= bindparam("at"),
)


def start(
    session: Session, identity: str, req: StartRequest, now: datetime
) -> tuple[int, IdTagInfo, list[NetworkEvent]]:
    """Open a session (its id is the transactionId). A retried StartTransaction gets the
    transaction it already created; the charger has started either way, so even a refused id
    tag gets a session (the reply tells the charger to stop)."""
    cp = touch(session, identity, now)
    events: list[NetworkEvent] = []
    started = read_time(session, cp, req.timestamp, now, events)
    same_start = {
        "charge_point_id": cp.id,
        "connector_id": req.connector_id,
        "id_tag": req.id_tag,
        "meter_start_wh": req.meter_start,
        "start_time": started.at,
    }
    existing = session.exec(_SAME_START, params=same_start).first()
    if existing is not None:
        info = check_id_tag(
            session, req.id_tag, cp, now, starting=True, ignore_session_id=existing.id
        )
        return stored_id(existing.id), info, events
    events += _close_abandoned(session, cp, req.connector_id, started.at)
    connector = (
        get_or_create_connector(session, cp, req.connector_id) if req.connector_id > 0 else None
    )
    info = check_id_tag(session, req.id_tag, cp, now, starting=True)
    cs = ChargingSession(
        organisation_id=cp.organisation_id,
        charge_point_id=stored_id(cp.id),
        connector_pk=connector.id if connector else None,
        connector_id=req.connector_id,
        id_tag=req.id_tag,
        id_tag_status=info.status,
        reservation_id=req.reservation_id,
        # A refused start is kept (the charger did start) but is not running: it neither counts
        # nor holds its card, and ends with its StopTransaction or the stale-session policy.
        status=SessionStatus.ACTIVE if info.status == "Accepted" else SessionStatus.REFUSED,
        start_time=started.at,
        meter_start_wh=req.meter_start,
    )
    if started.note:
        flag_session(cs, started.note)
    if info.status != "Accepted":
        flag_session(cs, f"started with id tag status {info.status}")
    if connector is None:
        flag_session(cs, f"transaction on connector {req.connector_id} (OCPP requires 1 or more)")
    session.add(cs)
    session.flush()
    session.info.get(ABSENT_SESSIONS, set()).discard(cs.id)
    use_reservation(session, cs)
    if cs.status == SessionStatus.ACTIVE:
        session_opened(session, cs, cp)  # e.g. finance records how it is paid
    return stored_id(cs.id), info, [*events, session_event(cp, cs, started=True)]


def _close_abandoned(
    session: Session, cp: ChargePoint, connector_id: int, at: datetime
) -> list[NetworkEvent]:
    """A new transaction on a connector means the charger lost the previous one's stop.

    Only sessions that started before the new one count: a StartTransaction replayed late
    (older than the session running now) is history, not a sign that the running one ended.
    """
    events = []
    params = {"charge_point_id": cp.id, "connector_id": connector_id, "at": at}
    for old in session.exec(_OPEN_BEFORE, params=params):
        old.status = SessionStatus.COMPLETED
        old.stop_time = max(at, old.start_time)
        old.stop_reason = "Other"
        flag_session(old, "no StopTransaction before the next transaction on this connector")
        session.add(old)
        session_closed(session, old, cp)
        events.append(session_event(cp, old, stopped=True))
    return events


@dataclass(frozen=True)
class StopRequest:
    transaction_id: int
    meter_stop: int
    timestamp: str
    id_tag: str | None = None
    reason: str | None = None
    transaction_data: list[dict[str, Any]] | None = None


def stop(
    session: Session, identity: str, req: StopRequest, now: datetime
) -> tuple[IdTagInfo | None, list[NetworkEvent]]:
    """Close a session. Whatever the transaction id, the charger gets its answer (IdTagInfo
    when it sent an idTag), so it stops retrying; what cannot be applied becomes a data issue.
    A repeated stop changes nothing and gets the same answer."""
    cp = touch(session, identity, now)
    info = _stop_answer(session, cp, req.id_tag, now)
    events: list[NetworkEvent] = []
    cs = session_of(session, cp, req.transaction_id)
    if cs is None:
        _stop_unknown(session, cp, req, now, events)
        return info, events
    stopped = read_time(session, cp, req.timestamp, now, events)
    stop_time = max(stopped.at, cs.start_time)
    if cs.meter_stop_wh is not None:
        _stop_repeated(session, cp, cs, req, stop_time, events)
        return info, events
    if cs.status == SessionStatus.COMPLETED:  # CCMS closed it (no stop came in time)
        flag_session(cs, "its StopTransaction came after CCMS closed it, and applies")
    cs.status = SessionStatus.COMPLETED
    cs.stop_time = stop_time
    cs.stop_reason = req.reason or DEFAULT_STOP_REASON
    cs.stop_id_tag = req.id_tag
    groups = store_groups(session, cp, cs.connector_id, cs, req.transaction_data or [], now)
    final = RegisterReading(stop_time, req.meter_stop)
    count_session_energy(session, cp, cs, [*registers(cs, groups), final], events, final)
    cs.meter_stop_wh = req.meter_stop
    if stopped.note:
        flag_session(cs, stopped.note)
    cs.power_w = 0.0
    cs.current_a = 0.0
    session.add(cs)
    session_closed(session, cs, cp)
    return info, [*events, session_event(cp, cs, stopped=True)]


def _stop_answer(
    session: Session, cp: ChargePoint, id_tag: str | None, now: datetime
) -> IdTagInfo | None:
    """The IdTagInfo for a stop says whether the tag is valid. The charger caches it, so it is
    never ConcurrentTx (the tag's other sessions do not make it invalid to use again), nor
    refused by the extra checks (drivers.authorization_checks: a wallet this very session
    just emptied is a reason to refuse the next start, not to call the card invalid)."""
    return check_id_tag(session, id_tag, cp, now, extra_checks=False) if id_tag else None


def _stop_unknown(
    session: Session, cp: ChargePoint, req: StopRequest, now: datetime, events: list[NetworkEvent]
) -> None:
    """No such transaction on this charge point: keep its meter data without a session."""
    log.warning(
        "StopTransaction for unknown transaction",
        extra={"identity": cp.identity, "transaction_id": req.transaction_id},
    )
    store_groups(session, cp, 0, None, req.transaction_data or [], now)
    if req.transaction_id in NO_TRANSACTION_IDS:
        detail = (
            f"StopTransaction with transactionId {req.transaction_id} (the charge point never "
            f"got a transaction id), meterStop {req.meter_stop} at {req.timestamp}"
        )
    else:
        detail = (
            f"StopTransaction for unknown transaction {req.transaction_id}, "
            f"meterStop {req.meter_stop} at {req.timestamp}"
        )
    data_issues.report_issue(
        session, cp, data_issues.STOP_UNKNOWN_TRANSACTION, detail, asdict(req), events
    )


def _stop_repeated(
    session: Session,
    cp: ChargePoint,
    cs: ChargingSession,
    req: StopRequest,
    stop_time: datetime,
    events: list[NetworkEvent],
) -> None:
    """A retry is normal; a second stop that says something else is kept for an operator."""
    sent = (req.meter_stop, stop_time, req.reason or DEFAULT_STOP_REASON, req.id_tag)
    stored = (cs.meter_stop_wh, cs.stop_time, cs.stop_reason, cs.stop_id_tag)
    if sent == stored:
        return
    detail = (
        f"second StopTransaction for transaction {cs.id} differs from the first "
        f"(meterStop {req.meter_stop} vs {cs.meter_stop_wh}, timestamp {req.timestamp}); "
        "the session keeps the first"
    )
    data_issues.report_issue(
        session, cp, data_issues.STOP_REPEATED_DIFFERENT, detail, asdict(req), events
    )
