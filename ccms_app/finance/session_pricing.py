"""Pricing charging sessions: the final cost in the stop's own transaction, and the cost so far.

`price_closed_session` is registered with charging.session_close (by runtime.py): whichever way
a session ends, its cost row (finance.models.SessionCost) is written in the same commit, with
its breakdown as OCPI CDR-like JSON (finance.rules.cost_json). The tariff is the one assigned
when the session started (finance.tariff_assignments.resolve) at the version valid then, read
in the station's time zone. Odd sessions follow finance.rules.pricing_policy. A session whose
pricing fails is still stopped: its cost row says "review" with the error.

`cost_so_far` prices a running session up to now (finance.live_costs refreshes them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import bindparam
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from ccms_app.charging.models import ChargingSession, MeterSample, Reservation, SessionStatus
from ccms_app.charging.rules.metering import ENERGY_REGISTER, Reading, live_readings
from ccms_app.charging.session_close import on_session_closed
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.pending_writes import write_pending
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.id_tag_lookup import find_id_tag
from ccms_app.finance.errors import FinanceConflict, FinanceNotFound
from ccms_app.finance.models import (
    DRIVER_ACCOUNT,
    GROUP_ACCOUNT,
    BillingDocument,
    CostState,
    DocumentKind,
    SessionCost,
    Tariff,
    TariffVersion,
)
from ccms_app.finance.rules.cost_json import cost_to_json
from ccms_app.finance.rules.pricing_policy import SessionEvidence, judge
from ccms_app.finance.rules.session_timeline import MeterPoint, SessionFacts, build_timeline
from ccms_app.finance.rules.tariff_engine import grows_with_time, price_session
from ccms_app.finance.rules.tariff_types import SessionCost as EngineCost
from ccms_app.finance.tariff_assignments import Resolution, resolve
from ccms_app.finance.tariffs import load_definition
from ccms_app.network.models import ChargePoint, Station, StatusEvent

log = logging.getLogger(__name__)

PRICED_MEASURANDS = (ENERGY_REGISTER, "Power.Active.Import", "Current.Import")


@dataclass(frozen=True)
class Priced:
    """A session's cost as computed now (not stored yet)."""

    resolution: Resolution | None
    cost: EngineCost | None
    register_samples: int
    grows_with_time: bool = True  # the tariff prices time: the clock alone changes the cost


def install() -> None:
    """Price every session as it ends (the composition root calls this once)."""
    on_session_closed(price_closed_session)


def price_closed_session(session: Session, cs: ChargingSession, cp: ChargePoint) -> None:
    """The final cost of a session that has just ended, in its transaction (see module doc)."""
    end = cs.stop_time or cs.start_time
    try:
        so_far = session.get(SessionCost, cs.id)
        priced = compute(session, cs, cp, end, tariff_of(session, so_far))
    except Exception as exc:  # the stop is kept: hold the cost for an operator
        log.exception("pricing failed", extra={"transaction_id": cs.id, "identity": cp.identity})
        _store_failure(session, cs, f"pricing failed: {exc}")
        return
    evidence = SessionEvidence(
        meter_start_wh=cs.meter_start_wh,
        meter_stop_wh=cs.meter_stop_wh,
        register_samples=priced.register_samples,
        closed_by_ccms=cs.meter_stop_wh is None,
        flagged=cs.flagged,
        flag_reason=cs.flag_reason,
        id_tag_accepted=cs.id_tag_status == "Accepted",
    )
    outcome = judge(evidence)
    state = CostState.REVIEW if outcome.review else CostState.FINAL
    store(session, cs, priced, state, outcome.note, so_far)


def compute(
    session: Session,
    cs: ChargingSession,
    cp: ChargePoint,
    end: datetime,
    known: Resolution | None = None,
) -> Priced:
    """Price `cs` from its start to `end` with the tariff that applies (None: no tariff).
    `known`: the tariff the session's cost so far was priced with (see `tariff_of`)."""
    resolution = known or _resolve(session, cs)
    points = meter_points(session, cs)
    registers = sum(1 for point in points if point.register_wh is not None)
    if resolution is None:
        return Priced(None, None, registers)
    tariff = load_definition(resolution.version.definition, _time_zone(session, cp))
    facts = SessionFacts(
        start=cs.start_time,
        end=max(end, cs.start_time),
        meter_start_wh=cs.meter_start_wh,
        energy_wh=max(cs.energy_wh, 0),
        reserved_at=_reserved_at(session, cs),
    )
    timeline = build_timeline(facts, points, _statuses(session, cs, end))
    cost = price_session(tariff, timeline)
    return Priced(resolution, cost, registers, grows_with_time(tariff))


def tariff_for(session: Session, cs: ChargingSession, row: SessionCost | None) -> Resolution | None:
    """The tariff that prices `cs` now: the one its cost so far was priced with, else the one
    its charge point, connector and id tag resolve to (None: no tariff applies)."""
    return tariff_of(session, row) or _resolve(session, cs)


