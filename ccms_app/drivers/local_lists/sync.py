"""Local authorization lists on the charge points: what each should hold, whether it does, and
the GetLocalListVersion / SendLocalList exchanges that bring it there.

- Desired list of a charge point: the id tags of every list assigned to it, each with the
  IdTagInfo Authorize would give (drivers.rules.authorization.id_tag_status: Blocked, Expired,
  parent id tag), built by drivers.rules.local_list.
- A sync asks GetLocalListVersion first. If the charge point's version is the one it last
  accepted from CCMS, only the difference is sent (Differential); otherwise, on the first sync,
  or when the operator asks, the whole list (Full). Updates longer than SendLocalListMaxLength
  are split; a list longer than LocalAuthListMaxLength is refused (too_long). A VersionMismatch
  answer is followed once by a full update at a higher version, and counted.
- Changes (an id tag blocked, a list edited or assigned) mark the charge points concerned
  (drivers.local_lists.admin); the scheduler's job (`run_sync_job`, every
  SYNC_INTERVAL_S) pushes them to connected charge points, and also syncs a charge point after
  each boot and when an entry it holds as Accepted passes its expiry.
Every sync outcome is stored per charge point and published as NetworkEvent(kind="local_list").
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.base import BaseScheduler
from sqlmodel import Session, col, delete, select

from ccms_app.control import configuration
from ccms_app.control.commands import (
    CommandView,
    UnknownChargePointError,
    get_command_port,
    send_command,
)
from ccms_app.control.models import CommandStatus
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.admin import (
    LocalListError,
    LocalListView,
    add_id_tags,
    assign_list,
    create_list,
    delete_list,
    get_list,
    lists_for,
    mark_charge_points_changed,
    mark_id_tags_changed,
    mark_id_tags_changed_in,
    remove_id_tags,
    sync_state_row,
    unassign_list,
)
from ccms_app.drivers.local_lists.status import (
    LIST_MAX_KEY,
    SEND_MAX_KEY,
    EntryView,
    LocalListStatus,
    desired_lists,
    list_limits,
    local_list_status,
    managed_charge_point_ids,
    out_of_date_charge_points,
    out_of_date_reasons,
    sent_lists,
)
from ccms_app.drivers.models import LocalListSentEntry, LocalListSyncState
from ccms_app.drivers.rules.local_list import (
    FULL,
    NOT_SUPPORTED_VERSION,
    ListEntry,
    ListTooLongError,
    LocalListUpdate,
    apply_update,
    check_fits,
    diff_lists,
    next_version,
    plan_differential,
    plan_full,
)
from ccms_app.network.models import ChargePoint, RegistrationState

log = logging.getLogger(__name__)

SYNC_JOB_ID = "local_lists.sync"
SYNC_INTERVAL_S = 30
RETRY_AFTER = timedelta(minutes=5)  # a charge point whose last sync failed waits this long
SYNC_BY = "local-list-sync"  # requested_by of the automatic syncs
CONCURRENCY = 20  # charge points synced at once by sync_all and the job

ACCEPTED = "accepted"
UP_TO_DATE = "up_to_date"
FAILED = "failed"
NOT_SUPPORTED = "not_supported"
VERSION_MISMATCH = "version_mismatch"
TOO_LONG = "too_long"
OFFLINE = "offline"
TIMED_OUT = "timed_out"
SUCCESSES = (ACCEPTED, UP_TO_DATE)
_COMMAND_OUTCOMES = {
    CommandStatus.OFFLINE: OFFLINE,
    CommandStatus.TIMED_OUT: TIMED_OUT,
    CommandStatus.FAILED: FAILED,
}
_REFUSALS = {"VersionMismatch": VERSION_MISMATCH, "NotSupported": NOT_SUPPORTED}


@dataclass(frozen=True)
class SyncResult:
    charge_point_id: int
    identity: str
    result: str  # accepted | up_to_date | failed | not_supported | version_mismatch | ...
    detail: str
    version: int  # the version the charge point accepted last (0: none)
    update_type: str = ""  # Full | Differential of the last update sent
    updates_sent: int = 0  # SendLocalList requests the charge point accepted
    fell_back_to_full: bool = False

    @property
    def ok(self) -> bool:
        return self.result in SUCCESSES


# --- sync -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    charge_point_id: int
    identity: str
    accepted_version: int
    reported_version: int | None
    change_count: int
    boot_at: datetime | None
    sent: list[ListEntry]
    desired: list[ListEntry]
    limits: dict[str, int | None]


def _load_context(charge_point_id: int) -> _Context:
    with session_scope() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None:
            raise UnknownChargePointError(f"charge point {charge_point_id} does not exist")
        state = sync_state_row(session, charge_point_id)
        ids = [charge_point_id]
        return _Context(
            charge_point_id=charge_point_id,
            identity=cp.identity,
            accepted_version=state.accepted_version,
            reported_version=state.reported_version,
            change_count=state.change_count,
            boot_at=cp.last_boot_at,
            sent=sent_lists(session, ids).get(charge_point_id, []),
            desired=desired_lists(session, ids, utc_now()).get(charge_point_id, []),
            limits=list_limits(session, charge_point_id),
        )


def _record_reported(charge_point_id: int, version: int) -> None:
    with session_scope() as session:
        state = sync_state_row(session, charge_point_id)
        state.reported_version, state.reported_at = version, utc_now()
        session.add(state)


def _record_accepted(
    charge_point_id: int, update: LocalListUpdate, current: list[ListEntry]
) -> None:
    """The charge point accepted `update`: its list is now `apply_update(current, update)`."""
    now = utc_now()
    with session_scope() as session:
        session.exec(
            delete(LocalListSentEntry).where(LocalListSentEntry.charge_point_id == charge_point_id)
        )
        session.flush()
        for entry in apply_update(current, update):
            session.add(
                LocalListSentEntry(
                    charge_point_id=charge_point_id,
                    id_tag=entry.id_tag,
                    status=entry.status,
                    expiry_date=entry.expiry_date,
                    parent_id_tag=entry.parent_id_tag,
                    version=update.version,
                    sent_at=now,
                )
            )
        state = sync_state_row(session, charge_point_id)
        state.accepted_version = state.reported_version = update.version
        state.reported_at = state.updated_at = now
        state.last_update_type = update.update_type
        session.add(state)


def _record_result(ctx: _Context, result: SyncResult) -> None:
    now = utc_now()
    with session_scope() as session:
        state = sync_state_row(session, ctx.charge_point_id)
        state.last_result, state.last_detail = result.result, result.detail[:500]
        state.last_attempt_at = state.updated_at = now
        if result.ok:
            state.synced_change_count = ctx.change_count  # later changes stay pending
            state.synced_boot_at = ctx.boot_at
            state.last_success_at = now
        if result.fell_back_to_full:
            state.full_fallbacks += 1
        session.add(state)


def _publish(result: SyncResult) -> None:
    get_event_bus().publish(
        NetworkEvent(
            kind="local_list",
            charge_point_id=result.charge_point_id,
            identity=result.identity,
            data={"result": result.result, "version": result.version},
        )
    )


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


def _reply(view: CommandView) -> dict[str, object]:
    try:
        data = json.loads(view.response or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _failure(view: CommandView) -> tuple[str, str]:
    """(result, detail) for a command that did not succeed."""
    if view.status == CommandStatus.REJECTED:
        answer = str(_reply(view).get("status", ""))
        return _REFUSALS.get(answer, FAILED), f"the charge point answered {answer or 'no'}"
    if view.status == CommandStatus.FAILED and any(
        code in view.error for code in ("NotSupported", "NotImplemented")
    ):
        return NOT_SUPPORTED, view.error
    return _COMMAND_OUTCOMES.get(CommandStatus(view.status), FAILED), view.error


class _Stop(Exception):
    """Ends a sync early with a recorded outcome."""

    def __init__(self, result: str, detail: str, version: int = 0) -> None:
        super().__init__(detail)
        self.result, self.detail = result, detail
        self.version = version  # of the update that was refused, if any


async def _ask_version(ctx: _Context, requested_by: str) -> int:
    view = await send_command(ctx.charge_point_id, "GetLocalListVersion", {}, requested_by)
    if view.status != CommandStatus.ACCEPTED:
        raise _Stop(*_failure(view))
    version = int(str(_reply(view).get("list_version", NOT_SUPPORTED_VERSION)))
    await asyncio.to_thread(_record_reported, ctx.charge_point_id, version)
    if version == NOT_SUPPORTED_VERSION:
        raise _Stop(NOT_SUPPORTED, "the charge point reports version -1: no local list support")
    return version


def _plan(ctx: _Context, reported: int, full: bool, floor: int = 0) -> list[LocalListUpdate]:
    """The updates to send; a full one goes above every version known (and `floor`)."""
    send_max = ctx.limits.get(SEND_MAX_KEY)
    try:
        check_fits(len(ctx.desired), ctx.limits.get(LIST_MAX_KEY))
    except ListTooLongError as exc:
        raise _Stop(TOO_LONG, str(exc)) from None
    if full or ctx.accepted_version == 0 or reported != ctx.accepted_version:
        version = next_version(ctx.accepted_version, reported, floor)
        return plan_full(ctx.desired, version, send_max)
    diff = diff_lists(ctx.sent, ctx.desired)
    return plan_differential(diff, ctx.accepted_version + 1, send_max)


async def _with_limits(ctx: _Context, requested_by: str) -> _Context:
    """Before a full update: ask the charge point for its list limits if CCMS lacks them."""
    if SEND_MAX_KEY in ctx.limits and LIST_MAX_KEY in ctx.limits:
        return ctx
    keys = [SEND_MAX_KEY, LIST_MAX_KEY]
    view = await configuration.fetch_configuration(ctx.charge_point_id, requested_by, keys)
    if view.status != CommandStatus.ACCEPTED:
        return ctx
    return await asyncio.to_thread(_load_context, ctx.charge_point_id)


async def _send(ctx: _Context, updates: list[LocalListUpdate], requested_by: str) -> int:
    """Send the updates in order, recording each accepted one; returns how many were."""
    current = ctx.sent
    for done, update in enumerate(updates):
        view = await send_command(
            ctx.charge_point_id, "SendLocalList", update.params(), requested_by
        )
        if view.status != CommandStatus.ACCEPTED:
            result, detail = _failure(view)
            raise _Stop(
                result,
                f"{update.update_type} update to version {update.version}: {detail}"
                + (f" ({done} of {len(updates)} updates accepted)" if done else ""),
                update.version,
            )
        await asyncio.to_thread(_record_accepted, ctx.charge_point_id, update, current)
        current = apply_update(current, update)
    return len(updates)


def _describe(updates: list[LocalListUpdate]) -> str:
    last = updates[-1]
    if updates[0].update_type == FULL:
        total = sum(len(u.upserts) for u in updates)
        text = f"full update to version {last.version} with {total} id tag(s)"
    else:
        added = sum(len(u.upserts) for u in updates)
        removed = sum(len(u.removals) for u in updates)
        text = (
            f"differential update to version {last.version}: "
            f"{added} added or changed, {removed} removed"
        )
    return text + (f", in {len(updates)} requests" if len(updates) > 1 else "")


async def _run_sync(ctx: _Context, requested_by: str, full: bool) -> SyncResult:
    reported = await _ask_version(ctx, requested_by)
    updates = _plan(ctx, reported, full)
    if not updates:
        return _result(ctx, UP_TO_DATE, f"version {ctx.accepted_version} is current")
    if updates[0].update_type == FULL:
        ctx = await _with_limits(ctx, requested_by)
        updates = _plan(ctx, reported, full=True)
    try:
        sent = await _send(ctx, updates, requested_by)
    except _Stop as stop:
        if stop.result != VERSION_MISMATCH:
            raise
        return await _fall_back_to_full(ctx, requested_by, stop)
    return _result(ctx, ACCEPTED, _describe(updates), updates[-1], sent)


async def _fall_back_to_full(ctx: _Context, requested_by: str, mismatch: _Stop) -> SyncResult:
    """VersionMismatch: the charge point's list is not what CCMS thought. Send it whole, once,
    at a version above everything known, the refused one included."""
    why = mismatch.detail
    log.warning(
        "local list version mismatch, sending a full update",
        extra={"identity": ctx.identity, "detail": why},
    )
    try:
        ctx = await asyncio.to_thread(_load_context, ctx.charge_point_id)
        reported = await _ask_version(ctx, requested_by)
        ctx = await _with_limits(ctx, requested_by)
        updates = _plan(ctx, reported, full=True, floor=mismatch.version)
        sent = await _send(ctx, updates, requested_by)
    except _Stop as stop:
        return _result(ctx, stop.result, f"after {why}: {stop.detail}", fell_back=True)
    detail = f"{why}; fell back to a {_describe(updates)}"
    return _result(ctx, ACCEPTED, detail, updates[-1], sent, fell_back=True)


def _result(
    ctx: _Context,
    result: str,
    detail: str,
    last: LocalListUpdate | None = None,
    sent: int = 0,
    fell_back: bool = False,
) -> SyncResult:
    return SyncResult(
        charge_point_id=ctx.charge_point_id,
        identity=ctx.identity,
        result=result,
        detail=detail,
        version=last.version if last is not None else ctx.accepted_version,
        update_type=last.update_type if last is not None else "",
        updates_sent=sent,
        fell_back_to_full=fell_back,
    )


async def sync_charge_point(
    charge_point_id: int, requested_by: str, full: bool = False
) -> SyncResult:
    """Bring one charge point's local list to what CCMS wants (differential when possible,
    full when `full`, on the first sync, or when its version is not CCMS's); the outcome is
    stored and returned. Raises UnknownChargePointError for an unknown id."""
    async with _lock(charge_point_id):
        ctx = await asyncio.to_thread(_load_context, charge_point_id)
        port = get_command_port()
        if port is None or not port.is_connected(ctx.identity):
            result = _result(ctx, OFFLINE, "the charge point is not connected")
        else:
            try:
                result = await _run_sync(ctx, requested_by, full)
            except _Stop as stop:
                result = _result(ctx, stop.result, stop.detail)
        await asyncio.to_thread(_record_result, ctx, result)
    _publish(result)
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


async def _sync_many(
    charge_point_ids: list[int], requested_by: str, full: bool = False
) -> list[SyncResult]:
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
    return await _sync_many([s.charge_point_id for s in stale], requested_by, full)


def _all_organisations() -> list[int]:
    from ccms_app.accounts.models import Organisation

    with read_session() as session:
        return list(session.exec(select(Organisation.id)).all())


async def fetch_list_version(charge_point_id: int, requested_by: str) -> CommandView:
    """GetLocalListVersion on its own; a reply is stored as the reported version."""
    view = await send_command(charge_point_id, "GetLocalListVersion", {}, requested_by)
    if view.status == CommandStatus.ACCEPTED:
        version = int(str(_reply(view).get("list_version", NOT_SUPPORTED_VERSION)))
        await asyncio.to_thread(_record_reported, charge_point_id, version)
        identity = await asyncio.to_thread(_identity, charge_point_id)
        _publish(SyncResult(charge_point_id, identity, "reported", "", version))
    return view


def _identity(charge_point_id: int) -> str:
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        return cp.identity if cp else ""


# --- the scheduled job --------------------------------------------------------------------------


def _mark_expired_entries(session: Session, now: datetime) -> None:
    """Entries a charge point holds as Accepted whose expiry passed: its list must say so."""
    stale = session.exec(
        select(LocalListSentEntry.charge_point_id)
        .join(
            LocalListSyncState,
            col(LocalListSyncState.charge_point_id) == LocalListSentEntry.charge_point_id,
        )
        .where(
            LocalListSentEntry.status == "Accepted",
            col(LocalListSentEntry.expiry_date).is_not(None),
            col(LocalListSentEntry.expiry_date) <= now,
            LocalListSyncState.change_count <= LocalListSyncState.synced_change_count,
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
            .join(ChargePoint, col(ChargePoint.id) == LocalListSyncState.charge_point_id)
            .where(
                col(ChargePoint.is_online).is_(True),
                ChargePoint.registration_state == RegistrationState.REGISTERED,
            )
        ).all()
    return [
        cp.id
        for state, cp in rows
        if cp.id in managed and cp.identity in connected and _is_due(state, cp, now)
    ]


def _is_due(state: LocalListSyncState, cp: ChargePoint, now: datetime) -> bool:
    booted = cp.last_boot_at is not None and (
        state.synced_boot_at is None or cp.last_boot_at > state.synced_boot_at
    )
    changed = state.change_count > state.synced_change_count
    if not (booted or changed):
        return False
    failed_recently = (
        state.last_result not in (*SUCCESSES, "")
        and state.last_attempt_at is not None
        and now - state.last_attempt_at < RETRY_AFTER
    )
    retried_after_boot = booted and (
        state.last_attempt_at is None or cp.last_boot_at > state.last_attempt_at
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
        results = await _sync_many(due, SYNC_BY)
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


__all__ = [  # the module's API, including what it re-exports from its two helpers
    "EntryView",
    "LocalListError",
    "LocalListStatus",
    "LocalListView",
    "SyncResult",
    "add_id_tags",
    "assign_list",
    "create_list",
    "delete_list",
    "fetch_list_version",
    "get_list",
    "lists_for",
    "local_list_status",
    "mark_charge_points_changed",
    "mark_id_tags_changed",
    "mark_id_tags_changed_in",
    "out_of_date_charge_points",
    "out_of_date_reasons",
    "remove_id_tags",
    "run_sync_job",
    "schedule_sync",
    "sync_all",
    "sync_charge_point",
    "unassign_list",
]
