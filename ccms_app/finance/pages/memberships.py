"""Finance -> Memberships (/finance/memberships): the plans (create, edit, offer or not) and
the members (enrol, cancel; status, period, fee collection, included kWh used)."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.membership_forms import cancel_dialog, enrol_dialog, plan_dialog
from ccms_app.finance.components.memberships import members_list, plans_list
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.memberships import MembershipListState, MembershipPlanListState
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = "/finance/memberships"
TITLE = page_title("Memberships")


def _section(title: Text, subtitle: Text, body: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.heading(title, size="4"),
        rx.text(subtitle, size="2", color=rx.color("gray", 11)),
        body,
        spacing="2",
        width="100%",
        min_width="0",
    )


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Memberships"),
            t(
                "Monthly plans with a discount, a member tariff or included kWh; periods in your "
                "billing time zone."
            ),
        ),
        finance_subnav(ROUTE),
        _section(
            t("Members"),
            t("Past due: the fee could not be collected, benefits are paused until it is."),
            members_list(),
        ),
        _section(
            t("Plans"), t("A deactivated plan takes no new members; members keep it."), plans_list()
        ),
        plan_dialog(),
        enrol_dialog(),
        cancel_dialog(),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [
            AuthState.require_login,
            MembershipListState.load_zone,
            MembershipListState.load,
            MembershipPlanListState.load,
        ],
    ),
)
