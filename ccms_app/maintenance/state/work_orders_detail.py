"""The technician's page of one work order: what is wrong, the moves they may make now
(claim, start, hold, resume, resolve, close, reopen), note, photo, part, time, and the
timeline. Times in the station's zone. Thin: the use cases decide and record.

Reflex runs `load` again on every websocket reconnect (a phone changing networks) and the
remote command form runs it after each command: the same work order loading again refreshes
what the page shows and keeps what the technician typed but has not saved (ui.reopen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import Caller, InputError, NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.display import format_time
from ccms_app.core.i18n import N_, gettext, reader_language, tr
from ccms_app.core.types import utc_now
from ccms_app.drivers.state.detail import id_from_path
from ccms_app.maintenance.rules.alarm_causes import cause_label
from ccms_app.maintenance.rules.sla import PRIORITY_LABELS
from ccms_app.maintenance.rules.stored_text import description_text, history_text, title_text
from ccms_app.maintenance.rules.work_order_status import status_label
from ccms_app.maintenance.state.forms import REFUSALS
from ccms_app.maintenance.work_orders import detail, lifecycle, photos, records
from ccms_app.maintenance.work_orders.detail import WorkOrderDetail
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

ROUTE_PREFIX = "/maintenance/work-orders"
PHOTO_UPLOAD_ID = "work_order_photo"
KIND_LABELS = {
    "status": N_("Status"),
    "note": N_("Note"),
    "photo": N_("Photo"),
    "part": N_("Part"),
    "time": N_("Time"),
    "assigned": N_("Assigned"),
    "command": N_("Command"),
}
ACTION_LABELS = {
    "claim": N_("Claim"),
    "start": N_("Start"),
    "hold": N_("Put on hold"),
    "resume": N_("Resume"),
    "resolve": N_("Resolve"),
    "close": N_("Close"),
    "reopen": N_("Reopen"),
}


def _time(value: datetime | None, zone: str, now: datetime) -> str:
    return format_time(value, zone, now) if value is not None else ""


def _words(msgid: str) -> str:
    """A label (a message id marked with N_) in the reader's language."""
    return gettext(reader_language(), msgid) if msgid else ""


def move_text(from_status: str, to_status: str) -> str:
    """ "Open → In progress" ("new → Open" for a created order), in the reader's words."""
    before = _words(status_label(from_status)) or tr("new")
    return tr(
        "{from_status} → {to_status}", from_status=before, to_status=_words(status_label(to_status))
    )


def shown_work_order(view: WorkOrderDetail, account_id: int) -> dict[str, str]:
    """The page's strings (times in the station's zone)."""
    now, zone = utc_now(), view.timezone
    alarm = view.alarm
    return {
        "id": str(view.id),
        "title": title_text(view.title),
        "description": description_text(view.description),
        "status": view.status,
        "status_text": status_label(view.status),
        "priority": view.priority,
        "priority_text": PRIORITY_LABELS.get(view.priority, view.priority),
        "source": view.source,
        "charge_point": view.charge_point,
        "online": N_("online") if view.charge_point_online else N_("offline"),
        "connector": str(view.connector_id or ""),
        "station": view.station,
        "station_id": str(view.station_id or ""),
        "alarm_id": str(alarm.id) if alarm else "",
        "alarm_text": tr(
            "#{id} {cause} ({status})",
            id=alarm.id,
            cause=_words(cause_label(alarm.cause)),
            status=_words(alarm.status),
        )
        if alarm
        else "",
        "assignee": view.assignee,
        "mine": "yes" if view.assignee_account_id == account_id and account_id else "",
        "due": _time(view.due_at, zone, now),
        "overdue": "overdue" if view.overdue else "",
        "created": _time(view.created_at, zone, now),
        "started": _time(view.started_at, zone, now),
        "resolved": _time(view.resolved_at, zone, now),
        "verified": _time(view.verified_at, zone, now),
        "closed": _time(view.closed_at, zone, now),
        "resolution": view.resolution,
        "time_spent": tr("{minutes} min", minutes=view.time_spent_min),
        "zone": zone,
    }


def timeline(view: WorkOrderDetail) -> list[dict[str, str]]:
    now = utc_now()
    return [
        {
            "id": str(e.id),
            "at": _time(e.at, view.timezone, now),
            "who": e.actor or "CCMS",
            "kind": KIND_LABELS.get(e.kind, e.kind),
            "move": move_text(e.from_status, e.to_status) if e.kind == "status" else "",
            "text": history_text(e.kind, e.text),
        }
        for e in view.events
    ]


