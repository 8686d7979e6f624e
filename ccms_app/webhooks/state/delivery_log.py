"""System > Webhooks > one webhook: its settings, its delivery log, one delivery's body.

The page's URL names the webhook (`/system/webhooks/<id>`); the log is a ListState over
`delivery_log.DELIVERY_LIST` narrowed to it, newest first. Reading needs system:view
(`@guarded`); the test event needs system:edit (`@requires`), checked again by the use case.

Reflex runs on_load again on every websocket reconnect, in the same tab state: the same
webhook loading again refreshes it and its log and keeps the log's sort, filters, search and
page, and the delivery open in its dialog (as opened: the row in the log shows its state now);
another webhook starts newest first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core import listing
from ccms_app.core.i18n import DEFAULT, N_, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.core.types import utc_now
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState, display_value
from ccms_app.ui.reopen import ReopenAware
from ccms_app.webhooks import delivery_log, subscriptions
from ccms_app.webhooks.delivery_log import DeliveryView
from ccms_app.webhooks.rules.outcomes import outcome_text
from ccms_app.webhooks.state.webhooks import health, send_test_event

ROUTE_PREFIX = "/system/webhooks/"


def webhook_id_from_path(path: str) -> int:
    """`/system/webhooks/12` -> 12; 0 if the URL names none."""
    tail = path.split(ROUTE_PREFIX, 1)[1] if ROUTE_PREFIX in path else ""
    first = tail.strip("/").split("/")[0]
    return int(first) if first.isdigit() and len(first) < 19 else 0


def detail_of(view: DeliveryView, zone: str) -> dict[str, str]:
    """One delivery as the dialog shows it (text, times in the operator's `zone`)."""
    now = utc_now()
    shown = {
        key: display_value(getattr(view, key), zone, now)
        for key in (
            "id", "event_id", "event_type", "identity", "state", "attempts", "created_at",
            "last_attempt_at", "next_attempt_at", "finished_at", "response_status", "error",
            "duration_ms", "response_body",
        )
    }  # fmt: skip
    shown["payload"] = view.payload
    shown["error"] = outcome_text(shown["error"])
    return shown


@guarded(Module.SYSTEM)
class WebhookLogState(ListState, ReopenAware, rx.State):
    """The open webhook and its deliveries."""

    webhook_id: int = 0
    webhook: dict[str, str] = {}  # name, url, events, enabled, last_outcome, health, ...
    missing: bool = False
    detail_open: bool = False
    detail: dict[str, str] = {}
    _language: str = DEFAULT  # the language of the outcomes shown

    def _list_spec(self) -> ListSpec:
        return delivery_log.DELIVERY_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = super()._format_row(row)
        if "error" in shown:
            shown["error"] = outcome_text(shown["error"])
        return shown

    async def _reload(self) -> None:
        self._language = (await self.get_state(AuthState)).language
        await super()._reload()

    @event
    async def follow_language(self) -> None:
        """The tab's language changed: the webhook's last outcome and the rows shown are
        written again in it."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self._read_webhook()
            await self._reload()

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        narrowed = ListQuery(
            search=query.search,
            filters={**query.filters, "subscription_id": self.webhook_id},
            sort=query.sort,
            descending=query.descending,
            page=query.page,
            page_size=query.page_size,
        )
        return listing.fetch_page(delivery_log.DELIVERY_LIST, narrowed, scope)

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        narrowed = ListQuery(
            search=query.search,
            filters={**query.filters, "subscription_id": self.webhook_id},
            sort=query.sort,
            descending=query.descending,
        )
        return listing.export_csv(delivery_log.DELIVERY_LIST, narrowed, scope)

    @event
    async def open_page(self) -> None:
        """on_load, before `load`: which webhook, newest deliveries first; the same webhook
        loading again keeps the log's query and the open delivery (module docstring)."""
        self.webhook_id = webhook_id_from_path(self.router.url.path)
        if self._opening_anew(str(self.webhook_id)):
            self.sort, self.descending, self.page = "created_at", True, 1
            self.filters, self.search, self.detail_open = {}, "", False
        await self._read_webhook()
        if self.missing:
            self._closed()

    @event
    async def reload_all(self) -> None:
        """The refresh button: the webhook's health and the log's current page."""
        await self._read_webhook()
        await self._reload()

    @event
    async def open_delivery(self, delivery_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(
                delivery_log.get_delivery, caller, self.webhook_id, int(delivery_id or 0)
            )
        except (NotFoundError, ValueError) as exc:
            return rx.toast.error(str(exc))
        self.detail, self.detail_open = detail_of(view, self._zone), True
        return None

    @event
    def set_detail_open(self, is_open: bool) -> None:
        self.detail_open = bool(is_open)

    @requires(Action.EDIT)
    @event
    async def send_test(self) -> Any:
        toast = await send_test_event(self, self.webhook_id)
        await asyncio.sleep(1.0)  # the worker usually has an answer by then
        await self._reload()
        return toast

    async def _read_webhook(self) -> None:
        caller = await event_caller(self)
        if caller is None:
            return
        try:
            view = await asyncio.to_thread(subscriptions.get_subscription, caller, self.webhook_id)
        except NotFoundError:
            self.missing, self.webhook = True, {}
            return
        self._zone = await asyncio.to_thread(operator_zone_of, caller.organisation_id)
        now = utc_now()
        row = {"last_attempt_at": view.last_attempt_at, "failing_since": view.failing_since}
        self.missing = False
        self.webhook = {
            "id": str(view.id),
            "name": view.name,
            "url": view.url,
            "events": view.events_text,
            "enabled": N_("enabled") if view.enabled else N_("disabled"),
            "organisation": view.organisation,
            "last_attempt_at": display_value(view.last_attempt_at, self._zone, now),
            "last_outcome": outcome_text(view.last_outcome),
            "failing_since": display_value(view.failing_since, self._zone, now),
            "health": health(row),
        }
