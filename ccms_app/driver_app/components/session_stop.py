"""The Stop confirmation of a running session.

Its Stop is a plain button (not the dialog's auto-closing action), so the
stop is sent before the dialog closes: the dialog is open while `stop_id` names a session.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.driver_app.state.charging import ChargingState
from ccms_app.ui.i18n import t


def stop_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("Stop charging?")),
            rx.alert_dialog.description(
                t("The charger stops the session. Unplug your car once it has stopped."),
                size="2",
            ),
            rx.flex(
                rx.button(
                    t("Keep charging"),
                    variant="soft",
                    color_scheme="gray",
                    on_click=ChargingState.cancel_stop(False),
                    disabled=ChargingState.stopping,
                    custom_attrs={"data-testid": "stop-cancel"},
                ),
                rx.button(
                    t("Stop"),
                    color_scheme="red",
                    loading=ChargingState.stopping,
                    on_click=[ChargingState.mark_stopping, ChargingState.stop],
                    custom_attrs={"data-testid": "stop-confirm"},
                ),
                gap="3",
                justify="end",
                wrap="wrap",
                margin_top="16px",
            ),
            max_width="420px",
        ),
        open=ChargingState.stop_id != 0,
        on_open_change=ChargingState.cancel_stop,
    )
