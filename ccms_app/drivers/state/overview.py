"""The Users page's local authorization list section: which charge points' lists are out of
date, and Sync all. (The rest of the Users module is not built yet.)"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.control.state.charge_point import signed_in_email
from ccms_app.core.i18n import tr
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.drivers.local_lists.outcomes import SyncResult
from ccms_app.drivers.local_lists.state.charge_point_tab import RESULT_TEXTS, version_text
from ccms_app.drivers.local_lists.status import LocalListStatus, out_of_date_charge_points
from ccms_app.drivers.local_lists.sync import sync_all
from ccms_app.monitoring.view import format_time
from ccms_app.ui.events import background_event, event

log = logging.getLogger(__name__)


@dataclasses.dataclass
class OutOfDateRow:
    identity: str = ""
    online: bool = False
    lists: str = ""
    sent_version: str = ""
    reported_version: str = ""
    reasons: str = ""
    last_result: str = ""
    last_attempt: str = ""


def out_of_date_rows(statuses: list[LocalListStatus], operator_zone: str) -> list[OutOfDateRow]:
    """One row per charge point, its last attempt in its station's zone (else the
    operator's)."""
    now = utc_now()
    return [
        OutOfDateRow(
            identity=s.identity,
            online=s.is_online,
            lists=", ".join(s.lists) or "none",
            sent_version=version_text(s.accepted_version),
            reported_version=version_text(s.reported_version),
            reasons="; ".join(s.reasons),
            last_result=RESULT_TEXTS.get(s.last_result, s.last_result),
            last_attempt=format_time(s.last_attempt_at, s.zone or operator_zone, now),
        )
        for s in statuses
    ]


def summary(results: list[SyncResult]) -> tuple[str, bool]:
    """One line for the operator: how many charge points ended how (reader's language)."""
    if not results:
        return tr("Every charge point's local list is up to date: nothing to sync."), True
    counts = Counter(RESULT_TEXTS.get(r.result, r.result) for r in results)
    parts = ", ".join(
        tr("{count} {result}", count=n, result=tr(text)) for text, n in sorted(counts.items())
    )
    ok = all(r.ok for r in results)
    return tr("Sync all, {count} charge point(s): {parts}.", count=len(results), parts=parts), ok


@guarded(Module.USERS)
class UsersLocalListState(rx.State):
    rows: rx.Field[list[OutOfDateRow]] = rx.field(default_factory=list)
    loaded: bool = False
    busy: bool = False
    message: str = ""
    message_ok: bool = False
    _scope: list[int] = []
    _zone: str = "UTC"  # the operator's (a charge point without a station)
    _language: str = ""  # the language the rows are worded in

    @rx.var
    def count(self) -> int:
        return len(self.rows)

    @event
    async def load(self) -> None:
        """on_mount of the section: the out-of-date charge points of the operator's network."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        self._scope = sorted(scope)
        self._zone = await asyncio.to_thread(operator_zone_of, auth_state._organisation_id)
        await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the reasons are worded again in it."""
        auth_state = await self.get_state(AuthState)
        if self.loaded and self._scope and self._language != auth_state.language:
            await self._reload()

    async def _reload(self) -> None:
        self._language = (await self.get_state(AuthState)).language
        statuses = await asyncio.to_thread(out_of_date_charge_points, self._scope)
        self.rows = out_of_date_rows(statuses, self._zone)
        self.loaded = True

    @requires(Action.CONTROL)
    @background_event
    async def sync_all(self):
        async with self:
            if self.busy or not self._scope:
                return None
            self.busy, self.message = True, ""
            scope = list(self._scope)
            requested_by = await signed_in_email(self)
        if requested_by is None:
            message, ok = tr("Your session has ended. Log in again."), False
        else:
            try:
                message, ok = summary(await sync_all(requested_by, scope))
            except Exception as exc:
                log.exception("local list sync all failed")
                message, ok = tr("Not synced: {exc}", exc=exc), False
        async with self:
            self.busy = False
            self.message, self.message_ok = message, ok
            await self._reload()
        return rx.toast.success(message) if ok else rx.toast.warning(message)
