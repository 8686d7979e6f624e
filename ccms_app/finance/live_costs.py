"""The cost so far of running sessions, refreshed on a schedule (not on every MeterValues).

Pricing on the OCPP hot path would cost every meter sample a tariff evaluation; a session's
cost so far changes slowly, so a job re-prices all running sessions every
`CCMS_LIVE_COST_INTERVAL_S` seconds (30 by default) off the writer, writes their SessionCost
rows in state "running" and publishes a `session_cost` event so the live pages re-read. A
session that stopped meanwhile keeps its final cost: the write only replaces a row that is
still "running" (INSERT ... ON CONFLICT DO UPDATE ... WHERE state = 'running').

A refresh re-reads each session's samples, so it grows with the sessions and their length
(bench/finance_pricing.py: ~1 ms a session 30 minutes in, ~9 ms four hours in, sampled every
minute). It is paced to CPU_SHARE of the time (core.pacing), and the next one is due
`interval` after this one began, or at once when it took longer: a network too big to price
every interval gets its costs refreshed back to back, and its chargers are still served.
A session not priced yet on a charge point no tariff can price (its organisation and parent
have no assignment and no member tariff, asked once per refresh) is skipped, not resolved.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import select as sa_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col

from ccms_app.charging.models import ChargingSession, SessionStatus
from ccms_app.core.config import Settings, get_settings
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.pacing import DutyCycle
from ccms_app.core.rows import stored_id, table_of
from ccms_app.core.scheduler import current_scheduler
from ccms_app.core.types import utc_now
from ccms_app.finance.models import CostState, SessionCost, Tariff, TariffVersion
from ccms_app.finance.rules.cost_json import cost_to_json
from ccms_app.finance.rules.tariff_types import SessionCost as EngineCost
from ccms_app.finance.session_pricing import compute, tariff_for
from ccms_app.finance.tariff_assignments import Resolution, pricing_organisations
from ccms_app.network.models import ChargePoint, Station

log = logging.getLogger(__name__)

JOB_ID = "ccms-live-costs"
BATCH = 100  # running sessions per read: a read transaction spans one slice of work
CPU_SHARE = 0.1  # of the process's time at most; the rest serves chargers and pages
COST_TABLE = table_of(SessionCost)


# session id -> what its running cost was last priced from, kept only while its tariff
# prices energy alone (`grows_with_time` false): with no new energy since, its cost is the
# same, and re-pricing it (every meter sample read again) would be wasted work.
_priced_from: dict[int, tuple[object, ...]] = {}


def refresh_running_costs(now: datetime | None = None) -> list[NetworkEvent]:
    """Re-price every running session up to `now`; the events of those whose cost changed."""
    events, _running_sessions = _refresh(now or utc_now(), None)
    return events


def _refresh(now: datetime | None, pace: DutyCycle | None) -> tuple[list[NetworkEvent], int]:
    """refresh_running_costs, and how many sessions are running; `pace` rests between
    reads (with no read transaction open). `now` None: each read prices up to its own now
    (a paced refresh may take minutes)."""
    events: list[NetworkEvent] = []
    running: set[int] = set()
    after = 0
    with read_session() as session:
        pricing = pricing_organisations(session)
    while True:
        if pace is not None and after:
            pace.rest()
        read_at = utc_now()
        with read_session() as session:
            rows = _running(session, after)
            changed = []
            for cs, cp, cost, *_loaded_with_it in rows:
                running.add(stored_id(cs.id))
                if cost is None and cp.organisation_id not in pricing:
                    continue  # no tariff can apply: not resolved again every refresh
                values = _row(session, cs, cp, cost, now or read_at)
                if values is not None and not _unchanged(cost, values):
                    changed.append((cs, cp, values))
                time.sleep(0)  # a pause for the GIL: the event loop serves chargers meanwhile
        if not rows:
            _forget_all_but(running)
            return events, len(running)
        after = rows[-1][0].id or after
        if changed:  # an unchanged cost is not written again: no commit, no push
            with session_scope() as session:
                _upsert(session, [values for _cs, _cp, values in changed])
        events += [_event(cs, cp, values) for cs, cp, values in changed if values]


def _unchanged(cost_so_far: SessionCost | None, values: dict[str, Any]) -> bool:
    """The running cost row says exactly this already (e.g. an energy-only tariff and no new
    meter value since the last refresh)."""
    return (
        cost_so_far is not None
        and cost_so_far.state == CostState.RUNNING
        and cost_so_far.total_incl_minor == values["total_incl_minor"]
        and cost_so_far.breakdown == values["breakdown"]
    )


Running = tuple[
    ChargingSession, ChargePoint, SessionCost | None, Station | None, Tariff | None,
    TariffVersion | None,
]  # fmt: skip


def _running(session: Session, after: int) -> list[Running]:
    """The next batch of running sessions with their charge point and cost so far. Their
    stations and tariffs come in the same query and stay referenced by the rows while the
    batch is priced: pricing's `session.get` of them are identity-map hits, not one query
    each per session (a third of a refresh's time with 1,000 sessions)."""
    rows = session.execute(
        sa_select(ChargingSession, ChargePoint, SessionCost, Station, Tariff, TariffVersion)
        .join(ChargePoint, col(ChargePoint.id) == ChargingSession.charge_point_id)
        .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
        .outerjoin(SessionCost, col(SessionCost.session_id) == ChargingSession.id)
        .outerjoin(Tariff, col(Tariff.id) == SessionCost.tariff_id)
        .outerjoin(TariffVersion, col(TariffVersion.id) == SessionCost.tariff_version_id)
        .where(col(ChargingSession.status) == SessionStatus.ACTIVE, col(ChargingSession.id) > after)
        .order_by(col(ChargingSession.id))
        .limit(BATCH)
    ).tuples()
    return list(rows)


def _row(
    session: Session,
    cs: ChargingSession,
    cp: ChargePoint,
    cost_so_far: SessionCost | None,
    now: datetime,
) -> dict[str, Any] | None:
    """The running cost row's values (None: no tariff applies, or nothing changed since the
    last refresh). A session priced before keeps its tariff (session_pricing.tariff_of)."""
    if _unchanged_since_priced(cs, cost_so_far):
        return None
    try:
        resolution = tariff_for(session, cs, cost_so_far)
        if resolution is None:  # no tariff: its meter samples need not be read
            return None
        priced = compute(session, cs, cp, now, resolution)
    except Exception:
        log.exception("live cost failed", extra={"transaction_id": cs.id})
        return None
    cost, resolution = priced.cost, priced.resolution
    if cost is None or resolution is None:
        return None
    values = _values(cs, cost, resolution)
    if priced.grows_with_time:
        _priced_from.pop(stored_id(cs.id), None)
    else:
        inputs = _inputs(cs, values["tariff_version_id"], values["total_incl_minor"])
        _priced_from[stored_id(cs.id)] = inputs
    return values


def _inputs(cs: ChargingSession, tariff_version_id: int | None, total: int) -> tuple[object, ...]:
    """What an energy-only running cost depends on: the tariff version, the energy metered
    (and when), and the total last written (a row written by anyone else differs)."""
    return (tariff_version_id, total, cs.energy_wh, cs.meter_updated_at)


def _unchanged_since_priced(cs: ChargingSession, cost_so_far: SessionCost | None) -> bool:
    if cost_so_far is None or cost_so_far.state != CostState.RUNNING:
        return False
    inputs = _inputs(cs, cost_so_far.tariff_version_id, cost_so_far.total_incl_minor)
    return _priced_from.get(stored_id(cs.id)) == inputs


def _forget_all_but(running: set[int]) -> None:
    for session_id in _priced_from.keys() - running:
        del _priced_from[session_id]


def _values(cs: ChargingSession, cost: EngineCost, resolution: Resolution) -> dict[str, Any]:
    return {
        "session_id": cs.id,
        "organisation_id": cs.organisation_id,
        "state": CostState.RUNNING.value,
        "tariff_id": resolution.tariff_id,
        "tariff_version_id": resolution.version.id,
        "tariff_reason": resolution.reason[:200],
        "currency": cost.currency,
        "total_excl_minor": cost.total.excl_vat_minor,
        "total_incl_minor": cost.total.incl_vat_minor,
        "energy_excl_minor": cost.energy.excl_vat_minor,
        "time_excl_minor": cost.time.excl_vat_minor,
        "parking_excl_minor": cost.parking.excl_vat_minor,
        "fixed_excl_minor": cost.fixed.excl_vat_minor,
        "vat_minor": cost.total.incl_vat_minor - cost.total.excl_vat_minor,
        "payment_method": "",
        "note": "",
        "breakdown": json.dumps(cost_to_json(cost)),
        "priced_at": utc_now(),
    }


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert the running costs, or replace those whose row is still running (one
    executemany for the batch)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(COST_TABLE)
    kept = ("session_id", "payment_method")
    updates = {key: statement.excluded[key] for key in rows[0] if key not in kept}
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["session_id"],
            set_=updates,
            where=COST_TABLE.c.state == CostState.RUNNING.value,
        ),
        rows,
    )


