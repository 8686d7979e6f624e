"""Reserve a connector (/app/reserve/<connector.id>, linked from a station's page) and the
driver's reservations (/app/reservations)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.reservation_form import reserve_form
from ccms_app.driver_app.components.reservation_list import reservation_list
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.driver_app.state.reservations import DriverReservationsState, DriverReserveState
from ccms_app.ui.i18n import t

RESERVE = f"{APP}/reserve/[connector_id]"
RESERVATIONS = f"{APP}/reservations"


def reserve_page() -> rx.Component:
    return app_page(t("Reserve a connector"), reserve_form())


def reservations_page() -> rx.Component:
    return app_page(t("Your reservations"), reservation_list())


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        reserve_page,
        RESERVE,
        page_title("Reserve a connector"),
        [DriverAuthState.require_driver, DriverReserveState.load],
    ),
    (
        reservations_page,
        RESERVATIONS,
        page_title("Your reservations"),
        [DriverAuthState.require_driver, DriverReservationsState.load],
    ),
]
