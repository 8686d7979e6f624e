"""Charging: the running session(s) live with Stop (/app/charging), and the page a connector's
QR label opens (/app/c/<identity>/<connector>) with its offer and "Start charging"."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.session_card import finished_session, live_session
from ccms_app.driver_app.components.session_notes import (
    nothing_running_hint,
    notice,
    waiting_note,
)
from ccms_app.driver_app.components.session_offer import connector_start
from ccms_app.driver_app.components.session_stop import stop_dialog
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.charging import ChargingState, ConnectorStartState, SessionRow
from ccms_app.ui.i18n import t

CHARGING = f"{APP}/charging"
CONNECTOR = f"{APP}/c/[identity]/[connector]"


def _last() -> ObjectVar[SessionRow]:
    return cast(ObjectVar[SessionRow], ChargingState.last)


def charging_page() -> rx.Component:
    return app_page(
        t("Charging"),
        waiting_note(),
        notice(),
        rx.foreach(ChargingState.sessions, live_session),
        rx.cond(
            ChargingState.sessions.length() == 0,
            rx.vstack(
                rx.cond(ChargingState.has_last, finished_session(_last())),
                rx.cond(~ChargingState.waiting, nothing_running_hint()),
                spacing="4",
                width="100%",
            ),
        ),
        stop_dialog(),
    )


def connector_page() -> rx.Component:
    return app_page(t("Charge here"), connector_start())


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        charging_page,
        CHARGING,
        page_title("Charging"),
        [DriverAuthState.require_driver, ChargingState.load],
    ),
    (
        connector_page,
        CONNECTOR,
        page_title("Charge here"),
        [DriverAuthState.require_driver, ConnectorStartState.load],
    ),
]
