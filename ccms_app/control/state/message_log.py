"""The OCPP message log viewer of a charge point page: filters, server-side pages, raw JSON,
CSV export.

Only the current page's rows reach the browser; the raw frames of that page stay in a backend
variable until the operator opens one. Times, in the rows and in the filter, are the
station's (the filter's label names its zone).
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import json
import logging
from datetime import datetime

import reflex as rx
from ocpp.v16.enums import Action as OcppAction

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.control import message_log_query
from ccms_app.control.message_log_query import MessagePage
from ccms_app.control.state.charge_point import current_charge_point
from ccms_app.core.i18n import tr
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.core.types import utc_now
from ccms_app.monitoring.charge_point_view import station_zone
from ccms_app.monitoring.view import format_time
from ccms_app.ui.downloads import http_download
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

ALL = "all"  # select items cannot have an empty value
# The filter offers every OCPP 1.6 action: listing the ones a charger's log holds would scan
# all of its frames (the index orders by time, not action).
ACTION_FILTER = [ALL, *sorted(a.value for a in OcppAction)]
LOG_TAB = "log"  # the charge point page's tab of the log
PAGE_SIZE = 50
PREVIEW = 140


@dataclasses.dataclass
class MessageLogRow:
    id: int = 0
    at: str = ""
    direction: str = ""
    message_type: str = ""
    action: str = ""
    message_id: str = ""
    error_code: str = ""
    preview: str = ""


def pretty_json(raw: str) -> str:
    """The frame indented for reading; a frame that is not JSON is shown as it came."""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


def _row(m: message_log_query.MessageRow, now: datetime, zone: str) -> MessageLogRow:
    return MessageLogRow(
        id=m.id,
        at=format_time(m.created_at, zone, now),
        direction=m.direction,
        message_type=m.message_type or "?",
        action=m.action,
        message_id=m.message_id,
        error_code=m.error_code,
        preview=m.payload[:PREVIEW] + ("…" if len(m.payload) > PREVIEW else ""),
    )


@guarded(Module.LIVE_MONITORING)
class MessageLogState(rx.State):
    rows: rx.Field[list[MessageLogRow]] = rx.field(default_factory=list)
    action: str = ALL
    direction: str = ALL
    since: str = ""
    until: str = ""
    zone: str = "UTC"  # the station's: what the rows and the From / Until fields mean
    page: int = 1
    pages: int = 1
    total: int = 0
    error: str = ""
    open_title: str = ""
    open_json: str = ""
    dialog_open: bool = False
    _payloads: dict[int, str] = {}

    @event
    def reset_section(self) -> None:
        """A charge point page opens unfiltered; the frames load when the log tab opens."""
        self.action, self.direction, self.since, self.until, self.page = ALL, ALL, "", "", 1
        self.rows, self._payloads, self.dialog_open = [], {}, False
        self.total, self.pages, self.error = 0, 1, ""

    @event
    async def refresh(self) -> None:
        """Refresh: the current filter and page again, with frames logged since."""
        await self._reload()

    @event
    async def tab_opened(self, tab: str) -> None:
        """Opening the log tab shows what was logged since the page opened."""
        if tab == LOG_TAB:
            await self._reload()

    @event
    async def set_action_filter(self, value: str) -> None:
        self.action = value
        self.page = 1
        await self._reload()

    @event
    async def set_direction_filter(self, value: str) -> None:
        self.direction = value
        self.page = 1
        await self._reload()

    @event
    async def set_since(self, value: str) -> None:
        self.since = value
        self.page = 1
        await self._reload()

    @event
    async def set_until(self, value: str) -> None:
        self.until = value
        self.page = 1
        await self._reload()

    @event
    async def clear_filters(self) -> None:
        self.action, self.direction, self.since, self.until, self.page = ALL, ALL, "", "", 1
        await self._reload()

    @event
    async def next_page(self) -> None:
        if self.page < self.pages:
            self.page += 1
            await self._reload()

    @event
    async def previous_page(self) -> None:
        if self.page > 1:
            self.page -= 1
            await self._reload()

    @event
    def open_message(self, message_id: int) -> None:
        raw = self._payloads.get(message_id)
        row = next((r for r in self.rows if r.id == message_id), None)
        if raw is None or row is None:
            return
        self.open_title = f"{row.message_type} {row.action} · {row.direction} · {row.at}"
        self.open_json = pretty_json(raw)
        self.dialog_open = True

    @event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value

    @requires(Action.EXPORT)
    @event
    async def export(self):
        """The whole filtered log (not just this page) as a CSV download."""
        charge_point_id, identity = await current_charge_point(self)
        if not charge_point_id:
            return None
        self.zone = await asyncio.to_thread(station_zone, charge_point_id)
        try:
            action, direction, since, until = self._filter()
        except ValueError as exc:
            self.error = tr("Check the filter: {error}", error=exc)
            return None
        stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
        produce = functools.partial(
            message_log_query.export_csv, identity, action, direction, since, until
        )
        return await http_download(self, "export", f"ocpp-log-{identity}-{stamp}.csv", produce)

    async def _reload(self) -> None:
        charge_point_id, identity = await current_charge_point(self)
        if charge_point_id:
            self.zone = await asyncio.to_thread(station_zone, charge_point_id)
            await self._query(identity)

    def _filter(self) -> tuple[str | None, str | None, datetime | None, datetime | None]:
        """The filter, its From / Until read in the station's zone (ValueError when one is
        not a time)."""
        return (
            None if self.action == ALL else self.action,
            None if self.direction == ALL else self.direction,
            wall_time_to_utc(self.since, self.zone),
            wall_time_to_utc(self.until, self.zone),
        )

    async def _query(self, identity: str) -> None:
        """A page of frames, their times in the station's zone."""
        try:
            action, direction, since, until = self._filter()
            page: MessagePage = await asyncio.to_thread(
                message_log_query.query_messages,
                identity,
                action,
                direction,
                since,
                until,
                self.page,
                PAGE_SIZE,
            )
        except ValueError as exc:
            self.error = tr("Check the filter: {error}", error=exc)
            return
        now = utc_now()
        self.error = ""
        self.rows = [_row(m, now, self.zone) for m in page.rows]
        self._payloads = {m.id: m.payload for m in page.rows}
        self.page, self.pages, self.total = page.page, page.pages, page.total
