"""The driver's account (/app/account): details, language, RFID cards, vehicles, links to the
reservations, signing out."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.branding.components.brand import page_title
from ccms_app.driver_app.components.account_cards import cards_card
from ccms_app.driver_app.components.account_profile import profile_card, settings_card
from ccms_app.driver_app.components.account_vehicles import vehicles_card
from ccms_app.driver_app.components.shell import app_page
from ccms_app.driver_app.rules.paths import APP
from ccms_app.driver_app.state.account import (
    DriverCardsState,
    DriverProfileState,
    DriverVehiclesState,
)
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.i18n import t

ACCOUNT = f"{APP}/account"


def account_page() -> rx.Component:
    return app_page(t("Account"), profile_card(), cards_card(), vehicles_card(), settings_card())


PAGES: list[tuple[Any, str, Any, list[Any]]] = [
    (
        account_page,
        ACCOUNT,
        page_title("Account"),
        [
            DriverAuthState.require_driver,
            DriverProfileState.load,
            DriverCardsState.load,
            DriverVehiclesState.load,
        ],
    ),
]
