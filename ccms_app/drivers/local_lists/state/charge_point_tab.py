"""The Local list tab of a charge point page: its local authorization list as last sent, the
versions on both sides, whether it is out of date, and "Sync now" (differential or full).

`panel` reloads whenever the charge point's command history is pushed (ChargePointLiveState:
every GetLocalListVersion / SendLocalList step, the scheduler's syncs included) and after the
operator's own actions (`revision`); the tab never polls. It only loads while the tab is open.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.control.state.charge_point import current_charge_point, signed_in_email
from ccms_app.core.i18n import N_, reading_as, tr
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.local_lists.status import LocalListStatus, local_list_status
from ccms_app.drivers.local_lists.sync import fetch_list_version, sync_charge_point
from ccms_app.monitoring.charge_point_view import station_zone
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.monitoring.view import MISSING, format_time
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)

RESULT_TEXTS = {
    "accepted": N_("accepted"),
    "up_to_date": N_("up to date"),
    "failed": N_("failed"),
    "not_supported": N_("not supported"),
    "version_mismatch": N_("version mismatch"),
    "too_long": N_("list too long"),
    "offline": N_("charge point offline"),
    "timed_out": N_("no answer"),
    "": N_("never synced"),
}
CHANGE_TEXTS = {
    "add": N_("to add"),
    "change": N_("to change"),
    "remove": N_("to remove"),
    "": "",
}


@dataclasses.dataclass
class LocalEntryRow:
    id_tag: str = ""
    status: str = ""  # as the charge point holds it ("" if not sent yet)
    expiry: str = ""
    parent: str = ""
    change: str = ""  # "", "to add", "to change", "to remove"
    desired: str = ""  # the status CCMS wants


@dataclasses.dataclass
class LocalListPanel:
    loaded: bool = False
    managed: bool = False  # a list is assigned, or one was sent before
    lists: str = ""
    accepted_version: str = ""
    reported_version: str = ""
    reported_at: str = ""
    out_of_date: bool = False
    reasons: str = ""
    last_result: str = ""
    last_result_text: str = ""
    last_detail: str = ""
    last_attempt: str = ""
    last_success: str = ""
    full_fallbacks: int = 0
    desired_count: int = 0
    pending: int = 0
    # Not "entries": a Var of an object has an entries() method.
    rows: list[LocalEntryRow] = dataclasses.field(default_factory=list)


def version_text(value: int | None) -> str:
    if value is None:
        return "not asked yet"
    return "none" if value == 0 else "not supported" if value < 0 else str(value)


def build_panel(status: LocalListStatus, zone: str = "UTC") -> LocalListPanel:
    """Display strings for one charge point's local list (times in `zone`, its station's)."""
    now = utc_now()

    def when(value: datetime | None) -> str:
        return format_time(value, zone, now)

    return LocalListPanel(
        loaded=True,
        managed=bool(status.lists or status.entries or status.accepted_version),
        lists=", ".join(status.lists) or "none assigned",
        accepted_version=version_text(status.accepted_version),
        reported_version=version_text(status.reported_version),
        reported_at=when(status.reported_at),
        out_of_date=status.out_of_date,
        reasons="; ".join(status.reasons),
        last_result=status.last_result,
        last_result_text=RESULT_TEXTS.get(status.last_result, status.last_result),
        last_detail=status.last_detail,
        last_attempt=when(status.last_attempt_at),
        last_success=when(status.last_success_at),
        full_fallbacks=status.full_fallbacks,
        desired_count=status.desired_count,
        pending=status.pending_changes,
        rows=[
            LocalEntryRow(
                id_tag=e.id_tag,
                status=e.status or MISSING,
                expiry=when(e.expiry_date) if e.expiry_date else "",
                parent=e.parent_id_tag or "",
                change=CHANGE_TEXTS.get(e.change, e.change),
                desired=e.desired_status or MISSING,
            )
            for e in status.entries
        ],
    )


def load_panel(charge_point_id: int) -> LocalListPanel:
    return build_panel(local_list_status(charge_point_id), station_zone(charge_point_id))


def sync_message(result: SyncResult) -> tuple[str, bool]:
    """The sync's outcome for the operator, in the reader's language (the detail is the
    sync's record, as stored)."""
    if result.result == "accepted":
        return tr("Local list synced: {detail}.", detail=result.detail), True
    if result.result == "up_to_date":
        return tr("The local list is up to date (version {version}).", version=result.version), True
    if result.result == "offline":
        return tr("Not synced: the charge point is offline."), False
    text = tr(RESULT_TEXTS.get(result.result, result.result))
    return tr("Not synced ({result}): {detail}.", result=text, detail=result.detail), False


@guarded(Module.LIVE_MONITORING)
class ChargePointLocalListState(rx.State):
    busy: bool = False
    message: str = ""
    message_ok: bool = False
    revision: int = 0  # bumped after the operator's own actions, to reload `panel`
    _charge_point_id: int = 0

    @rx.var
    async def panel(self) -> LocalListPanel:
        live = await self.get_state(ChargePointLiveState)
        _pushed, _changed = live.command_history, self.revision  # the dependencies
        # A push recomputes this outside the tab's events: the tab's reader, said here (its
        # language a dependency too: a language switch words the reasons again).
        reader = await self.get_state(AuthState)
        if not self._charge_point_id:
            return LocalListPanel()
        with reading_as(reader.language, reader._organisation_id or None):
            try:
                return await asyncio.to_thread(load_panel, self._charge_point_id)
            except Exception:
                log.exception("local list panel unavailable", extra={"cp": self._charge_point_id})
                return LocalListPanel()

    @event
    async def open(self) -> None:
        """The tab is shown: follow the page's charge point (checked by the page's load)."""
        self._charge_point_id, _ = await current_charge_point(self)
        self.busy, self.message = False, ""
        self.revision += 1

    @event
    def close(self) -> None:
        """The tab is gone: stop reloading on every push."""
        self._charge_point_id = 0

    @requires(Action.CONTROL)
    @background_event
    async def sync_now(self):
        """Differential when the charge point's version is CCMS's, else full."""
        return await self._sync_in_background(full=False)

    @requires(Action.CONTROL)
    @background_event
    async def sync_full(self):
        """The whole list, whatever version the charge point reports."""
        return await self._sync_in_background(full=True)

    async def _sync_in_background(self, full: bool) -> Any:
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            if self.busy or not charge_point_id:
                return None
            self.busy, self.message = True, ""
            requested_by = await signed_in_email(self)
        message, ok = await _sync(charge_point_id, requested_by, full)
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            self.revision += 1
        return rx.toast.success(message) if ok else rx.toast.error(message)

    @requires(Action.CONTROL)
    @background_event
    async def check_version(self):
        async with self:
            charge_point_id, _ = await current_charge_point(self)
            if self.busy or not charge_point_id:
                return None
            self.busy, self.message = True, ""
            requested_by = await signed_in_email(self)
        message, ok = await _check_version(charge_point_id, requested_by)
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            self.revision += 1
        return None


async def _sync(charge_point_id: int, requested_by: str | None, full: bool) -> tuple[str, bool]:
    if requested_by is None:
        return tr("Your session has ended. Log in again."), False
    try:
        result = await sync_charge_point(charge_point_id, requested_by, full=full)
    except Exception as exc:
        log.exception("local list sync failed", extra={"cp": charge_point_id})
        return tr("Not synced: {exc}", exc=exc), False
    return sync_message(result)


async def _check_version(charge_point_id: int, requested_by: str | None) -> tuple[str, bool]:
    if requested_by is None:
        return tr("Your session has ended. Log in again."), False
    try:
        view = await fetch_list_version(charge_point_id, requested_by)
    except Exception as exc:
        log.exception("local list version check failed", extra={"cp": charge_point_id})
        return tr("Version not checked: {exc}", exc=exc), False
    if view.status != "accepted":
        return tr("Version not checked: {problem}.", problem=view.error or view.status), False
    return tr("The charge point reported its local list version (shown above)."), True
