"""Load Balancing -> one site (/load-balancing/site/<id>): Live, Tree, Plans, Priorities,
Decisions and Settings, one at a time (`?tab=<name>` opens one). The text the server writes
follows the tab's language (`follow_language` writes it again after a switch).

Test ids: `lb-site-name`, `lb-tab-<name>`, `lb-site-missing`, and those of each section's
component.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.core.i18n import N_
from ccms_app.load_balancing.components.decisions import decisions_section
from ccms_app.load_balancing.components.live import live_section
from ccms_app.load_balancing.components.plans import plans_section, priorities_section
from ccms_app.load_balancing.components.settings import settings_section
from ccms_app.load_balancing.components.site_list import strategy_word
from ccms_app.load_balancing.components.tree import tree_section
from ccms_app.load_balancing.state.common import ROUTE, SITE_PREFIX
from ccms_app.load_balancing.state.decisions import DecisionState
from ccms_app.load_balancing.state.live import LiveState
from ccms_app.load_balancing.state.plans import PlansState
from ccms_app.load_balancing.state.site import SiteSettingsState, SiteState
from ccms_app.load_balancing.state.tree import TreeState
from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language

ROUTE_PATTERN = f"{SITE_PREFIX}/[site_id]"
TITLE = page_title("Load site · Load Balancing")
ON_LOAD: list[Any] = [
    AuthState.require_login,
    SiteState.load,
    LiveState.load,
    TreeState.load,
    PlansState.load,
    DecisionState.load,
    SiteSettingsState.load,
]
TABS = (
    ("live", N_("Live"), "activity"),
    ("tree", N_("Tree"), "network"),
    ("plans", N_("Plans"), "calendar-clock"),
    ("priorities", N_("Priorities"), "list-ordered"),
    ("decisions", N_("Decisions"), "history"),
    ("settings", N_("Settings"), "settings"),
)

__all__ = ["ON_LOAD", "ROUTE_PATTERN", "TITLE", "page"]


def _tabs() -> rx.Component:
    """Pills that wrap on a phone (six fit in two rows at 360 px)."""
    return rx.flex(
        *[
            rx.button(
                rx.icon(icon, size=14),
                t(label),
                size="2",
                variant=rx.cond(SiteState.tab == key, "soft", "ghost"),
                color_scheme=rx.cond(SiteState.tab == key, "teal", "gray"),
                on_click=SiteState.set_tab(key),
                custom_attrs=tid(f"lb-tab-{key}"),
            )
            for key, label, icon in TABS
        ],
        gap="6px",
        row_gap="6px",
        wrap="wrap",
        width="100%",
    )


def _head() -> rx.Component:
    site: Any = SiteState.site  # a dict var: its items are Vars on the page
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("arrow-left", size=16), rx.text(t("Load Balancing")), spacing="1"),
            href=ROUTE,
            size="2",
        ),
        rx.heading(
            site["name"], size="6", overflow_wrap="anywhere", custom_attrs=tid("lb-site-name")
        ),
        rx.flex(
            rx.link(site["station"], href="/stations/" + site["station_id"], size="2"),
            rx.badge(strategy_word(site["strategy"]), variant="soft"),
            rx.badge(t_var(site["limit"]), variant="outline"),
            rx.badge(
                t_var(site["enabled"]),
                color_scheme=rx.cond(site["enabled"] == "enabled", "green", "gray"),
                variant="soft",
            ),
            rx.text(
                t_with("Times in {zone}", zone=site["zone"]), size="1", color=rx.color("gray", 10)
            ),
            gap="8px",
            wrap="wrap",
            align="center",
        ),
        spacing="2",
        width="100%",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _head(),
        _tabs(),
        rx.match(
            SiteState.tab,
            ("tree", tree_section()),
            ("plans", plans_section()),
            ("priorities", priorities_section()),
            ("decisions", decisions_section()),
            ("settings", settings_section()),
            live_section(),
        ),
        spacing="4",
        width="100%",
        min_width="0",
    )


MISSING_TEXT: Any = SiteState.missing  # a Var on the page


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        follow_language(
            SiteState.follow_language,
            LiveState.follow_language,
            TreeState.follow_language,
            PlansState.follow_language,
            DecisionState.follow_language,
        ),
        rx.cond(
            SiteState.missing != "",
            rx.callout(
                t_var(MISSING_TEXT),
                icon="search-x",
                color_scheme="amber",
                width="100%",
                custom_attrs=tid("lb-site-missing"),
            ),
            rx.cond(SiteState.loaded, _body(), rx.center(rx.spinner(), padding="24px")),
        ),
    )
