"""The scheduled local list sync: every SYNC_INTERVAL_S, push pending changes to connected
charge points, sync each charge point after it booted, and mark the charge points holding an
Accepted entry whose expiry passed (their list must now say Expired)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import Session, col, select

from ccms_app.control.commands import get_command_port
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.marks import mark_charge_points_changed
from ccms_app.drivers.local_lists.outcomes import SUCCESSES, SyncResult
from ccms_app.drivers.local_lists.status import managed_charge_point_ids
from ccms_app.drivers.local_lists.sync import sync_many
from ccms_app.drivers.models import LocalListSentEntry, LocalListSyncState
from ccms_app.network.models import ChargePoint, RegistrationState

log = logging.getLogger(__name__)

SYNC_JOB_ID = "local_lists.sync"
SYNC_INTERVAL_S = 30
RETRY_AFTER = timedelta(minutes=5)  # a charge point whose last sync failed waits this long
SYNC_BY = "local-list-sync"  # requested_by of the automatic syncs


def _mark_expired_entries(session: Session, now: datetime) -> None:
    """Entries a charge point holds as Accepted whose expiry passed: its list must say so."""
    stale = session.exec(
        select(LocalListSentEntry.charge_point_id)
        .join(
            LocalListSyncState,
            col(LocalListSyncState.charge_point_id) == col(LocalListSentEntry.charge_point_id),
        )
        .where(
            col(LocalListSentEntry.status) == "Accepted",
            col(LocalListSentEntry.expiry_date).is_not(None),
            col(LocalListSentEntry.expiry_date) <= now,
            col(LocalListSyncState.change_count) <= col(LocalListSyncState.synced_change_count),
        )
    ).all()
    mark_charge_points_changed(session, stale)


def _due_charge_points(now: datetime, connected: Collection[str]) -> list[int]:
    """Registered, connected charge points with a list to sync: changed since the last sync,
    booted since, or never synced. One that failed waits RETRY_AFTER unless it rebooted."""
    with session_scope() as session:
        managed = set(managed_charge_point_ids(session, None))
        missing = managed - set(session.exec(select(LocalListSyncState.charge_point_id)).all())
        mark_charge_points_changed(session, missing)
        _mark_expired_entries(session, now)
        session.flush()
        rows = session.exec(
            select(LocalListSyncState, ChargePoint)
            .join(ChargePoint, col(ChargePoint.id) == col(LocalListSyncState.charge_point_id))
            .where(
                col(ChargePoint.is_online).is_(True),
                col(ChargePoint.registration_state) == RegistrationState.REGISTERED,
            )
        ).all()
    return [
        stored_id(cp.id)
        for state, cp in rows
        if cp.id in managed and cp.identity in connected and _is_due(state, cp, now)
    ]


def _is_due(state: LocalListSyncState, cp: ChargePoint, now: datetime) -> bool:
    boot_at = cp.last_boot_at
    booted = boot_at is not None and (
        state.synced_boot_at is None or boot_at > state.synced_boot_at
    )
    changed = state.change_count > state.synced_change_count
    if not (booted or changed):
        return False
    failed_recently = (
        state.last_result not in (*SUCCESSES, "")
        and state.last_attempt_at is not None
        and now - state.last_attempt_at < RETRY_AFTER
    )
    retried_after_boot = (
        boot_at is not None
        and booted
        and (state.last_attempt_at is None or boot_at > state.last_attempt_at)
    )
    return not failed_recently or retried_after_boot


async def run_sync_job() -> list[SyncResult]:
    """The scheduler's entry point: push pending changes to connected charge points and check
    those that booted since their last sync. A failure is logged, never lost in the scheduler."""
    port = get_command_port()
    if port is None:
        return []
    try:
        due = await asyncio.to_thread(_due_charge_points, utc_now(), port.connected_identities())
        results = await sync_many(due, SYNC_BY)
    except Exception:
        log.exception("local list sync job failed")
        return []
    if results:
        counts: dict[str, int] = {}
        for r in results:
            counts[r.result] = counts.get(r.result, 0) + 1
        log.info("local list sync job ran", extra={"results": counts})
    return results


def schedule_sync(scheduler: BaseScheduler, every_seconds: float = SYNC_INTERVAL_S) -> None:
    """Add (or replace) the periodic local list sync on `scheduler`."""
    scheduler.add_job(
        run_sync_job, "interval", seconds=every_seconds, id=SYNC_JOB_ID, replace_existing=True
    )
