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
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.permissions import when_allowed

T = "lb-settings"


def _number(name: str, label: Text, hint: Text = "") -> rx.Component:
    return value_input(F, name, label, T, hint=hint, type="number")


def settings_section() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Settings"), size="4"),
            fields_grid(
                value_input(F, "name", t("Name"), T),
                select_field(F, "strategy", t("Strategy"), STRATEGIES, T),
                _number("limit_a", t("Grid connection limit per phase (A)")),
                _number("limit_kw", t("…and/or power limit (kW)")),
                _number(
                    "margin_a", t("Safety margin (A per phase)"), t("Kept free on every phase.")
                ),
                _number(
                    "min_current_a", t("Minimum current (A)"), t("A car gets 0 or at least this.")
                ),
                _number(
                    "change_threshold_a", t("Change threshold (A)"), t("Send only bigger changes.")
                ),
                _number(
                    "profile_validity_s", t("Profile validity (s)"), t("Refreshed at half of it.")
                ),
            ),
            rx.heading(t("Building load (dynamic)"), size="3", margin_top="8px"),
            rx.text(
                t(
                    "From PUT /api/v1/load-sites/{id}/building-load, "
                    "or a meter reporting over OCPP "
                    "(MeterValues without a transaction on this connector)."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            fields_grid(
                select_field(
                    F,
                    "meter_charge_point_id",
                    t("Meter charge point"),
                    F.meter_options,
                    T,
                    t("none"),
                ),
                _number("meter_connector_id", t("Meter connector")),
                _number(
                    "building_load_max_age_s",
                    t("Building load max age (s)"),
                    t("Older: the 24 h peak is assumed."),
                ),
            ),
            switch_field(F, "enabled", t("Load balancing on for this site"), T),
            notice(F.message, f"{T}-message"),
            rx.flex(
                delete_row(F, t("Really delete this site, its tree, plans and decisions?"), T),
                rx.spacer(),
                when_allowed(
                    F.save,
                    rx.button(
                        t("Save settings"),
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
