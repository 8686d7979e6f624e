"""Load Balancing -> one site -> Settings: the site's fields, the grid connection's limit,
where the building load comes from; delete the site (with a confirmation).

Test ids: `lb-settings-<field>`, `lb-settings-<field>-error`, `lb-settings-save`,
`lb-settings-message`, `lb-settings-delete`, `lb-settings-delete-confirm`.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.load_balancing.components.forms import (
    delete_row,
    fields_grid,
    select_field,
    switch_field,
)
from ccms_app.load_balancing.state.shown import STRATEGIES
from ccms_app.load_balancing.state.site import SiteSettingsState as F
from ccms_app.ui.dialogs import notice, tid, value_input
from ccms_app.ui.permissions import when_allowed

T = "lb-settings"


def _number(name: str, label: str, hint: str = "") -> rx.Component:
    return value_input(F, name, label, T, hint=hint, type="number")


def settings_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Settings", size="4"),
            fields_grid(
                value_input(F, "name", "Name", T),
                select_field(F, "strategy", "Strategy", STRATEGIES, T),
                _number("limit_a", "Grid connection limit per phase (A)"),
                _number("limit_kw", "…and/or power limit (kW)"),
                _number("margin_a", "Safety margin (A per phase)", "Kept free on every phase."),
                _number("min_current_a", "Minimum current (A)", "A car gets 0 or at least this."),
                _number("change_threshold_a", "Change threshold (A)", "Send only bigger changes."),
                _number("profile_validity_s", "Profile validity (s)", "Refreshed at half of it."),
            ),
            rx.heading("Building load (dynamic)", size="3", margin_top="8px"),
            rx.text(
                "From PUT /api/v1/load-sites/{id}/building-load, or a meter reporting over OCPP "
                "(MeterValues without a transaction on this connector).",
                size="2",
                color=rx.color("gray", 11),
            ),
            fields_grid(
                select_field(
                    F,
                    "meter_charge_point_id",
                    "Meter charge point",
                    F.meter_options,
                    T,
                    "none",
                ),
                _number("meter_connector_id", "Meter connector"),
                _number(
                    "building_load_max_age_s",
                    "Building load max age (s)",
                    "Older: the 24 h peak is assumed.",
                ),
            ),
            switch_field(F, "enabled", "Load balancing on for this site", T),
            notice(F.message, f"{T}-message"),
            rx.flex(
                delete_row(F, "this site, its tree, plans and decisions", T),
                rx.spacer(),
                when_allowed(
                    F.save,
                    rx.button(
                        "Save settings",
                        on_click=F.save,
                        loading=F.busy,
                        custom_attrs=tid(f"{T}-save"),
                    ),
                ),
                gap="8px",
                wrap="wrap",
                align="center",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )
