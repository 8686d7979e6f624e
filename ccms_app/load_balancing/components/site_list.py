"""Load Balancing -> Sites: the list and the "New site" dialog."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.load_balancing.components.forms import fields_grid, select_field
from ccms_app.load_balancing.components.rows import Col, rows_view
from ccms_app.load_balancing.state.common import SITE_PREFIX
from ccms_app.load_balancing.state.shown import STRATEGIES
from ccms_app.load_balancing.state.sites import NewSiteState as F
from ccms_app.load_balancing.state.sites import SiteListState as L
from ccms_app.ui.data_list import RowVar
from ccms_app.ui.dialogs import dialog, dialog_body, dialog_buttons, notice, tid, value_input
from ccms_app.ui.i18n import t, t_var


def _name(r: RowVar) -> rx.Component:
    return rx.link(
        r["name"],
        href=SITE_PREFIX + "/" + r["id"].to(str),
        weight="medium",
        custom_attrs=tid("lb-site-link", r["id"].to(str)),
    )


def strategy_word(strategy: Any) -> Any:
    """A site's strategy ("static" / "dynamic", as the list writes it) in the tab's language."""
    return rx.match(strategy, ("static", t("static")), ("dynamic", t("dynamic")), strategy)


def strategy_text(strategy: Any) -> rx.Component:
    return rx.text(strategy_word(strategy), size="2")


def _enabled(r: RowVar) -> rx.Component:
    return rx.badge(
        t_var(r["enabled"]),
        color_scheme=rx.cond(r["enabled"] == "enabled", "green", "gray"),
        variant="soft",
    )


COLUMNS = [
    Col("name", t("Site"), render=_name, wrap=True),
    Col("station", t("Station"), wrap=True),
    Col("strategy", t("Strategy"), render=lambda r: strategy_text(r["strategy"])),
    Col("limit", t("Limit"), words=True),
    Col("building", t("Building load"), words=True),
    Col("allocated", t("Allocated now")),
    Col("cars", t("Cars / capped")),
    Col("enabled", t("State"), render=_enabled),
]


def site_list() -> rx.Component:
    return rx.cond(
        L.loaded,
        rows_view(
            L.rows,
            COLUMNS,
            "lb-sites",
            t(
                "No load balancing sites yet: create one for a station whose grid connection "
                "cannot feed every charger at full power."
            ),
        ),
        rx.center(rx.spinner(), width="100%", padding="24px"),
    )


def new_site_dialog() -> rx.Component:
    return dialog(
        F.mode != "",
        F.set_open,
        t("New load balancing site"),
        dialog_body(
            select_field(F, "station_id", t("Station"), F.station_options, "lb-new", t("Choose…")),
            value_input(F, "name", t("Name"), "lb-new"),
            select_field(F, "strategy", t("Strategy"), STRATEGIES, "lb-new"),
            fields_grid(
                value_input(F, "limit_a", t("Limit per phase (A)"), "lb-new", type="number"),
                value_input(F, "limit_kw", t("…or power limit (kW)"), "lb-new", type="number"),
            ),
            value_input(
                F,
                "margin_a",
                t("Safety margin (A per phase)"),
                "lb-new",
                hint=t("Kept free on every phase."),
                type="number",
            ),
            notice(F.message, "lb-new-message"),
            dialog_buttons(
                None,
                t("Create site"),
                F.busy,
                "lb-new-save",
                cancel_label=t("Cancel"),
                on_click=F.save,
            ),
        ),
        description=t("One site per station: its grid connection, shared by its charge points."),
        testid="lb-new-dialog",
    )