def _event(cs: ChargingSession, cp: ChargePoint, values: dict[str, Any]) -> NetworkEvent:
    return NetworkEvent(
        kind="session_cost",
        charge_point_id=cp.id,
        identity=cp.identity,
        data={
            "transaction_id": cs.id,
            "currency": values["currency"],
            "total_incl_minor": values["total_incl_minor"],
        },
    )


async def run_refresh(interval_s: float | None = None) -> int:
    """The scheduled job: pricing off the event loop and paced, then the events. While it
    runs the job is held (a refresh longer than the interval is not started twice, nor
    logged as skipped); it is due again `interval_s` (default: the setting) after this one
    began, or at once."""
    interval_s = interval_s or get_settings().live_cost_interval_s
    began = time.monotonic()
    _set_next_run(None)
    pace = DutyCycle(CPU_SHARE)
    try:
        events, sessions = await asyncio.to_thread(_refresh, None, pace)
    finally:
        took = time.monotonic() - began
        _set_next_run(utc_now() + timedelta(seconds=max(0.0, interval_s - took)))
    _report(sessions, pace.done(), took, interval_s)
    bus = get_event_bus()
    for event in events:
        bus.publish(event)
    return len(events)


def _set_next_run(at: datetime | None) -> None:
    """Hold the job (None) or make it due at `at`; nothing when it is gone (shutdown)."""
    scheduler = current_scheduler()
    if scheduler is None:
        return
    with suppress(JobLookupError):
        scheduler.modify_job(JOB_ID, next_run_time=at)


_lagging = False  # the last refresh took longer than the interval (warned once)


def _report(sessions: int, worked: float, took: float, interval_s: float) -> None:
    """Warn when the costs start lagging behind their interval, and when they catch up."""
    global _lagging
    lagging = took > interval_s
    figures = {
        "sessions_priced": sessions,
        "work_s": round(worked, 2),
        "refresh_s": round(took, 2),
        "interval_s": interval_s,
    }
    if lagging and not _lagging:
        log.warning("live costs take longer to refresh than their interval", extra=figures)
    elif _lagging and not lagging:
        log.info("live costs refresh within their interval again", extra=figures)
    _lagging = lagging


def schedule_live_costs(scheduler: BaseScheduler, settings: Settings) -> None:
    scheduler.add_job(
        run_refresh,
        "interval",
        seconds=settings.live_cost_interval_s,
        kwargs={"interval_s": settings.live_cost_interval_s},
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
    )
