"""Maintenance -> Alarms -> one alarm (/maintenance/alarms/<id>): everything the charger
said, the timeline, its work orders, and the operator's actions on it.

Thin: `maintenance.alarms.detail` reads, `maintenance.alarms.actions` acts (maintenance:edit,
checked by the gate and again by the use case); "Create work order" is the work orders'
own use case (`maintenance.work_orders.creation.create_by_hand` with the alarm's id).
Page on_load: AuthState.require_login, AlarmDetailState.open_page. Reflex runs it again on
every websocket reconnect: the same alarm loading again refreshes what the page shows and
keeps the comment, the close dialog and the work order dialog as the operator left them
(ui.reopen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import N_, gettext, reader_language, tr
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.maintenance.alarms import actions, detail
from ccms_app.maintenance.alarms.actions import AlarmStateError
from ccms_app.maintenance.alarms.assignees import assignable_accounts
from ccms_app.maintenance.rules.alarm_admin import EXCLUSION_REASONS
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.maintenance.rules.sla import PRIORITY_LABELS
from ccms_app.maintenance.rules.stored_text import activity_text, title_text
from ccms_app.maintenance.rules.work_order_status import status_label
from ccms_app.maintenance.state.alarms_rows import shown_alarm
from ccms_app.maintenance.work_orders.creation import create_by_hand
from ccms_app.system.state.accounts import as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import display_value, row_zone
from ccms_app.ui.reopen import ReopenAware

ROUTE_PREFIX = "/maintenance/alarms/"
REFUSALS = (InputError, NotFoundError, RefusedError, AlarmStateError)
NOBODY = "none"
COUNTED = "counted"  # the exclusion select's value for "not excluded" (a select item needs one)
# Work order priority from the alarm's severity (the form may change it).
PRIORITY_OF = {"critical": "critical", "major": "high", "minor": "medium", "warning": "low"}
# AlarmActivity.kind as the timeline names it
ACTIVITY_KINDS = {
    "raised": N_("raised"),
    "repeated": N_("repeated"),
    "acknowledged": N_("acknowledged"),
    "assigned": N_("assigned"),
    "unassigned": N_("unassigned"),
    "comment": N_("comment"),
    "closed": N_("closed"),
    "reopened": N_("reopened"),
    "notified": N_("notified"),
    "excluded": N_("excluded"),
    "exclusion_removed": N_("exclusion removed"),
}


def alarm_id_from_path(path: str) -> int:
    """`/maintenance/alarms/12` -> 12; 0 if the URL names none."""
    tail = path.split(ROUTE_PREFIX, 1)[1] if ROUTE_PREFIX in path else ""
    first = tail.strip("/").split("/")[0]
    return int(first) if first.isdigit() and len(first) < 19 else 0


@guarded(Module.MAINTENANCE)
class AlarmDetailState(ReopenAware, rx.State):
    """The open alarm and its forms."""

    alarm_id: int = 0
    missing: bool = False
    alarm: dict[str, str] = {}
    activity: list[dict[str, str]] = []
    work_orders: list[dict[str, str]] = []
    assignees: list[list[str]] = []
    comment_text: str = ""
    close_open: bool = False
    close_reason: str = ""
    work_order_open: bool = False
    work_order_title: str = ""
    work_order_priority: str = "medium"
    errors: dict[str, str] = {}
    busy: bool = False
    _language: str = "en"  # the language the alarm's texts are worded in
    _drafted_for: str = ""  # the opening whose work order title and priority the form holds

    @rx.var
    def is_open(self) -> bool:
        return self.alarm.get("status", "") in ("open", "acknowledged")

    @rx.var
    def exclusion_value(self) -> str:
        return self.alarm.get("excluded_reason", "") or COUNTED

    @rx.var
    def assignee_value(self) -> str:
        return self.alarm.get("assignee_account_id", "") or NOBODY

    @event
    async def open_page(self) -> None:
        """on_load: which alarm the URL names, then read it. Another alarm (or another login
        in this tab) starts with closed dialogs and empty fields; the same one again keeps
        them, with their errors."""
        self.alarm_id = alarm_id_from_path(self.router.url.path)
        caller = await event_caller(self)
        if caller is not None and self._opening_anew(f"{caller.account_id}:{self.alarm_id}"):
            self.comment_text, self.close_reason, self.errors = "", "", {}
            self.close_open = self.work_order_open = False
            self._drafted_for = ""
        await self._read()

    @event
    async def refresh(self) -> None:
        await self._read()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the alarm's texts are worded again in it."""
        if self.alarm and self._language != (await self.get_state(AuthState)).language:
            await self._read()

    @event
    def set_comment_text(self, value: str) -> None:
        self.comment_text = value

    @event
    def set_close_reason(self, value: str) -> None:
        self.close_reason = value

    @event
    def set_close_open(self, is_open: bool) -> None:
        self.close_open = bool(is_open)
        if not is_open:
            self.errors = {}

    @event
    def set_work_order_open(self, is_open: bool) -> None:
        """The dialog starts from the alarm's title and priority; opened again for the same
        alarm (after a slip outside it on a phone), it keeps what the operator changed, as
        the close dialog keeps its reason. A created work order used them up."""
        self.work_order_open = bool(is_open)
        if is_open and (not self._drafted_for or self._drafted_for != self._opened_for):
            self._draft_work_order()
        self.errors = {}

    @event
    def set_work_order_title(self, value: str) -> None:
        self.work_order_title = value

    @event
    def set_work_order_priority(self, value: str) -> None:
        self.work_order_priority = value

    @requires(Action.EDIT)
    @event
    async def acknowledge(self) -> Any:
        return await self._act(lambda c: actions.acknowledge(c, self.alarm_id), tr("Acknowledged."))

    @requires(Action.EDIT)
    @event
    async def assign(self, value: str) -> Any:
        account = None if value == NOBODY else as_id(value)
        done = tr("Unassigned.") if account is None else tr("Assigned.")
        return await self._act(lambda c: actions.assign(c, self.alarm_id, account), done)

    @requires(Action.EDIT)
    @event
    async def add_comment(self) -> Any:
        text = self.comment_text
        toast = await self._act(
            lambda c: actions.comment(c, self.alarm_id, text), tr("Comment added.")
        )
        if not self.errors:
            self.comment_text = ""
        return toast

    @requires(Action.EDIT)
    @event
    async def close_alarm(self) -> Any:
        reason = self.close_reason
        toast = await self._act(lambda c: actions.close(c, self.alarm_id, reason), tr("Closed."))
        if not self.errors:
            self.close_open, self.close_reason = False, ""
        return toast

    @requires(Action.EDIT)
    @event
    async def reopen(self) -> Any:
        return await self._act(lambda c: actions.reopen(c, self.alarm_id), tr("Reopened."))

    @requires(Action.EDIT)
    @event
    async def set_exclusion(self, value: str) -> Any:
        reason = "" if value == COUNTED else value
        done = tr("Downtime excluded.") if reason else tr("Downtime counted again.")
        return await self._act(lambda c: actions.set_exclusion(c, self.alarm_id, reason), done)

    @requires(Action.EDIT)
    @event
    async def create_work_order(self) -> Any:
        form = {
            "charge_point_id": self.alarm.get("charge_point_id", ""),
            "connector_id": self.alarm.get("connector_id", ""),
            "title": self.work_order_title,
            "description": self._fault_text(),
            "priority": self.work_order_priority,
            "alarm_id": str(self.alarm_id),
            "assignee_account_id": self.alarm.get("assignee_account_id", ""),
        }
        toast = await self._act(lambda c: create_by_hand(c, form), tr("Work order created."))
        if not self.errors:
            self.work_order_open, self._drafted_for = False, ""
        return toast

    # --- implementation ------------------------------------------------------------------

    def _draft_work_order(self) -> None:
        """The new work order's title and priority from the alarm."""
        cause = self.alarm.get("cause_text", "") or N_("Alarm")
        title = tr(
            "{cause}: {charge_point}",
            cause=gettext(reader_language(), cause),
            charge_point=self.alarm.get("charge_point", ""),
        )
        self.work_order_title = title[:200]
        self.work_order_priority = PRIORITY_OF.get(self.alarm.get("severity", ""), "medium")
        self._drafted_for = self._opened_for

    def _fault_text(self) -> str:
        a = self.alarm
        cause = a.get("cause_text", "")
        parts = [
            gettext(reader_language(), cause) if cause else "",
            a.get("readable_cause", ""),
            " ".join(p for p in (a.get("error_code", ""), a.get("vendor_error_code", "")) if p),
            a.get("info", ""),
            a.get("detail", ""),
        ]
        return "\n".join(p for p in parts if p)

    async def _act(self, run: Callable[[Caller], object], done: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        self.busy = True
        try:
            await asyncio.to_thread(run, caller)
        except InputError as exc:
            self.errors = dict(exc.errors)
            return rx.toast.error(str(exc))
        except REFUSALS as exc:
            self.errors = {}
            return rx.toast.error(str(exc))
        finally:
            self.busy = False
        self.errors = {}
        await self._read()
        return rx.toast.success(done)

    async def _read(self) -> None:
        caller = await event_caller(self)
        if caller is None or not self.alarm_id:
            self.missing = True
            return
        scope = caller.scope()
        try:
            found = await asyncio.to_thread(detail.alarm_detail, self.alarm_id, scope, True)
        except NotFoundError:
            self.missing, self.alarm, self.activity, self.work_orders = True, {}, [], []
            self._closed()
            return
        people = await asyncio.to_thread(
            assignable_accounts, int(found.row["organisation_id"]), scope
        )
        self.missing = False
        if self._language != reader_language():
            self._language = reader_language()
        operator = await asyncio.to_thread(operator_zone_of, caller.organisation_id)
        zone = row_zone(found.row, operator)  # the station's: the alarm's times and its story
        now = utc_now()
        self.alarm = shown_alarm(found.row, operator)
        cause = str(found.row.get("cause") or "")
        self.activity = [
            {
                "id": str(a.id),
                "at": display_value(a.at, zone, now),
                "actor": a.actor or "CCMS",
                "kind": a.kind.replace("_", " "),
                "kind_text": ACTIVITY_KINDS.get(a.kind, a.kind.replace("_", " ")),
                "text": activity_text(a.kind, a.text, cause),
            }
            for a in found.activity
        ]
        self.work_orders = [
            {
                "id": str(w.id),
                "title": title_text(w.title),
                "status": w.status.replace("_", " "),
                "status_text": status_label(w.status),
                "priority": w.priority,
                "priority_text": PRIORITY_LABELS.get(w.priority, w.priority),
                "created_at": display_value(w.created_at, zone, now),
            }
            for w in found.work_orders
        ]
        self.assignees = [[NOBODY, tr("Nobody")], *[[str(i), label] for i, label in people]]


EXCLUSION_CHOICES: list[tuple[str, str]] = [
    (COUNTED, N_("Counted against uptime")),
    *EXCLUSION_REASONS.items(),
]
PRIORITY_CHOICES = [(p, PRIORITY_LABELS[p]) for p in ("critical", "high", "medium", "low")]
SEVERITIES = SEVERITY_ORDER
