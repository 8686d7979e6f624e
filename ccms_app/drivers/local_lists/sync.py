"""Local authorization lists on the charge points: bring one charge point, a list's charge
points, or every out-of-date charge point to what CCMS wants there, now.

- Desired list of a charge point: the id tags of every list assigned to it, each with the
  IdTagInfo Authorize would give (drivers.rules.authorization.id_tag_status: Blocked, Expired,
  parent id tag), built by drivers.rules.local_list (drivers.local_lists.status).
- The exchanges (GetLocalListVersion, then a Differential or Full SendLocalList) are in
  drivers.local_lists.exchanges; what they did is stored per charge point and published as
  NetworkEvent(kind="local_list") (drivers.local_lists.bookkeeping).
- Changes (an id tag blocked, a list edited or assigned) mark the charge points concerned
  (drivers.local_lists.marks); the scheduler's job (drivers.local_lists.job) pushes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection

from sqlmodel import col, select

from ccms_app.accounts.models import Organisation
from ccms_app.control.commands import CommandView, get_command_port, send_command
from ccms_app.control.models import CommandStatus
from ccms_app.core.db import read_session
from ccms_app.core.rows import stored_id
from ccms_app.drivers.local_lists.assignments import assigned_charge_point_ids
from ccms_app.drivers.local_lists.bookkeeping import (
    charge_point_identity,
    load_context,
    publish,
    record_reported,
    record_result,
)
from ccms_app.drivers.local_lists.exchanges import (
    SyncStopped,
    reported_version,
    run_sync,
    sync_result,
)
from ccms_app.drivers.local_lists.outcomes import FAILED, OFFLINE, SyncResult
from ccms_app.drivers.local_lists.status import out_of_date_charge_points

log = logging.getLogger(__name__)

CONCURRENCY = 20  # charge points synced at once by sync_all, sync_list and the job

_locks: dict[int, asyncio.Lock] = {}
_locks_loop: asyncio.AbstractEventLoop | None = None


def _lock(charge_point_id: int) -> asyncio.Lock:
    """One sync per charge point at a time (the job and an operator may ask together)."""
    global _locks_loop
    loop = asyncio.get_running_loop()
    if loop is not _locks_loop:  # locks belong to one event loop (tests run several)
        _locks.clear()
        _locks_loop = loop
    return _locks.setdefault(charge_point_id, asyncio.Lock())


async def sync_charge_point(
    charge_point_id: int, requested_by: str, full: bool = False
) -> SyncResult:
    """Bring one charge point's local list to what CCMS wants (differential when possible,
    full when `full`, on the first sync, or when its version is not CCMS's); the outcome is
    stored and returned. Raises UnknownChargePointError for an unknown id."""
    async with _lock(charge_point_id):
        ctx = await asyncio.to_thread(load_context, charge_point_id)
        port = get_command_port()
        if port is None or not port.is_connected(ctx.identity):
            result = sync_result(ctx, OFFLINE, "the charge point is not connected")
        else:
            try:
                result = await run_sync(ctx, requested_by, full)
            except SyncStopped as stop:
                result = sync_result(ctx, stop.result, stop.detail)
        await asyncio.to_thread(record_result, ctx, result)
    publish(result)
    log.info(
        "local list sync finished",
        extra={
            "identity": result.identity,
            "result": result.result,
            "version": result.version,
            "by": requested_by,
        },
    )
    return result


async def sync_many(
    charge_point_ids: list[int], requested_by: str, full: bool = False
) -> list[SyncResult]:
    """Sync these charge points concurrently (CONCURRENCY at once); one result each."""
    limit = asyncio.Semaphore(CONCURRENCY)

    async def one(charge_point_id: int) -> SyncResult:
        async with limit:
            try:
                return await sync_charge_point(charge_point_id, requested_by, full)
            except Exception as exc:  # one broken charge point never stops the others
                log.exception("local list sync failed", extra={"cp": charge_point_id})
                return SyncResult(charge_point_id, "", FAILED, f"not synced: {exc!r}", 0)

    return list(await asyncio.gather(*(one(c) for c in dict.fromkeys(charge_point_ids))))


async def sync_all(
    requested_by: str, organisation_ids: Collection[int] | None = None, full: bool = False
) -> list[SyncResult]:
    """Sync every out-of-date charge point (of these organisations, or all), concurrently;
    one result per charge point, offline ones included (result offline)."""
    if organisation_ids is None:
        organisation_ids = await asyncio.to_thread(_all_organisations)
    stale = await asyncio.to_thread(out_of_date_charge_points, organisation_ids)
    return await sync_many([s.charge_point_id for s in stale], requested_by, full)


async def sync_list(
    list_id: int, requested_by: str, scope: Collection[int] | None = None, full: bool = False
) -> list[SyncResult]:
    """Sync every charge point the list is assigned to now, concurrently (as sync_all does);
    one SyncResult per charge point."""
    ids = await asyncio.to_thread(assigned_charge_point_ids, list_id, scope)
    return await sync_many(ids, requested_by, full)


def _all_organisations() -> list[int]:
    with read_session() as session:
        return [stored_id(i) for i in session.exec(select(col(Organisation.id))).all()]


async def fetch_list_version(charge_point_id: int, requested_by: str) -> CommandView:
    """GetLocalListVersion on its own; a reply is stored as the reported version."""
    view = await send_command(charge_point_id, "GetLocalListVersion", {}, requested_by)
    if view.status == CommandStatus.ACCEPTED:
        version = reported_version(view)
        await asyncio.to_thread(record_reported, charge_point_id, version)
        identity = await asyncio.to_thread(charge_point_identity, charge_point_id)
        publish(SyncResult(charge_point_id, identity, "reported", "", version))
    return view
