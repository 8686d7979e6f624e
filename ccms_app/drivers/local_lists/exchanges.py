"""The OCPP exchanges of one local list sync: GetLocalListVersion first; then, if the charge
point's version is the one it last accepted from CCMS, only the difference (Differential),
otherwise (first sync, another version, or the operator asks) the whole list (Full).

Updates longer than SendLocalListMaxLength are split; a list longer than
LocalAuthListMaxLength is refused (too_long). A VersionMismatch answer is followed once by a
full update at a higher version, and counted. Each accepted update is recorded at once, so an
interrupted sync resumes from what the charge point really holds.
"""

from __future__ import annotations

import asyncio
import json
import logging

from ccms_app.control import configuration
from ccms_app.control.commands import CommandView, send_command
from ccms_app.control.models import CommandStatus
from ccms_app.core.i18n import tr
from ccms_app.drivers.local_lists.bookkeeping import (
    SyncContext,
    load_context,
    record_accepted,
    record_reported,
)
from ccms_app.drivers.local_lists.outcomes import (
    ACCEPTED,
    FAILED,
    NOT_SUPPORTED,
    OFFLINE,
    TIMED_OUT,
    TOO_LONG,
    UP_TO_DATE,
    VERSION_MISMATCH,
    SyncResult,
)
from ccms_app.drivers.local_lists.status import LIST_MAX_KEY, SEND_MAX_KEY
from ccms_app.drivers.rules.local_list import (
    FULL,
    NOT_SUPPORTED_VERSION,
    ListTooLongError,
    LocalListUpdate,
    apply_update,
    check_fits,
    diff_lists,
    next_version,
    plan_differential,
    plan_full,
)

log = logging.getLogger(__name__)

_COMMAND_OUTCOMES = {
    CommandStatus.OFFLINE: OFFLINE,
    CommandStatus.TIMED_OUT: TIMED_OUT,
    CommandStatus.FAILED: FAILED,
}
_REFUSALS = {"VersionMismatch": VERSION_MISMATCH, "NotSupported": NOT_SUPPORTED}


class SyncStopped(Exception):
    """Ends a sync early with a recorded outcome."""

    def __init__(self, result: str, detail: str, version: int = 0) -> None:
        super().__init__(detail)
        self.result, self.detail = result, detail
        self.version = version  # of the update that was refused, if any


def _reply(view: CommandView) -> dict[str, object]:
    try:
        data = json.loads(view.response or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def reported_version(view: CommandView) -> int:
    """The list version of an accepted GetLocalListVersion (-1: not supported)."""
    return int(str(_reply(view).get("list_version", NOT_SUPPORTED_VERSION)))


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


async def _ask_version(ctx: SyncContext, requested_by: str) -> int:
    view = await send_command(ctx.charge_point_id, "GetLocalListVersion", {}, requested_by)
    if view.status != CommandStatus.ACCEPTED:
        raise SyncStopped(*_failure(view))
    version = reported_version(view)
    await asyncio.to_thread(record_reported, ctx.charge_point_id, version)
    if version == NOT_SUPPORTED_VERSION:
        raise SyncStopped(
            NOT_SUPPORTED, tr("the charge point reports version -1: no local list support")
        )
    return version


def _plan(ctx: SyncContext, reported: int, full: bool, floor: int = 0) -> list[LocalListUpdate]:
    """The updates to send; a full one goes above every version known (and `floor`)."""
    send_max = ctx.limits.get(SEND_MAX_KEY)
    try:
        check_fits(len(ctx.desired), ctx.limits.get(LIST_MAX_KEY))
    except ListTooLongError as exc:
        raise SyncStopped(TOO_LONG, str(exc)) from None
    if full or ctx.accepted_version == 0 or reported != ctx.accepted_version:
        version = next_version(ctx.accepted_version, reported, floor)
        return plan_full(ctx.desired, version, send_max)
    diff = diff_lists(ctx.sent, ctx.desired)
    return plan_differential(diff, ctx.accepted_version + 1, send_max)


async def _with_limits(ctx: SyncContext, requested_by: str) -> SyncContext:
    """Before a full update: ask the charge point for its list limits if CCMS lacks them."""
    if SEND_MAX_KEY in ctx.limits and LIST_MAX_KEY in ctx.limits:
        return ctx
    keys = [SEND_MAX_KEY, LIST_MAX_KEY]
    view = await configuration.fetch_configuration(ctx.charge_point_id, requested_by, keys)
    if view.status != CommandStatus.ACCEPTED:
        return ctx
    return await asyncio.to_thread(load_context, ctx.charge_point_id)


async def _send(ctx: SyncContext, updates: list[LocalListUpdate], requested_by: str) -> int:
    """Send the updates in order, recording each accepted one; returns how many were."""
    current = ctx.sent
    for done, update in enumerate(updates):
        view = await send_command(
            ctx.charge_point_id, "SendLocalList", update.params(), requested_by
        )
        if view.status != CommandStatus.ACCEPTED:
            result, detail = _failure(view)
            raise SyncStopped(
                result,
                f"{update.update_type} update to version {update.version}: {detail}"
                + (f" ({done} of {len(updates)} updates accepted)" if done else ""),
                update.version,
            )
        await asyncio.to_thread(record_accepted, ctx.charge_point_id, update, current)
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


async def run_sync(ctx: SyncContext, requested_by: str, full: bool) -> SyncResult:
    """The exchanges with a connected charge point; SyncStopped when one ends the sync."""
    reported = await _ask_version(ctx, requested_by)
    updates = _plan(ctx, reported, full)
    if not updates:
        return sync_result(ctx, UP_TO_DATE, f"version {ctx.accepted_version} is current")
    if updates[0].update_type == FULL:
        ctx = await _with_limits(ctx, requested_by)
        updates = _plan(ctx, reported, full=True)
    try:
        sent = await _send(ctx, updates, requested_by)
    except SyncStopped as stop:
        if stop.result != VERSION_MISMATCH:
            raise
        return await _fall_back_to_full(ctx, requested_by, stop)
    return sync_result(ctx, ACCEPTED, _describe(updates), updates[-1], sent)


async def _fall_back_to_full(
    ctx: SyncContext, requested_by: str, mismatch: SyncStopped
) -> SyncResult:
    """VersionMismatch: the charge point's list is not what CCMS thought. Send it whole, once,
    at a version above everything known, the refused one included."""
    why = mismatch.detail
    log.warning(
        "local list version mismatch, sending a full update",
        extra={"identity": ctx.identity, "detail": why},
    )
    try:
        ctx = await asyncio.to_thread(load_context, ctx.charge_point_id)
        reported = await _ask_version(ctx, requested_by)
        ctx = await _with_limits(ctx, requested_by)
        updates = _plan(ctx, reported, full=True, floor=mismatch.version)
        sent = await _send(ctx, updates, requested_by)
    except SyncStopped as stop:
        return sync_result(ctx, stop.result, f"after {why}: {stop.detail}", fell_back=True)
    detail = f"{why}; fell back to a {_describe(updates)}"
    return sync_result(ctx, ACCEPTED, detail, updates[-1], sent, fell_back=True)


def sync_result(
    ctx: SyncContext,
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
