"""The lists of Finance -> Memberships (plans, members) and the membership badge of the
driver page.

data-testids: the lists are data_list's with prefixes `membership-plans` and `memberships`
(`memberships-row-<id>`, `memberships-card-<id>`, `memberships-filter-status`, ...); per row
`membership-plans-edit-<id>`, `membership-plans-offer-<id>`, `memberships-cancel-<id>`,
`memberships-status-<id>`; the buttons `membership-plans-new`, `memberships-enrol`; the
badge `driver-membership` (and `driver-membership-detail`).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.permissions import Module
from ccms_app.finance.memberships.common import HOLDER_KINDS, STATUS_LABELS
from ccms_app.finance.memberships.plans import FEE_COLLECTIONS
from ccms_app.finance.state.membership_forms import MembershipActionsState, PlanFormState
from ccms_app.finance.state.memberships import (
    DriverMembershipState,
    MembershipListState,
    MembershipPlanListState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.permissions import can, when_allowed

P: Any = MembershipPlanListState
M: Any = MembershipListState
STATUS_COLOURS = {"active": "green", "past_due": "amber", "cancelled": "gray"}
OFFERED = (("true", t("offered")), ("false", t("not offered")))


def _choices(labels: dict[str, str]) -> list[tuple[str, Text]]:
    """A filter's (value, label) pairs from a table of labels marked N_ where it is defined."""
    return [(value, t(label)) for value, label in labels.items()]


def _label(key: str) -> Any:
    """A column showing a label from such a table (the row holds its English text)."""
    return lambda row: rx.text(t_var(row[key]), size="2")


# --- plans -------------------------------------------------------------------------------


def _offered(row: RowVar) -> rx.Component:
    return rx.badge(
        rx.cond(row["active_key"] != "", t("offered"), t("not offered")),
        color_scheme=rx.cond(row["active_key"] != "", "green", "gray"),
        variant="soft",
        white_space="nowrap",
    )


def _benefits(row: RowVar) -> rx.Component:
    return rx.text(row["benefits"], size="2", white_space="normal", max_width="280px")


def _plan_actions(row: RowVar) -> rx.Component:
    plan_id = row["id"].to(str)
    return when_allowed(
        PlanFormState.save,
        rx.hstack(
            rx.button(
                t("Edit"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=PlanFormState.open_edit(plan_id),
                custom_attrs=tid("membership-plans-edit", plan_id),
            ),
            rx.button(
                rx.cond(row["active_key"] != "", t("Stop offering"), t("Offer again")),
                size="1",
                variant="soft",
                color_scheme=rx.cond(row["active_key"] != "", "amber", "green"),
                on_click=PlanFormState.set_offered(plan_id, row["active_key"] == ""),
                custom_attrs=tid("membership-plans-offer", plan_id),
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
    )


def plans_list() -> rx.Component:
    return data_list(
        P,
        columns=[
            Column("name", t("Plan")),
            Column("monthly_fee_minor", t("Monthly fee")),
            Column(
                "fee_collection", t("Fee from"), sortable=False, render=_label("fee_collection")
            ),
            Column("benefits", t("Benefits"), sortable=False, render=_benefits),
            Column("members", t("Members")),
            Column("active", t("Offered"), sortable=False, render=_offered),
            Column("organisation", t("Organisation"), on_phone=False),
        ],
        filters=[
            Filter("fee_collection", t("Fee from"), _choices(FEE_COLLECTIONS)),
            Filter("active", t("Offered"), OFFERED),
        ],
        testid="membership-plans",
        empty_text=t("No plans yet: create one to offer drivers a discount or included kWh."),
        search_placeholder=t("Search plan name…"),
        toolbar=[
            when_allowed(
                PlanFormState.save,
                rx.button(
                    rx.icon("plus", size=14),
                    t("New plan"),
                    on_click=PlanFormState.open_new,
                    custom_attrs=tid("membership-plans-new"),
                ),
            )
        ],
        actions=_plan_actions,
    )


# --- members -----------------------------------------------------------------------------


def _status(row: RowVar) -> rx.Component:
    label = rx.match(
        row["status_key"], *[(key, t(text)) for key, text in STATUS_LABELS.items()], row["status"]
    )
    return rx.badge(
        rx.cond(
            row["ends_at_period_end"] != "",
            t_with("{status} · ends at period end", status=label),
            label,
        ),
        color_scheme=rx.match(row["status_key"], *STATUS_COLOURS.items(), "gray"),
        variant="soft",
        white_space="nowrap",
        custom_attrs=tid("memberships-status", row["id"].to(str)),
    )


def _member_actions(row: RowVar) -> rx.Component:
    membership_id = row["id"].to(str)
    label = row["holder_name"].to(str) + " · " + row["plan_name"].to(str)
    return rx.cond(
        row["cancellable"] != "",
        when_allowed(
            MembershipActionsState.cancel_membership,
            rx.button(
                t("Cancel"),
                size="1",
                variant="soft",
                color_scheme="red",
                on_click=MembershipActionsState.open_cancel(membership_id, label),
                custom_attrs=tid("memberships-cancel", membership_id),
            ),
        ),
    )


def members_list() -> rx.Component:
    return data_list(
        M,
        columns=[
            Column("holder_name", t("Member")),
            Column("holder_kind", t("Kind"), sortable=False, render=_label("holder_kind")),
            Column("plan_name", t("Plan")),
            Column("status", t("Status"), render=_status),
            Column("current_period_end", t("Period")),
            Column(
                "fee_collection", t("Fee from"), sortable=False, render=_label("fee_collection")
            ),
            Column("included", t("Included kWh used"), sortable=False),
            Column("started_at", t("Since"), on_phone=False),
        ],
        filters=[
            Filter("status", t("Status"), _choices(STATUS_LABELS)),
            Filter("plan_id", t("Plan"), M.filter_options["plan_id"]),
            Filter("holder_kind", t("Kind"), _choices(HOLDER_KINDS)),
            Filter("fee_collection", t("Fee from"), _choices(FEE_COLLECTIONS)),
        ],
        testid="memberships",
        empty_text=t("No members yet: enrol a driver or a group account in a plan."),
        search_placeholder=t("Search member or plan…"),
        toolbar=[
            when_allowed(
                MembershipActionsState.enrol,
                rx.button(
                    rx.icon("user-plus", size=14),
                    t("Enrol"),
                    on_click=MembershipActionsState.open_enrol,
                    custom_attrs=tid("memberships-enrol"),
                ),
            )
        ],
        actions=_member_actions,
    )


# --- the driver page ---------------------------------------------------------------------


def membership_badge() -> rx.Component:
    """The open driver's membership: plan, status and when it renews or ends. Loads itself
    when shown, and is shown only to roles that see Finance (the driver page is Users')."""
    s = DriverMembershipState
    badge = rx.hstack(
        rx.text(t("Membership"), size="2", color=rx.color("gray", 11), min_width="72px"),
        rx.cond(
            s.plan != "",
            rx.hstack(
                rx.badge(
                    rx.icon("badge-check", size=12),
                    s.plan,
                    color_scheme=rx.match(s.status, *STATUS_COLOURS.items(), "gray"),
                    variant="soft",
                    custom_attrs=tid("driver-membership"),
                ),
                rx.text(
                    s.detail,
                    size="1",
                    color=rx.color("gray", 11),
                    custom_attrs=tid("driver-membership-detail"),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.text(t("none"), size="2", custom_attrs=tid("driver-membership")),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
        on_mount=s.load_driver,
    )
    return rx.cond(can(Module.FINANCE), badge)
