"""The uptime roll-up job: fills `uptime_day` so the uptime report reads a year of small rows
per connector instead of a year of history (`uptime_sum`).

Every run (every 5 minutes on the process scheduler):
- purges rows older than the horizon (367 days: every whole day a report as of any time
  today can read);
- repairs late writes: status or connection rows inserted since the last run whose time
  falls in a rolled-up day (an import, a commit that raced the day's end) make that charge
  point's rows from that day on stale, so they are deleted and computed again;
- computes missing days, newest first, at most `BUDGET` connector-days per run, so the
  first run on a big history takes seconds, not minutes, and the backlog drains over the
  next runs (the report computes missing days live meanwhile, exactly, only slower). Days
  whose station hours changed (a row's `hours_key` is not the current one) count as missing.

A day is complete `GRACE` after it ends. Today is never rolled up: the report computes it
live. Excluded alarms are not in the rows (`rules/uptime_parts`), so operator exclusions need
no repair here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy import delete, func, insert, select
from sqlmodel import col

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.maintenance.reports.models import UptimeDay
from ccms_app.maintenance.reports.opening import station_hours
from ccms_app.maintenance.reports.port_events import (
    LINK_KINDS,
    ChargePointHistory,
    Port,
    all_ports,
    histories,
)
from ccms_app.maintenance.reports.uptime_sum import port_key
from ccms_app.maintenance.rules.port_timeline import Segment, port_timeline
from ccms_app.maintenance.rules.uptime_parts import (
    DAY,
    day_of,
    day_start,
    micros,
    missing_runs,
    piece_parts,
)
from ccms_app.network.models import ChargePointEvent, StatusEvent

log = logging.getLogger(__name__)

ROLLUP_JOB = "uptime-roll-up"
ROLLUP_INTERVAL = timedelta(minutes=5)
FIRST_RUN_AFTER = timedelta(minutes=2)  # not during the reconnect storm of a restart
GRACE = timedelta(minutes=10)
HORIZON_DAYS = 367
BUDGET = 40_000  # connector-days per run
CHUNK = 1_000  # charge points per history read

Run = tuple[date, date]  # first and last day, inclusive


@dataclass
class Watermark:
    """The newest status / connection rows the previous run saw (late-write repair)."""

    status_event_id: int | None = None
    link_event_id: int | None = None


@dataclass(frozen=True)
class RollupResult:
    written: int  # connector-day rows written
    repaired: int  # charge points whose rows a late write made stale
    remaining: int  # connector-days still missing after this run


def last_complete_day(now: datetime) -> date:
    return day_of(now - GRACE) - DAY


def roll_up(now: datetime, budget: int = BUDGET, seen: Watermark | None = None) -> RollupResult:
    """One run (blocking; the job calls it in a thread)."""
    last = last_complete_day(now)
    first = last - timedelta(days=HORIZON_DAYS - 1)
    with session_scope() as session:
        session.execute(delete(UptimeDay).where(col(UptimeDay.day) < first))
    repaired = 0 if seen is None else _repair_late_writes(seen, last)
    by_cp: dict[int, list[Port]] = defaultdict(list)
    for port in all_ports():
        by_cp[port.charge_point_id].append(port)
    todo = _missing(by_cp, first, last)
    missing = sum(_days(run) * len(by_cp[cp]) for cp, run in todo.items())
    written = 0
    for cps, run in _batches(todo, by_cp, budget):
        written += _write(cps, run, by_cp, now)
    return RollupResult(written, repaired, max(0, missing - written))


def _days(run: Run) -> int:
    return (run[1] - run[0]).days + 1


def _missing(by_cp: dict[int, list[Port]], first: date, last: date) -> dict[int, Run]:
    """Per charge point, its newest run of days some connector has no current row for."""
    coverage = (
        select(
            col(UptimeDay.charge_point_id),
            col(UptimeDay.connector_id),
            col(UptimeDay.hours_key),
            func.count(),
            func.min(UptimeDay.day),
            func.max(UptimeDay.day),
        )
        .where(col(UptimeDay.day) >= first, col(UptimeDay.day) <= last)
        .group_by(
            col(UptimeDay.charge_point_id), col(UptimeDay.connector_id), col(UptimeDay.hours_key)
        )
    )
    present: dict[tuple[int, int], dict[int, tuple[int, date, date]]] = defaultdict(dict)
    with read_session() as session:
        for cp, connector, key, count, low, high in session.execute(coverage):
            present[(cp, connector)][key] = (count, low, high)
    todo: dict[int, Run] = {}
    for cp, found in by_cp.items():
        runs: list[Run] = []
        for port in found:
            seen = present.get((cp, port.connector_id), {}).get(port_key(port))
            if seen is None:  # none rolled up, or only with other station hours
                runs.append((first, last))
                continue
            count, low, high = seen
            if count != (high - low).days + 1:  # a hole: compute the whole range again
                runs.append((first, last))
            else:
                runs += missing_runs(_span(low, high), first, last)
        if runs:
            todo[cp] = _newest(runs)
    return todo


def _span(low: date, high: date) -> Iterator[date]:
    day = low
    while day <= high:
        yield day
        day += DAY


def _newest(runs: Sequence[Run]) -> Run:
    """The newest run of the union of `runs`."""
    ordered = sorted(runs, key=lambda r: r[1], reverse=True)
    start, end = ordered[0]
    for low, high in ordered[1:]:
        if high + DAY >= start:
            start = min(start, low)
    return (start, end)


def _batches(
    todo: dict[int, Run], by_cp: dict[int, list[Port]], budget: int
) -> Iterator[tuple[list[int], Run]]:
    """Charge points with the same missing run together (one history read per chunk),
    newest days first, within the budget of connector-days (at least one chunk-day)."""
    groups: dict[Run, list[int]] = defaultdict(list)
    for cp, run in todo.items():
        groups[run].append(cp)
    left = budget
    for run, cps in sorted(groups.items(), key=lambda g: g[0][1], reverse=True):
        connectors = sum(len(by_cp[cp]) for cp in cps)
        days = min(_days(run), max(1, left // max(1, connectors)))
        chosen = (run[1] - timedelta(days=days - 1), run[1])
        for start in range(0, len(cps), CHUNK):
            chunk = sorted(cps)[start : start + CHUNK]
            cost = days * sum(len(by_cp[cp]) for cp in chunk)
            if left <= 0 or (cost > left and left < budget):
                return
            yield chunk, chosen
            left -= cost


def _write(cps: list[int], run: Run, by_cp: dict[int, list[Port]], now: datetime) -> int:
    span = (day_start(run[0]), day_start(run[1] + DAY))
    history = histories(cps, span)
    rows: list[dict[str, Any]] = []
    for cp in cps:
        seen = history.get(cp) or ChargePointHistory()
        for port in by_cp[cp]:
            segments = port_timeline(port.connector_id, span, seen.statuses, seen.links)
            rows += _day_rows(port, segments, run, now)
    with session_scope() as session:
        session.execute(
            delete(UptimeDay).where(
                col(UptimeDay.charge_point_id).in_(cps),
                col(UptimeDay.day) >= run[0],
                col(UptimeDay.day) <= run[1],
            )
        )
        if rows:
            session.execute(insert(UptimeDay), rows)
    return len(rows)


def _day_rows(port: Port, segments: list[Segment], run: Run, now: datetime) -> list[dict[str, Any]]:
    key = port_key(port)
    rows: list[dict[str, Any]] = []
    index = 0
    for day in _span(*run):
        piece = (day_start(day), day_start(day + DAY))
        while index < len(segments) and segments[index].end <= piece[0]:
            index += 1
        mine: list[Segment] = []
        for segment in segments[index:]:
            if segment.start >= piece[1]:
                break
            mine.append(segment)
        closed = station_hours(port.opening_hours, port.timezone, piece, closed=True)
        opened = station_hours(port.opening_hours, port.timezone, piece, closed=False)
        measured = (port.created_at, piece[1])
        parts = piece_parts(mine, piece, piece, measured, closed, opened)
        rows.append(
            {
                "charge_point_id": port.charge_point_id,
                "connector_id": port.connector_id,
                "day": day,
                "hours_key": key,
                "outage_us": micros(parts.outage),
                "closed_outage_us": micros(parts.excused),
                "working_us": micros(parts.uk.working),
                "ineligible_us": micros(parts.uk.ineligible),
                "not_working_us": micros(parts.uk.not_working),
                "computed_at": now,
            }
        )
    return rows


def _repair_late_writes(seen: Watermark, last: date) -> int:
    """Delete the rows a status or connection row written since the last run makes stale
    (its time is in a rolled-up day): from its day on, for its charge point."""
    end = day_start(last + DAY)
    with read_session() as session:
        top_status = session.execute(select(func.max(StatusEvent.id))).scalar() or 0
        top_link = session.execute(select(func.max(ChargePointEvent.id))).scalar() or 0
        earliest: dict[int, datetime] = {}
        if seen.status_event_id is not None and seen.link_event_id is not None:
            late_statuses = (
                select(col(StatusEvent.charge_point_id), func.min(StatusEvent.received_at))
                .where(
                    col(StatusEvent.id) > seen.status_event_id, col(StatusEvent.id) <= top_status
                )
                .where(col(StatusEvent.received_at) < end)
                .group_by(col(StatusEvent.charge_point_id))
            )
            late_links = (
                select(
                    col(ChargePointEvent.charge_point_id), func.min(ChargePointEvent.occurred_at)
                )
                .where(col(ChargePointEvent.id) > seen.link_event_id)
                .where(col(ChargePointEvent.id) <= top_link)
                .where(col(ChargePointEvent.kind).in_(LINK_KINDS))
                .where(col(ChargePointEvent.occurred_at) < end)
                .group_by(col(ChargePointEvent.charge_point_id))
            )
            for cp, at in [*session.execute(late_statuses), *session.execute(late_links)]:
                earliest[cp] = min(at, earliest.get(cp, at))
    if earliest:
        with session_scope() as session:
            for cp, at in earliest.items():
                session.execute(
                    delete(UptimeDay).where(
                        col(UptimeDay.charge_point_id) == cp, col(UptimeDay.day) >= day_of(at)
                    )
                )
        log.info("uptime roll-up: late writes", extra={"charge_points": len(earliest)})
    seen.status_event_id, seen.link_event_id = top_status, top_link
    return len(earliest)


class UptimeRollupJob:
    """The scheduled job; keeps the late-write watermark between runs."""

    def __init__(self) -> None:
        self.seen = Watermark()

    async def run(self) -> RollupResult | None:
        began = time.perf_counter()
        try:
            done = await asyncio.to_thread(roll_up, utc_now(), BUDGET, self.seen)
        except Exception:
            log.exception("uptime roll-up failed")
            return None
        log.info(
            "uptime roll-up",
            extra={
                "written": done.written,
                "repaired": done.repaired,
                "remaining": done.remaining,
                "seconds": round(time.perf_counter() - began, 3),
            },
        )
        return done


def schedule_uptime_rollup(scheduler: BaseScheduler) -> None:
    """Add (or replace) the roll-up job: every 5 minutes, the first 2 minutes after start."""
    scheduler.add_job(
        UptimeRollupJob().run,
        "interval",
        seconds=ROLLUP_INTERVAL.total_seconds(),
        next_run_time=utc_now() + FIRST_RUN_AFTER,
        id=ROLLUP_JOB,
        replace_existing=True,
    )
