"""The security section of a charge point page: its Security Profile 1 password."""

from __future__ import annotations

import reflex as rx

from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.network.components.charge_point_password import (
    charge_point_password_button,
    charge_point_password_dialog,
)
from ccms_app.ui.i18n import t


def security_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(
                t(
                    "OCPP Security Profile 1: the charge point authenticates with HTTP Basic "
                    "(its identity and this password). Failed attempts are refused before the "
                    "websocket opens and recorded."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.flex(
                rx.text(t("Password when the page opened:"), size="2", weight="medium"),
                rx.cond(
                    Detail.has_password,
                    rx.badge(t("set"), color_scheme="green", variant="soft"),
                    rx.badge(t("none"), color_scheme="gray", variant="soft"),
                ),
                rx.spacer(),
                charge_point_password_button(Detail.charge_point_id, Detail.identity),
                align="center",
                gap="8px",
                wrap="wrap",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        charge_point_password_dialog(),
        width="100%",
    )