@guarded(Module.MAINTENANCE)
class WorkOrderDetailState(ReopenAware, rx.State):
    wo: dict[str, str] = {}
    actions: rx.Field[list[str]] = rx.field(default_factory=list)
    events: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    photo_rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    part_rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    missing: str = ""
    loaded: bool = False
    note: str = ""
    reason: str = ""  # resolution, hold or reopen reason
    part: str = ""
    quantity: str = "1"
    minutes: str = ""
    errors: dict[str, str] = {}
    busy: bool = False
    _id: int = 0
    _language: str = "en"  # the language the page's texts are worded in

    @event
    async def load(self) -> None:
        """on_load, and the refresh after a remote command: the URL's work order.

        Another work order (or another login in this tab) starts with empty forms; the same
        one loading again keeps the note, the reason, the part and the time typed, their
        errors and an action in flight."""
        self._id = id_from_path(self.router.url.path, ROUTE_PREFIX)
        caller = await event_caller(self)
        if caller is None:
            return  # signed out: require_login sends the tab to the login page
        if self._opening_anew(f"{caller.account_id}:{self._id}"):
            self.note = self.reason = self.part = self.minutes = ""
            self.quantity, self.errors, self.busy = "1", {}, False
        else:
            # A refusal of the whole form was about the work order as it was; it is re-read.
            self.errors = {k: v for k, v in self.errors.items() if k != "form"}
        await self._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the page's texts are worded again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._reload()

    async def _reload(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        if self._language != reader_language():
            self._language = reader_language()
        try:
            view = await asyncio.to_thread(detail.get_work_order, caller, self._id)
        except NotFoundError:
            self.missing, self.loaded = tr("No such work order in your network."), True
            self.wo, self.events, self.actions = {}, [], []
            self._closed()
            return
        self.missing = ""
        self.wo = shown_work_order(view, caller.account_id)
        self.actions = list(view.actions)
        self.events = timeline(view)
        now = utc_now()
        self.photo_rows = [
            {
                "id": str(p.id),
                "url": p.url,
                "name": p.file_name,
                "by": p.uploaded_by,
                "at": _time(p.uploaded_at, view.timezone, now),
            }
            for p in view.photos
        ]
        self.part_rows = [
            {"id": str(p.id), "text": tr("{count} x {part}", count=p.quantity, part=p.part)}
            for p in view.parts
        ]
        self.loaded = True

    @event
    def set_note(self, value: str) -> None:
        self.note = value

    @event
    def set_reason(self, value: str) -> None:
        self.reason = value

    @event
    def set_part(self, value: str) -> None:
        self.part = value

    @event
    def set_quantity(self, value: str) -> None:
        self.quantity = value

    @event
    def set_minutes(self, value: str) -> None:
        self.minutes = value

    @requires(Action.EDIT)
    @event
    async def act(self, action: str) -> Any:
        """A status move; resolve takes the resolution, hold and reopen the reason (and only
        a move that took it empties the field: a claim or a start keeps it for later)."""
        text = self.reason if action in ("resolve", "hold", "reopen") else ""
        done = await self._run(lambda c: lifecycle.act(c, self._id, action, text))
        if done is None:
            return None
        if text:
            self.reason = ""
        label = status_label(str(done))
        shown = _words(label)
        lower = shown.lower() if shown == label else shown  # English: "Work order resolved."
        return rx.toast.success(tr("Work order {lower}.", lower=lower))

    @requires(Action.EDIT)
    @event
    async def add_note(self) -> Any:
        if await self._run(lambda c: records.add_note(c, self._id, self.note)) is None:
            return None
        self.note = ""
        return rx.toast.success(tr("Note added."))

    @requires(Action.EDIT)
    @event
    async def add_part(self) -> Any:
        ok = await self._run(lambda c: records.add_part(c, self._id, self.part, self.quantity))
        if ok is None:
            return None
        self.part, self.quantity = "", "1"
        return rx.toast.success(tr("Part recorded."))

    @requires(Action.EDIT)
    @event
    async def log_time(self) -> Any:
        if await self._run(lambda c: records.log_time(c, self._id, self.minutes)) is None:
            return None
        self.minutes = ""
        return rx.toast.success(tr("Time logged."))

    @requires(Action.EDIT)
    @event
    async def upload_photo(self, files: list[rx.UploadFile]) -> Any:
        if not files:
            return rx.toast.error(tr("Take or choose a photo first."))
        upload = files[0]
        data = await upload.read()
        name = upload.name or "photo"
        if await self._run(lambda c: photos.store_photo(c, self._id, name, data)) is None:
            return [
                rx.clear_selected_files(PHOTO_UPLOAD_ID),
                rx.toast.error(self.errors.get("file") or tr("Not uploaded.")),
            ]
        return [rx.clear_selected_files(PHOTO_UPLOAD_ID), rx.toast.success(tr("Photo added."))]

    async def _run(self, work: Callable[[Caller], Any]) -> Any:
        """The use case with this event's caller; its refusal into `errors` (None), else its
        result (True when it returns nothing), then the page re-read."""
        caller = await event_caller(self)
        if caller is None:
            self.errors = {"form": tr(SESSION_ENDED)}
            return None
        self.busy = True
        try:
            result = await asyncio.to_thread(work, caller)
        except InputError as exc:
            self.errors = dict(exc.errors)
            return None
        except REFUSALS as exc:
            self.errors = {"form": str(exc)}
            return None
        finally:
            self.busy = False
        self.errors = {}
        await self._reload()
        return True if result is None else result
