"""The Finance landing page's state: this month's figures, read when the page opens."""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.overview import FinanceOverview, finance_overview
from ccms_app.finance.state.tariff_common import caller
from ccms_app.ui.events import event


@guarded(Module.FINANCE)
class FinanceOverviewState(rx.State):
    loaded: bool = False
    month: str = ""
    time_zone: str = ""
    revenue: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    held_for_review: int = 0
    unpriced: int = 0
    running_sessions: int = 0
    running_cost: str = "—"
    tariffs: int = 0
    has_network_default: bool = True
    documents: int = 0

    @event
    async def load(self) -> None:
        """Read the figures (the gate has checked finance:view)."""
        who = await caller(self)
        if who is None:
            return
        figures = await asyncio.to_thread(
            finance_overview, who.organisation_id, who.scope, utc_now()
        )
        self._show(figures)

    def _show(self, figures: FinanceOverview) -> None:
        self.month = figures.month_label
        self.time_zone = figures.time_zone
        self.revenue = [
            {
                "currency": row.currency,
                "sessions": f"{row.sessions:,}",
                "energy": f"{row.energy_wh / 1000:,.1f} kWh",
                "excl": format_money(row.excl_minor, row.currency),
                "vat": format_money(row.vat_minor, row.currency),
                "incl": format_money(row.incl_minor, row.currency),
            }
            for row in figures.revenue
        ]
        self.held_for_review = figures.held_for_review
        self.unpriced = figures.unpriced_this_month
        self.running_sessions = figures.running_sessions
        self.running_cost = (
            " + ".join(format_money(minor, currency) for currency, minor in figures.running_cost)
            or "—"
        )
        self.tariffs = figures.tariffs
        self.has_network_default = figures.has_network_default
        self.documents = figures.documents_this_month
        self.loaded = True
