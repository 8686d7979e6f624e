"""Retention (docs/data-policy.md "Retention"): the message log and meter samples on a real
migrated database, purged in batches; running and flagged sessions keep their samples."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession, MeterSample, SessionStatus
from ccms_app.charging.sample_retention import meter_sample_retention
from ccms_app.control.message_retention import message_log_retention
from ccms_app.control.models import OcppMessage
from ccms_app.core import retention
from ccms_app.core.config import Settings
from ccms_app.core.retention import purge_in_background, purge_now
from ccms_app.core.scheduler import get_scheduler
from ccms_app.network.models import ChargePoint
from ccms_app.retention import PURGE_INTERVAL, PURGE_JOB_ID, purge, schedule_purge
from ccms_app.runtime import network_runtime

NOW = datetime.now(UTC).replace(microsecond=0)
OLD = NOW - timedelta(days=40)
RECENT = NOW - timedelta(days=5)
CUTOFF_DAYS = 30


@pytest.fixture
def cp_id(session: Session, organisation: Organisation) -> int:
    cp = ChargePoint(identity="CP-RET", organisation_id=organisation.id)
    session.add(cp)
    session.commit()
    assert cp.id is not None
    return cp.id


def add_messages(session: Session, at: datetime, count: int) -> None:
    for n in range(count):
        session.add(
            OcppMessage(
                charge_point_identity="CP-RET",
                direction="in",
                message_type=2,
                message_id=f"m{n}",
                action="Heartbeat",
                payload='[2,"m","Heartbeat",{}]',
                created_at=at,
            )
        )
    session.commit()


def add_session(
    session: Session, org: Organisation, cp_id: int, start: datetime, *, stop: datetime | None,
    flagged: bool = False,
) -> int:  # fmt: skip
    row = ChargingSession(
        organisation_id=org.id,
        charge_point_id=cp_id,
        connector_id=1,
        id_tag="TAG",
        status=SessionStatus.ACTIVE if stop is None else SessionStatus.COMPLETED,
        start_time=start,
        stop_time=stop,
        meter_start_wh=0,
        flagged=flagged,
    )
    session.add(row)
    session.commit()
    assert row.id is not None
    return row.id


def add_samples(session: Session, cp_id: int, session_id: int | None, at: datetime, n: int) -> None:
    for i in range(n):
        session.add(
            MeterSample(
                charge_point_id=cp_id,
                connector_id=1,
                session_id=session_id,
                timestamp=at + timedelta(seconds=i),
                measurand="Energy.Active.Import.Register",
                value=float(i),
                unit="Wh",
            )
        )
    session.commit()


def samples_by_session(session: Session) -> dict[int | None, int]:
    session.rollback()
    counts: dict[int | None, int] = {}
    for sid in session.exec(select(MeterSample.session_id)).all():
        counts[sid] = counts.get(sid, 0) + 1
    return counts


def message_times(session: Session) -> list[datetime]:
    session.rollback()
    return list(session.exec(select(col(OcppMessage.created_at))).all())


def test_old_messages_are_purged_in_batches_newer_ones_kept(
    session: Session, engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    add_messages(session, OLD, 23)
    add_messages(session, RECENT, 4)
    add_messages(session, OLD, 2)  # a late old row past the boundary: next purge takes it
    caplog.set_level(logging.INFO, logger=retention.__name__)

    [report] = purge_now([message_log_retention(CUTOFF_DAYS)], NOW, batch_rows=5, pause=0)

    assert report.rows == 23
    assert sorted(message_times(session)) == [OLD] * 2 + [RECENT] * 4
    [record] = [r for r in caplog.records if r.getMessage() == "retention purge"]
    assert (record.table, record.rows) == ("ocpp_message", 23)  # type: ignore[attr-defined]
    assert record.cutoff == (NOW - timedelta(days=CUTOFF_DAYS)).isoformat()  # type: ignore[attr-defined]


def test_each_message_batch_is_its_own_transaction(session: Session, engine: Engine) -> None:
    add_messages(session, OLD, 12)
    batches = message_log_retention(CUTOFF_DAYS).purge(NOW - timedelta(days=CUTOFF_DAYS), 5)
    assert next(batches) == 5
    assert len(message_times(session)) == 7  # committed: another connection sees it
    assert list(batches) == [5, 2]
    assert message_times(session) == []


def test_samples_of_ended_sessions_go_running_and_flagged_stay(
    session: Session, engine: Engine, organisation: Organisation, cp_id: int
) -> None:
    ended = add_session(session, organisation, cp_id, OLD, stop=OLD + timedelta(hours=1))
    running = add_session(session, organisation, cp_id, OLD, stop=None)
    flagged = add_session(session, organisation, cp_id, OLD, stop=OLD, flagged=True)
    ended_recently = add_session(session, organisation, cp_id, OLD, stop=RECENT)
    for sid in (ended, running, flagged, ended_recently):
        add_samples(session, cp_id, sid, OLD, 7)
    add_samples(session, cp_id, ended, RECENT, 2)  # timestamped after the stop: go with it
    add_samples(session, cp_id, None, OLD, 6)
    add_samples(session, cp_id, None, RECENT, 3)

    table = meter_sample_retention(CUTOFF_DAYS)
    cutoff = NOW - timedelta(days=CUTOFF_DAYS)
    assert table.count(cutoff) == 9 + 6
    assert list(table.purge(cutoff, 4)) == [4, 2, 4, 4, 1]  # sessionless, then session `ended`

    assert samples_by_session(session) == {running: 7, flagged: 7, ended_recently: 7, None: 3}
    assert session.get(ChargingSession, ended) is not None  # the billing record stays


def test_zero_keeps_everything_and_dry_run_only_counts(
    session: Session, engine: Engine, organisation: Organisation, cp_id: int
) -> None:
    add_messages(session, OLD, 3)
    add_samples(session, cp_id, None, OLD, 2)
    settings = Settings(
        message_log_retention_days=0,
        meter_sample_retention_days=CUTOFF_DAYS,
        audit_retention_days=0,
        load_history_retention_days=0,
        power_sample_retention_days=0,
    )

    dry = purge(settings, dry_run=True)
    assert [(r.table, r.rows, r.dry_run) for r in dry] == [
        ("ocpp_message", 0, True),
        ("meter_sample", 2, True),
        ("audit_entry", 0, True),
        ("load_decision", 0, True),
        ("building_load_reading", 0, True),
        ("power_sample (stations)", 0, True),
        ("power_sample", 0, True),
    ]
    assert dry[0].cutoff is None and "kept for ever" in dry[0].line()
    assert "would purge 2 rows" in dry[1].line()
    assert len(message_times(session)) == 3 and samples_by_session(session) == {None: 2}

    done = purge(settings)
    assert [(r.table, r.rows) for r in done] == [
        ("ocpp_message", 0),
        ("meter_sample", 2),
        ("audit_entry", 0),
        ("load_decision", 0),
        ("building_load_reading", 0),
        ("power_sample (stations)", 0),
        ("power_sample", 0),
    ]
    assert len(message_times(session)) == 3 and samples_by_session(session) == {}


async def test_the_background_purge_yields_between_batches(
    session: Session, engine: Engine
) -> None:
    add_messages(session, OLD, 9)
    reports = await purge_in_background(
        [message_log_retention(CUTOFF_DAYS), meter_sample_retention(0)], NOW, batch_rows=4
    )
    assert [(r.table, r.rows) for r in reports] == [("ocpp_message", 9)]
    assert message_times(session) == []


async def test_the_purge_job_is_registered_at_start(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, ocpp_host="127.0.0.1", ocpp_port=0)
    async with network_runtime(settings):
        job = get_scheduler().get_job(PURGE_JOB_ID)
        assert job is not None and job.trigger.interval == PURGE_INTERVAL
        assert job.next_run_time > datetime.now(UTC) + timedelta(minutes=5)  # not at start


def test_no_job_when_everything_is_kept() -> None:
    scheduler = AsyncIOScheduler()
    schedule_purge(
        scheduler,
        Settings(
            message_log_retention_days=0,
            meter_sample_retention_days=0,
            audit_retention_days=0,
            load_history_retention_days=0,
            power_sample_retention_days=0,
        ),
    )
    assert scheduler.get_job(PURGE_JOB_ID) is None