def _resolve(session: Session, cs: ChargingSession) -> Resolution | None:
    """The tariff assignments' answer for the session's charge point, connector and card."""
    return resolve(
        session, cs.charge_point_id, cs.connector_id, cs.id_tag, cs.start_time, cs.connector_pk
    )


def tariff_of(session: Session, row: SessionCost | None) -> Resolution | None:
    """The tariff a running session has been priced with so far: a session keeps the tariff
    it started with, even if an operator reassigns tariffs while it runs, so its final cost
    continues what the driver saw. None: not priced yet (resolve it)."""
    if row is None or row.tariff_version_id is None or row.tariff_id is None:
        return None
    version = session.get(TariffVersion, row.tariff_version_id)
    tariff = session.get(Tariff, row.tariff_id)
    if version is None or tariff is None:
        return None
    return Resolution(row.tariff_id, tariff.name, version, None, row.tariff_reason)


def store(
    session: Session,
    cs: ChargingSession,
    priced: Priced,
    state: CostState,
    note: str,
    row: SessionCost | None,
) -> SessionCost:
    """Write the session's cost: into `row`, its cost so far as the caller read it, or a new
    row when it had none (a session not priced while it ran)."""
    row = row or SessionCost(session_id=stored_id(cs.id), organisation_id=cs.organisation_id)
    row.payment_method = row.payment_method or _payment_method(session, cs.id_tag)
    row.priced_at = utc_now()
    cost, resolution = priced.cost, priced.resolution
    if cost is None or resolution is None:
        _clear(row)
        row.state = CostState.UNPRICED
        row.note = "not billed: no tariff applies to this charge point and id tag"
        session.add(row)
        return row
    row.state = state
    row.note = note[:500]
    row.tariff_id = resolution.tariff_id
    row.tariff_version_id = resolution.version.id
    row.tariff_reason = resolution.reason[:200]
    row.currency = cost.currency
    row.total_excl_minor = cost.total.excl_vat_minor
    row.total_incl_minor = cost.total.incl_vat_minor
    row.energy_excl_minor = cost.energy.excl_vat_minor
    row.time_excl_minor = cost.time.excl_vat_minor
    row.parking_excl_minor = cost.parking.excl_vat_minor
    row.fixed_excl_minor = cost.fixed.excl_vat_minor
    row.vat_minor = cost.total.incl_vat_minor - cost.total.excl_vat_minor
    row.breakdown = json.dumps(cost_to_json(cost))
    session.add(row)
    return row


def _clear(row: SessionCost) -> None:
    row.tariff_id = row.tariff_version_id = None
    row.tariff_reason = ""
    row.total_excl_minor = row.total_incl_minor = row.vat_minor = 0
    row.energy_excl_minor = row.time_excl_minor = 0
    row.parking_excl_minor = row.fixed_excl_minor = 0
    row.breakdown = "{}"


def _store_failure(session: Session, cs: ChargingSession, note: str) -> None:
    row = session.get(SessionCost, cs.id) or SessionCost(
        session_id=stored_id(cs.id), organisation_id=cs.organisation_id
    )
    _clear(row)
    row.state = CostState.REVIEW
    row.note = note[:500]
    row.priced_at = utc_now()
    session.add(row)


# Built once (SQL and cache key too): a live-cost refresh runs each for every running session.
_SAMPLES = (
    select_columns(
        col(MeterSample.timestamp),
        col(MeterSample.measurand),
        col(MeterSample.value),
        col(MeterSample.unit),
        col(MeterSample.phase),
        col(MeterSample.location),
    )
    .where(
        col(MeterSample.session_id) == bindparam("session_id"),
        col(MeterSample.measurand).in_(PRICED_MEASURANDS),
        col(MeterSample.value).is_not(None),
    )
    .order_by(col(MeterSample.timestamp), col(MeterSample.id))
)
_STATUSES = select_columns(
    col(StatusEvent.timestamp), col(StatusEvent.received_at), col(StatusEvent.status)
).where(
    col(StatusEvent.charge_point_id) == bindparam("cp"),
    col(StatusEvent.connector_id) == bindparam("connector"),
    col(StatusEvent.received_at) >= bindparam("start"),
    col(StatusEvent.received_at) <= bindparam("until"),
)
_RESERVED_AT = select_columns(col(Reservation.created_at)).where(
    col(Reservation.session_id) == bindparam("session_id")
)


def meter_points(session: Session, cs: ChargingSession) -> list[MeterPoint]:
    """The session's samples that pricing reads, one point per sample time."""
    write_pending(session)  # this batch's samples are queued, not yet inserted
    rows = session.execute(_SAMPLES, {"session_id": cs.id}).all()
    by_time: dict[datetime, list[Reading]] = {}
    for at, measurand, value, unit, phase, location in rows:
        if value is not None:
            reading = Reading(measurand, value, unit, phase=phase, location=location)
            by_time.setdefault(at, []).append(reading)
    points = []
    for at, readings in by_time.items():
        live = live_readings(readings)
        points.append(
            MeterPoint(
                at=at,
                register_wh=_decimal(live.energy_register_wh),
                power_w=_decimal(live.power_w),
                current_a=_decimal(live.current_a),
            )
        )
    return points


