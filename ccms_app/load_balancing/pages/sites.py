"""Load Balancing (/load-balancing): the sites (one per station's grid connection) with their
limit and what the controller last decided, and "New site"."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.load_balancing.components.site_list import new_site_dialog, site_list
from ccms_app.load_balancing.state.common import ROUTE
from ccms_app.load_balancing.state.sites import NewSiteState, SiteListState
from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

TITLE = page_title("Load Balancing")
ON_LOAD: list[Any] = [AuthState.require_login, SiteListState.load]

__all__ = ["ON_LOAD", "ROUTE", "TITLE", "page"]


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Load Balancing"),
            t("Share a site's grid connection between its charge points (OCPP charging profiles)."),
            when_allowed(
                NewSiteState.save,
                rx.button(
                    rx.icon("plus", size=16),
                    t("New site"),
                    on_click=NewSiteState.open_new,
                    custom_attrs=tid("lb-site-new"),
                ),
            ),
        ),
        follow_language(SiteListState.follow_language),
        site_list(),
        new_site_dialog(),
    )
