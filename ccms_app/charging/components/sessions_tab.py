"""The Sessions tab of a charge point page: its last sessions, active ones marked, pushed live
(ChargePointLiveState.sessions, refreshed by the feed on session events and on opening)."""

from __future__ import annotations

import reflex as rx

from ccms_app.charging.components.session_table import sessions_table
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState
from ccms_app.ui.i18n import t


def sessions_section() -> rx.Component:
    return rx.vstack(
        rx.text(
            t("The latest 20 sessions, newest first. Times in the station's time zone."),
            size="2",
            color=rx.color("gray", 11),
        ),
        sessions_table(
            ChargePointLiveState.sessions,
            with_charge_point=False,
            testid="cp-sessions",
            empty=t("No sessions on this charge point yet."),
        ),
        spacing="3",
        width="100%",
    )
