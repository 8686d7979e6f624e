"""Analytics -> Business analyses (/analytics/analyses): the cycle comparison (month-on-month
and year-on-year, like for like), live charging power per station with a station's 24 h
curve, usage rate per station and charge point (ranked, defined on the page), and the
charge points' status over time with availability per station and connector. The text the
server writes follows the tab's language (`follow_language` writes it again after a switch)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.analytics.components.analyses import (
    cycle_section,
    power_section,
    range_picker,
    status_section,
    usage_section,
)
from ccms_app.analytics.components.subnav import ANALYSES_ROUTE, analytics_subnav
from ccms_app.analytics.state.analyses import CycleState, PowerState, RangeState
from ccms_app.branding.components.brand import page_title
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = ANALYSES_ROUTE
TITLE = page_title("Business analyses · Analytics")
ON_LOAD: list[Any] = [AuthState.require_login, CycleState.load, PowerState.load, RangeState.load]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Business analyses"),
            t("Month-on-month and year-on-year, power per station, usage and availability."),
        ),
        follow_language(
            CycleState.follow_language, PowerState.follow_language, RangeState.follow_language
        ),
        analytics_subnav(ROUTE),
        cycle_section(),
        power_section(),
        range_picker(),
        usage_section(),
        status_section(),
    )


PAGES = [(page, ROUTE, TITLE, ON_LOAD)]
