"""Finance -> Memberships: the plans and members lists (ListStates over
finance.memberships.listing), and a driver's membership for the driver page.

Times and periods show in the operator's billing time zone, read on load. Every handler needs
finance:view (`@guarded`); the CSV exports finance:export. The forms (create / edit a plan,
enrol, cancel) are finance.state.membership_forms.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListSpec
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.memberships import enrolment, listing, plans
from ccms_app.finance.memberships.common import STATUS_LABELS
from ccms_app.finance.memberships.enrolment import MembershipView
from ccms_app.finance.memberships.listing import MEMBERSHIP_LIST, PLAN_LIST
from ccms_app.finance.rules.documents import local_text
from ccms_app.finance.state.tariff_common import caller, id_from_path
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

DRIVERS_ROUTE = "/users/drivers"


@guarded(Module.FINANCE)
class MembershipPlanListState(ListState, rx.State):
    """Every plan of the operator's network, by name."""

    def _list_spec(self) -> ListSpec:
        return PLAN_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return listing.shown_plan(row)

    def _export_name(self) -> str:
        return "membership-plans.csv"


@guarded(Module.FINANCE)
class MembershipListState(ListState, rx.State):
    """Every membership, newest first; periods in the operator's billing zone."""

    descending: bool = True
    zone: str = "UTC"

    def _list_spec(self) -> ListSpec:
        return MEMBERSHIP_LIST

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        return listing.shown_membership(row, self.zone)

    def _export_name(self) -> str:
        return "memberships.csv"

    def _filter_options(self, scope: Collection[int]) -> dict[str, list[tuple[str, str]]]:
        choices = plans.plan_choices(scope, offered_only=False)
        return {"plan_id": [(str(i), label.split(" · ")[0]) for i, label in choices]}

    @event
    async def load_zone(self) -> None:
        """on_load, before `load`: the operator's billing time zone."""
        who = await caller(self)
        if who is not None:
            self.zone = await asyncio.to_thread(operator_zone, who.organisation_id)


async def reload_lists(state: rx.State) -> None:
    """Show a change in both lists (the current pages, same queries)."""
    plan_list = await state.get_state(MembershipPlanListState)
    await plan_list._reload()
    members = await state.get_state(MembershipListState)
    await members._reload()


# --- a driver's membership (the driver page) -----------------------------------------------


def badge_text(view: MembershipView | None, zone: str) -> tuple[str, str, str]:
    """(plan, status key, detail) of a membership as the driver page shows it."""
    if view is None:
        return "", "", ""
    status = tr(STATUS_LABELS[view.status]) if view.status in STATUS_LABELS else view.status
    if view.ends_at_period_end:
        day = local_text(view.cancelled_at, zone, with_time=False)
        return view.plan_name, view.status, tr("{status}, ends {day}", status=status, day=day)
    day = local_text(view.current_period_end, zone, with_time=False)
    return view.plan_name, view.status, tr("{status}, renews {day}", status=status, day=day)


@guarded(Module.FINANCE)
class DriverMembershipState(rx.State):
    """The membership of the driver whose page is open (loaded by the badge itself, only for
    roles that see Finance)."""

    plan: str = ""
    status: str = ""
    detail: str = ""

    @event
    async def load_driver(self) -> None:
        who = await caller(self)
        driver_id = id_from_path(self.router.url.path, DRIVERS_ROUTE)
        if who is None or not driver_id:
            self.plan = self.status = self.detail = ""
            return
        view = await asyncio.to_thread(
            enrolment.membership_of_holder, who.scope, "driver", driver_id
        )
        zone = await asyncio.to_thread(operator_zone, who.organisation_id)
        self.plan, self.status, self.detail = badge_text(view, zone)
