"""Home (/): the charging network at a glance. Its size and licence, today and this month in
the operator's time zone, the live counts and warnings (monitoring's HomeState, pushed),
live power per station with the 24 h curve, and charging and revenue by day, month or year.

Registered by ccms_app.ccms_app (Home stays Module.HOME, not under Analytics' navigation).
Every text is in the tab's language; `follow_language` words the server's text again when
the tab switches language (monitoring's HomeState holds its texts in every language).
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.analytics.components import home as blocks
from ccms_app.analytics.state.home import HomeFiguresState
from ccms_app.branding.components.brand import page_title
from ccms_app.monitoring.state.home import ROUTE, HomeState
from ccms_app.monitoring.state.licence_card import LicenceCardState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, live_indicator, page_header

__all__ = ["ON_LOAD", "ROUTE", "TITLE", "page"]
TITLE = page_title("Home")
ON_LOAD: list[Any] = [
    AuthState.require_login,
    HomeState.show,
    LicenceCardState.load,
    HomeFiguresState.load,
]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Home"),
            t("The charging network at a glance."),
            live_indicator(HomeState.updated_at),
            testid="home-header",
        ),
        follow_language(HomeFiguresState.follow_language, LicenceCardState.follow_language),
        blocks.licence_card(),
        blocks.network_tiles(),
        blocks.today_and_month(),
        blocks.charge_point_counts(),
        blocks.connectors_by_status(),
        blocks.warnings_summary(),
        blocks.power(),
        blocks.charging_by_period(),
    )
