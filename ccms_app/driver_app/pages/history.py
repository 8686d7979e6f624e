"""The charging history (/app/history) and one session with its cost (/app/history/<id>)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.history_detail import session_detail
from ccms_app.driver_app.components.history_list import history_list
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.history import DriverHistoryState, DriverSessionState
from ccms_app.ui.i18n import t

HISTORY = f"{APP}/history"
SESSION = f"{APP}/history/[session_id]"


def history_page() -> rx.Component:
    return app_page(t("History"), history_list())


def session_page() -> rx.Component:
    return app_page(t("Charging session"), session_detail())


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        history_page,
        HISTORY,
        page_title("History"),
        [DriverAuthState.require_driver, DriverHistoryState.load],
    ),
    (
        session_page,
        SESSION,
        page_title("Charging session"),
        [DriverAuthState.require_driver, DriverSessionState.load],
    ),
]
