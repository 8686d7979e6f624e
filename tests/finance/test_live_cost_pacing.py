"""The live-cost refresh keeps to its share of the process, however many sessions run.

A refresh re-reads every running session's samples: at four hours in, about 9 ms a session
(bench/finance_pricing.py --running-minutes 240). Paced, a big network's refresh takes longer
instead of holding the GIL from the chargers; the job is held while it runs and due again
`interval` after it began, or at once when it took longer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import scheduler as scheduler_module
from ccms_app.core.config import Settings
from ccms_app.core.pacing import DutyCycle
from ccms_app.core.scheduler import get_scheduler, start_scheduler, stop_scheduler
from ccms_app.core.types import utc_now
from ccms_app.finance import live_costs
from ccms_app.network.models import ChargePoint
from tests.fixtures.ocpp import eventually


class CountingPace(DutyCycle):
    def __init__(self) -> None:
        super().__init__(0.5)
        self.rests = 0

    def rest(self) -> None:
        self.rests += 1


def test_a_refresh_rests_between_its_reads_and_prices_every_session(
    session: Session, organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    cp = ChargePoint(identity="CP-PACE", organisation_id=organisation.id)
    session.add(cp)
    session.flush()
    for number in range(5):
        session.add(
            ChargingSession(
                organisation_id=organisation.id,
                charge_point_id=cp.id,
                connector_id=1,
                id_tag=f"TAG-{number}",
                start_time=datetime(2026, 12, 1, tzinfo=UTC),
                meter_start_wh=0,
            )
        )
    session.commit()
    monkeypatch.setattr(live_costs, "BATCH", 2)
    pace = CountingPace()

    events, running = live_costs._refresh(None, pace)

    assert (events, running) == ([], 5)  # no tariff applies: nothing to write
    assert pace.rests == 3  # before the reads of sessions 3-4, 5, and the empty one


@pytest.fixture
async def live_cost_job(monkeypatch: pytest.MonkeyPatch):
    """The job on a running scheduler; `took` sets how long a refresh takes."""
    await stop_scheduler()
    took = {"seconds": 0.0, "held": []}

    def refresh(now: datetime | None, pace: DutyCycle | None) -> tuple[list, int]:
        took["held"].append(get_scheduler().get_job(live_costs.JOB_ID).next_run_time)
        time.sleep(took["seconds"])
        return [], 3

    monkeypatch.setattr(live_costs, "_refresh", refresh)
    monkeypatch.setattr(live_costs, "_lagging", False)
    settings = Settings(live_cost_interval_s=30)
    live_costs.schedule_live_costs(start_scheduler(), settings)
    yield took
    await stop_scheduler()


async def test_the_job_is_held_while_it_runs_and_due_an_interval_after_it_began(
    live_cost_job: dict,
) -> None:
    live_cost_job["seconds"] = 0.2
    began = utc_now()
    await live_costs.run_refresh(30)
    job = get_scheduler().get_job(live_costs.JOB_ID)
    assert live_cost_job["held"] == [None]  # no second start while it ran
    due = job.next_run_time - began
    assert timedelta(seconds=29.5) < due < timedelta(seconds=30.5)


async def test_a_refresh_longer_than_its_interval_is_due_again_at_once_and_warned_once(
    live_cost_job: dict, caplog: pytest.LogCaptureFixture
) -> None:
    live_cost_job["seconds"] = 0.6
    with caplog.at_level(logging.INFO, logger=live_costs.log.name):
        await live_costs.run_refresh(0.5)
        assert get_scheduler().get_job(live_costs.JOB_ID).next_run_time <= utc_now()
        await live_costs.run_refresh(0.5)
        live_cost_job["seconds"] = 0.0
        await live_costs.run_refresh(0.5)
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages == [
        ("WARNING", "live costs take longer to refresh than their interval"),
        ("INFO", "live costs refresh within their interval again"),
    ]
    lagging = caplog.records[0]
    assert lagging.sessions_priced == 3  # type: ignore[attr-defined]
    assert lagging.refresh_s >= 0.6  # type: ignore[attr-defined]


async def test_the_scheduler_runs_the_job_again_when_it_is_due(live_cost_job: dict) -> None:
    get_scheduler().modify_job(live_costs.JOB_ID, next_run_time=utc_now())
    await eventually(lambda: len(live_cost_job["held"]) == 1)


async def test_a_refresh_that_ends_while_the_scheduler_stops_leaves_no_new_scheduler(
    live_cost_job: dict,
) -> None:
    """The refresh re-arms its job when it ends; during stop_scheduler's grace the stopping
    scheduler is already forgotten, and re-arming must not create a fresh one."""
    live_cost_job["seconds"] = 0.3
    refresh = asyncio.ensure_future(live_costs.run_refresh(30))
    await asyncio.sleep(0.1)  # the refresh is reading
    await stop_scheduler(grace_s=0.0)
    assert await refresh == 0
    assert scheduler_module.current_scheduler() is None
