"""Finance -> Charging history: the list (a ListState over finance.history.spec) and one
session's page (facts, cost breakdown, power / energy chart).

The list opens newest first; its From / To dates are days in the operator's billing time
zone (`finance.billing_profiles.get_profile`), read on load. Rows are formatted on the server
(`finance.history.rows`); the CSV export is what the page shows, every page of it. Every
handler needs finance:view (`@guarded`), the export finance:export (ListState.export_csv).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

import plotly.graph_objects as go
import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import DEFAULT, tr
from ccms_app.core.listing import ListPage, ListQuery, ListSpec
from ccms_app.core.types import utc_now
from ccms_app.finance.billing_profiles import get_profile
from ccms_app.finance.documents import listing as receipt_listing
from ccms_app.finance.documents.errors import DocumentError
from ccms_app.finance.documents.routes import pdf_url
from ccms_app.finance.errors import FinanceConflict, FinanceNotFound
from ccms_app.finance.history import queries
from ccms_app.finance.history.detail import (
    CostView,
    Curve,
    HistoryDetail,
    HistoryNotFound,
    session_detail,
)
from ccms_app.finance.history.rows import shown_row
from ccms_app.finance.history.spec import HISTORY_LIST
from ccms_app.finance.models import BillingDocument
from ccms_app.finance.session_pricing import release, reprice
from ccms_app.finance.state.list_links import url_filters
from ccms_app.finance.state.tariff_common import caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware

DETAIL_PREFIX = "/finance/history/"


@guarded(Module.FINANCE)
class HistoryListState(ListState, ReopenAware, rx.State):
    """Every session of the operator's network with its cost, newest first."""

    descending: bool = True
    zone: str = "UTC"  # the operator's billing time zone: what the From / To days mean

    def _list_spec(self) -> ListSpec:
        return HISTORY_LIST

    def _query(self) -> ListQuery:
        self._period()  # a wrong date is refused now, with its message
        return queries.history_query(
            self.filters,
            search=self.search,
            sort=self.sort,
            descending=self.descending,
            page=self.page,
            page_size=self.page_size,
        )

    def _period(self) -> queries.Period:
        return queries.period(
            self.filters.get("since", ""), self.filters.get("until", ""), self.zone
        )

    def _fetch(self, query: ListQuery, scope: Collection[int]) -> ListPage:
        return queries.fetch_history(query, scope, self._period())

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return queries.export_history_csv(query, scope, self._period(), utc_now())

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = shown_row(row, utc_now())
        # the sortable columns' keys are the spec's: the cell shows the formatted value
        shown["energy_wh"], shown["total_incl_minor"] = shown["energy"], shown["amount"]
        return shown

    def _export_name(self) -> str:
        return "charging-history.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        return queries.filter_choices(scope)

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone;
        `?payment_method=invoice` (any filter) filters the list (the overview's links)."""
        auth_state = await self.get_state(AuthState)
        if auth_state.is_authenticated and auth_state._organisation_id:
            profile = await asyncio.to_thread(get_profile, auth_state._organisation_id)
            self.zone = profile.time_zone or "UTC"
        if self._same_url_again():  # the link's filters were applied; the operator's stand
            return
        params = self.router.url.query_parameters
        self.filters = {**self.filters, **url_filters(params, self._list_spec())}


def session_id_from_path(path: str) -> int:
    """`/finance/history/42` -> 42; 0 when the path holds no number there."""
    tail = path.split(DETAIL_PREFIX, 1)[1] if DETAIL_PREFIX in path else ""
    first = tail.strip("/").split("/")[0]
    return int(first) if first.isdigit() else 0


def _wall_clock(times: list[datetime], zone: str) -> list[datetime]:
    """UTC instants as the station's wall clock (plotly shows a time as it is given)."""
    tz = time_zone(zone)
    return [t.astimezone(tz).replace(tzinfo=None) for t in times]


def curve_figure(curve: Curve, zone: str) -> go.Figure:
    """Power (kW, left axis) and energy delivered (kWh, right axis) over the station's time,
    named in the reader's language."""
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=_wall_clock(curve.power_times, zone),
            y=curve.power_kw,
            name=tr("Power (kW)"),
            mode="lines",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=_wall_clock(curve.energy_times, zone),
            y=curve.energy_kwh,
            name=tr("Energy (kWh)"),
            mode="lines",
            yaxis="y2",
        )
    )
    figure.update_layout(
        height=280,
        margin={"l": 44, "r": 44, "t": 10, "b": 30},
        yaxis={"title": "kW", "rangemode": "tozero"},
        yaxis2={"title": "kWh", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        xaxis={"nticks": 6, "title": tr("Station time ({zone})", zone=zone)},
        legend={"orientation": "h", "y": -0.2},
        autosize=True,
    )
    return figure


@guarded(Module.FINANCE)
class HistoryDetailState(rx.State):
    """One session of the charging history (its id from the URL)."""

    session_id: rx.Field[int] = rx.field(0)
    loaded: bool = False
    found: bool = False
    facts: dict[str, str] = {}
    cost: dict[str, str] = {}
    lines: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    has_cost: bool = False
    has_curve: bool = False
    figure: rx.Field[go.Figure] = rx.field(default_factory=go.Figure)
    _language: str = DEFAULT  # the language the texts shown were written in

    @event
    async def load(self) -> None:
        """on_load (after the login check)."""
        self.loaded, self.found = False, False
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        self._language = auth_state.language
        self.session_id = session_id_from_path(self.router.url.path)
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        try:
            detail = await asyncio.to_thread(session_detail, scope, self.session_id)
        except HistoryNotFound:
            self.loaded = True
            return
        self._show(detail)

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): read and write again."""
        if self.found and self._language != (await self.get_state(AuthState)).language:
            await self.load()

    def _show(self, detail: HistoryDetail) -> None:
        self.facts = detail.facts
        cost = detail.cost
        self.has_cost = cost is not None
        self.cost = {} if cost is None else _cost_texts(cost)
        self.lines = [] if cost is None else [dict(vars(line)) for line in cost.lines]
        self.has_curve = not detail.curve.empty
        self.figure = curve_figure(detail.curve, detail.timezone)
        self.found, self.loaded = True, True

    @requires(Action.EDIT)
    @event
    async def release_cost(self) -> Any:
        """The operator checked a session held for review: its cost becomes billable."""
        return await self._change(release, tr("Cost released for billing."))

    @requires(Action.EDIT)
    @event
    async def reprice_cost(self) -> Any:
        """Price the session again with the tariff that applies to its start now."""
        return await self._change(reprice, tr("Session priced again."))

    async def _change(self, change: Callable[..., object], done: str) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            await asyncio.to_thread(change, who.scope, self.session_id, who.actor)
        except (FinanceConflict, FinanceNotFound) as exc:
            return rx.toast.error(str(exc))
        detail = await asyncio.to_thread(session_detail, who.scope, self.session_id)
        self._show(detail)
        return rx.toast.success(done)


def _cost_texts(cost: CostView) -> dict[str, str]:
    texts = {key: str(value) for key, value in vars(cost).items() if key != "lines"}
    texts["held"] = "yes" if cost.state == "review" else ""
    return texts


# --- the session's receipt (issue it, or download the one it has) -------------------------


@guarded(Module.FINANCE)
class SessionReceiptState(rx.State):
    """The receipt of the session on the page: its number and PDF when it has one; issuing
    one needs finance:edit (the use case refuses a cost that is not final)."""

    receipt_id: rx.Field[int] = rx.field(0)
    receipt_number: str = ""

    @event
    async def load(self) -> None:
        """on_mount of the receipt action: the session's current receipt, if any."""
        who = await caller(self)
        if who is None:
            return
        session_id = session_id_from_path(self.router.url.path)
        receipt = await asyncio.to_thread(receipt_listing.session_receipt, session_id, who.scope)
        self._show(receipt)

    def _show(self, receipt: BillingDocument | None) -> None:
        self.receipt_id = 0 if receipt is None else int(receipt.id or 0)
        self.receipt_number = "" if receipt is None else receipt.number

    @requires(Action.EDIT)
    @event
    async def issue_receipt(self) -> Any:
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        session_id = session_id_from_path(self.router.url.path)
        try:
            receipt, _created = await asyncio.to_thread(
                receipt_listing.receipt_for_session, session_id, who.scope
            )
        except DocumentError as exc:
            return rx.toast.error(tr("No receipt: {exc}", exc=exc))
        self._show(receipt)
        return rx.toast.success(tr("Receipt {number} issued.", number=receipt.number))

    @rx.var
    def pdf_href(self) -> str:
        return pdf_url(self.receipt_id) if self.receipt_id else ""
