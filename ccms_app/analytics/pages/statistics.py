"""Analytics -> Statistics (being built: this placeholder says so until its page lands)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.analytics.components.subnav import STATISTICS_ROUTE, analytics_subnav
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header

ROUTE = STATISTICS_ROUTE
TITLE = "Statistics · Analytics · CCMS"
ON_LOAD: list[Any] = [AuthState.require_login]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header("Statistics", "Not built yet."),
        analytics_subnav(ROUTE),
        rx.text("This page is not built yet: no figures are shown."),
    )


PAGES = [(page, ROUTE, TITLE, ON_LOAD)]
