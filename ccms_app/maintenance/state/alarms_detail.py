"""Maintenance -> Alarms -> one alarm (/maintenance/alarms/<id>): everything the charger
said, the timeline, its work orders, and the operator's actions on it.

Thin: `maintenance.alarms.detail` reads, `maintenance.alarms.actions` acts (maintenance:edit,
checked by the gate and again by the use case); "Create work order" is the work orders'
own use case (`maintenance.work_orders.creation.create_by_hand` with the alarm's id).
Page on_load: AuthState.require_login, AlarmDetailState.open_page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import N_
from ccms_app.maintenance.alarms import actions, detail
from ccms_app.maintenance.alarms.actions import AlarmStateError
from ccms_app.maintenance.alarms.assignees import assignable_accounts
from ccms_app.maintenance.rules.alarm_admin import EXCLUSION_REASONS
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER
from ccms_app.maintenance.state.alarms_rows import shown_alarm
from ccms_app.maintenance.work_orders.creation import create_by_hand
from ccms_app.system.state.accounts import SESSION_ENDED, as_id, event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import display_value

ROUTE_PREFIX = "/maintenance/alarms/"
REFUSALS = (InputError, NotFoundError, RefusedError, AlarmStateError)
NOBODY = "none"
COUNTED = "counted"  # the exclusion select's value for "not excluded" (a select item needs one)
# Work order priority from the alarm's severity (the form may change it).
PRIORITY_OF = {"critical": "critical", "major": "high", "minor": "medium", "warning": "low"}


def alarm_id_from_path(path: str) -> int:
    """`/maintenance/alarms/12` -> 12; 0 if the URL names none."""
    tail = path.split(ROUTE_PREFIX, 1)[1] if ROUTE_PREFIX in path else ""
    first = tail.strip("/").split("/")[0]
    return int(first) if first.isdigit() and len(first) < 19 else 0


@guarded(Module.MAINTENANCE)
class AlarmDetailState(rx.State):
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
        """on_load: which alarm the URL names, then read it."""
        self.alarm_id = alarm_id_from_path(self.router.url.path)
        self.comment_text, self.close_reason, self.errors = "", "", {}
        self.close_open = self.work_order_open = False
        await self._read()

    @event
    async def refresh(self) -> None:
        await self._read()

    @event
    def set_comment_text(self, value: str) -> None:
        self.comment_text = value
        self.errors = {k: v for k, v in self.errors.items() if k != "text"}

    @event
    def set_close_reason(self, value: str) -> None:
        self.close_reason = value
        self.errors = {k: v for k, v in self.errors.items() if k != "reason"}

    @event
    def set_close_open(self, is_open: bool) -> None:
        self.close_open = bool(is_open)
        if not is_open:
            self.errors = {}

    @event
    def set_work_order_open(self, is_open: bool) -> None:
        self.work_order_open = bool(is_open)
        if is_open:
            cause = self.alarm.get("cause_text", "Alarm")
            self.work_order_title = f"{cause}: {self.alarm.get('charge_point', '')}"[:200]
            self.work_order_priority = PRIORITY_OF.get(self.alarm.get("severity", ""), "medium")
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
        return await self._act(lambda c: actions.acknowledge(c, self.alarm_id), "Acknowledged.")

    @requires(Action.EDIT)
    @event
    async def assign(self, value: str) -> Any:
        account = None if value == NOBODY else as_id(value)
        done = "Unassigned." if account is None else "Assigned."
        return await self._act(lambda c: actions.assign(c, self.alarm_id, account), done)

    @requires(Action.EDIT)
    @event
    async def add_comment(self) -> Any:
        text = self.comment_text
        toast = await self._act(lambda c: actions.comment(c, self.alarm_id, text), "Comment added.")
        if not self.errors:
            self.comment_text = ""
        return toast

    @requires(Action.EDIT)
    @event
    async def close_alarm(self) -> Any:
        reason = self.close_reason
        toast = await self._act(lambda c: actions.close(c, self.alarm_id, reason), "Closed.")
        if not self.errors:
            self.close_open, self.close_reason = False, ""
        return toast

    @requires(Action.EDIT)
    @event
    async def reopen(self) -> Any:
        return await self._act(lambda c: actions.reopen(c, self.alarm_id), "Reopened.")

    @requires(Action.EDIT)
    @event
    async def set_exclusion(self, value: str) -> Any:
        reason = "" if value == COUNTED else value
        done = "Downtime excluded." if reason else "Downtime counted again."
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
        toast = await self._act(lambda c: create_by_hand(c, form), "Work order created.")
        if not self.errors:
            self.work_order_open = False
        return toast

    # --- implementation ------------------------------------------------------------------

    def _fault_text(self) -> str:
        a = self.alarm
        parts = [
            a.get("cause_text", ""),
            a.get("readable_cause", ""),
            " ".join(p for p in (a.get("error_code", ""), a.get("vendor_error_code", "")) if p),
            a.get("info", ""),
            a.get("detail", ""),
        ]
        return "\n".join(p for p in parts if p)

    async def _act(self, run: Callable[[Caller], object], done: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(SESSION_ENDED)
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
            found = await asyncio.to_thread(detail.alarm_detail, self.alarm_id, scope)
        except NotFoundError:
            self.missing, self.alarm, self.activity, self.work_orders = True, {}, [], []
            return
        people = await asyncio.to_thread(
            assignable_accounts, int(found.row["organisation_id"]), scope
        )
        self.missing = False
        self.alarm = shown_alarm(found.row)
        self.activity = [
            {
                "id": str(a.id),
                "at": display_value(a.at),
                "actor": a.actor or "CCMS",
                "kind": a.kind.replace("_", " "),
                "text": a.text,
            }
            for a in found.activity
        ]
        self.work_orders = [
            {
                "id": str(w.id),
                "title": w.title,
                "status": w.status.replace("_", " "),
                "priority": w.priority,
                "created_at": display_value(w.created_at),
            }
            for w in found.work_orders
        ]
        self.assignees = [[NOBODY, "Nobody"], *[[str(i), label] for i, label in people]]


EXCLUSION_CHOICES: list[tuple[str, str]] = [
    (COUNTED, N_("Counted against uptime")),
    *EXCLUSION_REASONS.items(),
]
PRIORITY_CHOICES = [(p, p.capitalize()) for p in ("critical", "high", "medium", "low")]
SEVERITIES = SEVERITY_ORDER