def _decimal(value: float | None) -> Decimal | None:
    """A stored reading as the Decimal the charger wrote (its shortest text), not the float."""
    return None if value is None else Decimal(repr(value))


def _statuses(session: Session, cs: ChargingSession, end: datetime) -> list[tuple[datetime, str]]:
    """The connector's status changes during the session (the charger's time when it gave one)."""
    write_pending(session)
    until = max(end, utc_now())
    rows = session.execute(
        _STATUSES,
        {
            "cp": cs.charge_point_id,
            "connector": cs.connector_id,
            "start": cs.start_time,
            "until": until,
        },
    ).all()
    changes = [(timestamp or received, status) for timestamp, received, status in rows]
    return sorted(change for change in changes if cs.start_time <= change[0] <= end)


def _reserved_at(session: Session, cs: ChargingSession) -> datetime | None:
    """When the reservation this session used began (reservation fees price that time)."""
    found: datetime | None = session.execute(_RESERVED_AT, {"session_id": cs.id}).scalar()
    return found


def _time_zone(session: Session, cp: ChargePoint) -> str:
    """The station's zone (OCPI reads restriction times in the Location's zone), else UTC."""
    if cp.station_id is None:
        return "UTC"
    station = session.get(Station, cp.station_id)
    return station.timezone if station is not None and station.timezone else "UTC"


def _payment_method(session: Session, id_tag: str) -> str:
    tag = find_id_tag(session, id_tag)
    if tag is None:
        return "unknown id tag"
    if tag.group_id is not None:
        return GROUP_ACCOUNT
    return DRIVER_ACCOUNT if tag.driver_id is not None else "id tag"


def release(scope: Collection[int], session_id: int, actor: str) -> SessionCost:
    """An operator checked a session held for review: its cost becomes final (billable), the
    policy's note kept with who released it. Only a held cost can be released."""
    with session_scope() as session:
        row = session.get(SessionCost, session_id)
        if row is None or row.organisation_id not in scope:
            raise FinanceNotFound(tr("Session {session_id} has no cost", session_id=session_id))
        if row.state != CostState.REVIEW:
            raise FinanceConflict(
                tr(
                    "Session {session_id} is not held for review ({state})",
                    session_id=session_id,
                    state=row.state,
                )
            )
        row.state = CostState.FINAL
        row.note = f"{row.note}; released by {actor}"[:500]
        session.add(row)
    log.info("session cost released", extra={"transaction_id": session_id, "actor": actor})
    return row


def reprice(scope: Collection[int], session_id: int, actor: str) -> SessionCost:
    """Price a finished session again with the tariff that applies now to its start (e.g.
    after an operator assigned a tariff to a session that was not billed, or fixed one held
    for review). A cost already on a receipt or invoice is refused: credit it first."""
    with session_scope() as session:
        cs = session.get(ChargingSession, session_id)
        if cs is None or cs.organisation_id not in scope:
            raise FinanceNotFound(tr("Session {session_id} does not exist", session_id=session_id))
        if cs.status != SessionStatus.COMPLETED:
            raise FinanceConflict(
                tr("Session {session_id} is still running", session_id=session_id)
            )
        row = session.get(SessionCost, session_id)
        if row is not None and (row.invoice_id is not None or _has_receipt(session, session_id)):
            raise FinanceConflict(
                tr("Session {session_id} is billed already: credit it first", session_id=session_id)
            )
        if row is not None:
            row.tariff_version_id = None  # resolve again, as at its start
        cp = session.get(ChargePoint, cs.charge_point_id)
        if cp is None:  # pragma: no cover - a session's charge point is never deleted
            raise FinanceNotFound(
                tr("Session {session_id} has no charge point", session_id=session_id)
            )
        price_closed_session(session, cs, cp)
        priced = session.get(SessionCost, session_id)
        assert priced is not None
    log.info("session repriced", extra={"transaction_id": session_id, "actor": actor})
    return priced


def _has_receipt(session: Session, session_id: int) -> bool:
    """The session has a receipt that no credit note cancelled."""
    receipts = session.exec(
        select(BillingDocument.id).where(
            BillingDocument.session_id == session_id,
            BillingDocument.kind == DocumentKind.RECEIPT.value,
        )
    ).all()
    if not receipts:
        return False
    credited = session.exec(
        select(BillingDocument.credits_document_id).where(
            col(BillingDocument.credits_document_id).in_(receipts)
        )
    ).all()
    return bool(set(receipts) - set(credited))
