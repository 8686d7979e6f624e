"""Session pricing at scale: 100,000 finished sessions, and the live cost of 1,000 running ones.

Three figures, each next to a baseline measured in the same run (machines here are noisy):

1. engine: N finished sessions (default 100,000; 30-150 minutes, 5-70 kWh, 0-40 idle minutes,
   a meter sample every 5 minutes, random starts over a month in Europe/Berlin) turned into
   timelines (finance.rules.session_timeline) and priced (finance.rules.tariff_engine) with a
   realistic tariff: peak energy 18:00-22:00, off-peak energy, a start fee, an idle fee after a
   15-minute grace, capped. Baseline: the same sessions with a flat per-kWh tariff.
2. stop: the pricing a StopTransaction runs (finance.session_pricing.compute: tariff
   resolution, the session's samples and statuses from SQLite, timeline, engine) for S stored
   sessions. Baseline: reading those sessions' samples alone (session_pricing.meter_points).
3. live: finance.live_costs.refresh_running_costs over R running sessions (default 1,000,
   30 samples each; `--running-minutes M`: started M minutes ago, an energy register and a
   power sample every minute) writing their running cost rows, twice: the first run resolves
   each session's tariff, the next ones keep it. Baseline: reading their samples alone.
4. pacing: the event loop's lag (how late a 5 ms sleep wakes up) while a refresh of those
   sessions runs in a thread as the job runs it, paced to live_costs.CPU_SHARE. Baseline:
   the same refresh unpaced.

    .venv/bin/python bench/finance_pricing.py [--sessions 100000] [--stored 2000] [--running 1000]
        [--running-minutes 240]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, update
from sqlmodel import col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.core import db
from ccms_app.core.migrations import upgrade_database
from ccms_app.core.pacing import DutyCycle
from ccms_app.drivers.models import IdTag
from ccms_app.finance import live_costs, session_pricing
from ccms_app.finance.models import AssignmentTarget
from ccms_app.finance.rules.session_timeline import MeterPoint, SessionFacts, build_timeline
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_json import parse_tariff
from ccms_app.finance.rules.tariff_types import Tariff
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff
from ccms_app.network.models import ChargePoint, Station

ZONE = "Europe/Berlin"
MONTH = datetime(2026, 11, 1, tzinfo=UTC)
SAMPLE_EVERY = timedelta(minutes=5)
WH_A_MINUTE = 183  # 11 kW for a minute, the running sessions of --running-minutes
REALISTIC = {
    "currency": "EUR",
    "idle_grace_minutes": 15,
    "idle_fee_cap": "12.00",
    "elements": [
        {
            "fee": "start",
            "price_components": [{"type": "FLAT", "price": "0.50", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.59", "vat": "19", "step_size": 1}],
            "restrictions": {"start_time": "18:00", "end_time": "22:00"},
        },
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.45", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "idle",
            "price_components": [
                {"type": "PARKING_TIME", "price": "6.00", "vat": "19", "step_size": 60}
            ],
        },
    ],
}
FLAT = {
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "ENERGY", "price": "0.45", "vat": "19", "step_size": 1}]}
    ],
}


def _session(rnd: random.Random) -> tuple[SessionFacts, list[MeterPoint], list[Any]]:
    """A finished session: its facts, samples every 5 minutes, and its idle status."""
    start = MONTH + timedelta(minutes=rnd.randrange(30 * 24 * 60))
    charging = timedelta(minutes=rnd.randrange(30, 150))
    idle = timedelta(minutes=rnd.choice((0, 0, 5, 20, 40)))
    energy_wh = rnd.randrange(5_000, 70_000)
    meter_start = rnd.randrange(0, 10_000_000)
    steps = max(1, charging // SAMPLE_EVERY)
    points = [
        MeterPoint(
            start + SAMPLE_EVERY * i,
            register_wh=Decimal(meter_start + energy_wh * i // steps),
            power_w=Decimal(energy_wh * 12 // max(steps, 1)),
        )
        for i in range(1, steps + 1)
    ]
    statuses = [(start + charging, "SuspendedEV")] if idle else []
    facts = SessionFacts(start, start + charging + idle, meter_start, energy_wh)
    return facts, points, statuses


def _per_session(seconds: float, count: int) -> str:
    return f"{seconds:8.2f} s  {seconds / count * 1e6:9.1f} us/session"


def engine_figures(count: int) -> None:
    rnd = random.Random(7)
    sessions = [_session(rnd) for _ in range(count)]
    realistic = parse_tariff(REALISTIC, time_zone=ZONE)
    flat = parse_tariff(FLAT, time_zone=ZONE)

    def price_all(tariff: Tariff) -> float:
        began = time.perf_counter()
        for facts, points, statuses in sessions:
            price_session(tariff, build_timeline(facts, points, statuses))
        return time.perf_counter() - began

    base = price_all(flat)
    real = price_all(realistic)
    print(f"1. engine, {count:,} finished sessions (timeline + pricing)")
    print(f"   baseline, flat per-kWh tariff:         {_per_session(base, count)}")
    print(f"   peak/off-peak + start + idle (capped): {_per_session(real, count)}")
    print(f"   ratio realistic / flat: {real / base:.2f}")


def seed(stored: int, running: int, running_minutes: int = 0) -> tuple[list[int], list[int]]:
    """An organisation, a Berlin station, 100 charge points, the realistic tariff as network
    default, `stored` finished and `running` running sessions with their samples (with
    `running_minutes`: each running session started that long ago, and has an energy
    register and a power sample every minute since, as a charger sampling every 60 s)."""
    engine = db.get_engine()
    now = datetime.now(UTC)
    with db.session_scope() as s:
        org = Organisation(name="Bench Operator")
        s.add(org)
        s.flush()
        station = Station(name="Bench site", organisation_id=org.id, timezone=ZONE)
        s.add(station)
        s.flush()
        for i in range(100):
            s.add(
                ChargePoint(
                    identity=f"BENCH-{i:03d}",
                    organisation_id=org.id,
                    station_id=station.id,
                    registration_state="registered",
                )
            )
        s.add(IdTag(id_tag="BENCH-CARD", organisation_id=org.id))
        org_id = org.id
    assert org_id is not None
    tariff = create_tariff(
        {org_id}, org_id, "Bench", REALISTIC, valid_from=MONTH - timedelta(days=1)
    )
    assign({org_id}, tariff.id, AssignmentTarget.NETWORK, org_id, "bench")
    with db.read_session() as s:
        cps = list(s.exec(select(ChargePoint.id)))
    rnd = random.Random(11)
    finished, live = [], []
    with engine.begin() as conn:
        for index in range(stored + running):
            facts, points, _ = _session(rnd)
            is_running = index >= stored
            start = now - timedelta(minutes=30) if is_running else facts.start
            row = {
                "organisation_id": org_id,
                "charge_point_id": cps[index % len(cps)],
                "connector_id": 1,
                "id_tag": "BENCH-CARD",
                "status": SessionStatus.ACTIVE if is_running else SessionStatus.COMPLETED,
                "start_time": start,
                "stop_time": None if is_running else facts.end,
                "meter_start_wh": facts.meter_start_wh,
                "meter_stop_wh": None if is_running else facts.meter_start_wh + facts.energy_wh,
                "energy_wh": facts.energy_wh,
            }
            tx = conn.execute(insert(ChargingSession).values(**row)).inserted_primary_key[0]
            shift = start - facts.start
            samples = [replace(p, at=p.at + shift) for p in points]
            samples = samples[:30] if is_running else samples
            if is_running and running_minutes:
                samples = _per_minute(now, facts.meter_start_wh, running_minutes)
                conn.execute(
                    update(ChargingSession)
                    .where(col(ChargingSession.id) == tx)
                    .values(start_time=samples[0].at, energy_wh=running_minutes * WH_A_MINUTE)
                )
            rows = [_sample_row(row, tx, p) for p in samples]
            if is_running and running_minutes:
                rows += [_sample_row(row, tx, p, "Power.Active.Import") for p in samples]
            conn.execute(insert(MeterSample), rows)
            (live if is_running else finished).append(tx)
    return finished, live


def _per_minute(now: datetime, meter_start: int, minutes: int) -> list[MeterPoint]:
    """A sample a minute at 11 kW for the last `minutes`; the first one is the start."""
    start = now - timedelta(minutes=minutes)
    return [
        MeterPoint(
            start + timedelta(minutes=i),
            register_wh=Decimal(meter_start + WH_A_MINUTE * i),
            power_w=Decimal(11_000),
        )
        for i in range(minutes + 1)
    ]


def _sample_row(
    row: dict[str, Any],
    tx: int,
    point: MeterPoint,
    measurand: str = "Energy.Active.Import.Register",
) -> dict[str, Any]:
    power = measurand == "Power.Active.Import"
    value = point.power_w if power else point.register_wh
    return {
        "charge_point_id": row["charge_point_id"],
        "connector_id": 1,
        "session_id": tx,
        "timestamp": point.at,
        "measurand": measurand,
        "value": float(value or 0),
        "unit": "W" if power else "Wh",
    }


def _timed(work: Callable[[], Any]) -> float:
    began = time.perf_counter()
    work()
    return time.perf_counter() - began


def stop_figures(ids: list[int]) -> None:
    def read_only() -> None:
        with db.read_session() as s:
            for tx in ids:
                cs = s.get(ChargingSession, tx)
                assert cs is not None
                session_pricing.meter_points(s, cs)

    def price() -> None:
        with db.read_session() as s:
            for tx in ids:
                cs = s.get(ChargingSession, tx)
                assert cs is not None
                cp = s.get(ChargePoint, cs.charge_point_id)
                assert cp is not None
                session_pricing.compute(s, cs, cp, cs.stop_time or cs.start_time)

    base, full = _timed(read_only), _timed(price)
    print(f"2. stop pricing, {len(ids):,} stored sessions (SQLite)")
    print(f"   baseline, read the samples only:       {_per_session(base, len(ids))}")
    print(f"   compute (resolve, read, price):        {_per_session(full, len(ids))}")
    print(f"   ratio compute / read: {full / base:.2f}")


def live_figures(ids: list[int]) -> None:
    def read_only() -> None:
        with db.read_session() as s:
            for tx in ids:
                cs = s.get(ChargingSession, tx)
                assert cs is not None
                session_pricing.meter_points(s, cs)

    base = _timed(read_only)
    events: list[Any] = []
    first = _timed(lambda: events.extend(live_costs.refresh_running_costs()))
    steady = _timed(lambda: events.extend(live_costs.refresh_running_costs()))
    print(f"3. live cost refresh, {len(ids):,} running sessions ({len(events):,} updates)")
    print(f"   baseline, read the samples only:       {_per_session(base, len(ids))}")
    print(f"   first refresh (resolves the tariffs):  {_per_session(first, len(ids))}")
    print(f"   next refreshes (tariff kept):          {_per_session(steady, len(ids))}")
    print(f"   ratio next refresh / read: {steady / base:.2f}")


async def _lag_during(work: Callable[[], Any]) -> tuple[float, list[float]]:
    """Run `work` in a thread (as the job does); the event loop's lag meanwhile: how late a
    5 ms sleep wakes up, the delay an OCPP reply or a live push would see."""
    lags: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        while not done.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append(time.perf_counter() - began - 0.005)

    probing = asyncio.create_task(probe())
    began = time.perf_counter()
    await asyncio.to_thread(work)
    took = time.perf_counter() - began
    done.set()
    await probing
    return took, sorted(lags)


def pacing_figures(count: int) -> None:
    """The event loop's lag while a live-cost refresh runs, unpaced and paced."""

    def lag_line(name: str, took: float, worked: float, lags: list[float]) -> str:
        p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))] * 1000
        p50 = statistics.median(lags) * 1000
        return (
            f"   {name:<38}{took:6.2f} s wall, {worked:5.2f} s work; loop lag "
            f"p50 {p50:5.1f} / p99 {p99:6.1f} / max {lags[-1] * 1000:6.1f} ms"
        )

    def unpaced() -> None:
        live_costs._refresh(None, None)

    cycles: list[DutyCycle] = []

    def paced() -> None:
        cycles.append(DutyCycle(live_costs.CPU_SHARE))  # its clock starts with the refresh
        live_costs._refresh(None, cycles[0])

    took, lags = asyncio.run(_lag_during(unpaced))
    print(f"4. event loop lag during a live cost refresh of {count:,} running sessions")
    print(lag_line("unpaced (before):", took, took, lags))
    took, lags = asyncio.run(_lag_during(paced))
    name = f"paced to {live_costs.CPU_SHARE:.0%} (the job):"
    print(lag_line(name, took, cycles[0].done(), lags))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=100_000)
    parser.add_argument("--stored", type=int, default=2_000)
    parser.add_argument("--running", type=int, default=1_000)
    parser.add_argument(
        "--running-minutes",
        type=int,
        default=0,
        help="running sessions started this long ago, sampled every minute (default: 30 "
        "samples of the finished sessions' kind)",
    )
    args = parser.parse_args()
    engine_figures(args.sessions)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        upgrade_database(url)
        db.set_engine(db.make_engine(url))
        finished, running = seed(args.stored, args.running, args.running_minutes)
        stop_figures(finished)
        live_figures(running)
        pacing_figures(len(running))
        db.set_engine(None)


if __name__ == "__main__":
    main()
