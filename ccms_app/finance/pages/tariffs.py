"""Finance -> Tariffs: the list with "Which tariff applies?" (/finance/tariffs) and the editor
with its preview calculator, versions and assignments (/finance/tariffs/new,
/finance/tariffs/[tariff_id]). The lead registers PAGES in ccms_app.py."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.components.tariff_assign import assignments_section
from ccms_app.finance.components.tariff_editor import (
    archive_button,
    archive_dialog,
    identity_section,
    limits_section,
    prices_section,
    validity_and_save,
    versions_section,
)
from ccms_app.finance.components.tariff_preview import preview_section
from ccms_app.finance.components.tariffs import explain_tool, tariff_list
from ccms_app.finance.state.tariff_assign import TariffAssignState
from ccms_app.finance.state.tariff_editor import TariffEditorState
from ccms_app.finance.state.tariff_preview import TariffPreviewState
from ccms_app.finance.state.tariffs import TariffExplainState, TariffListState
from ccms_app.ui.i18n import t
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.permissions import when_allowed

ROUTE = "/finance/tariffs"
TITLE = page_title("Tariffs")
NEW_ROUTE = "/finance/tariffs/new"
DETAIL_ROUTE = "/finance/tariffs/[tariff_id]"
DETAIL_TITLE = page_title("Tariff")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Tariffs"),
            t("What sessions cost: fees, when they apply, and where."),
            when_allowed(
                TariffEditorState.save,
                rx.link(
                    rx.button(rx.icon("plus", size=14), t("New tariff")),
                    href=NEW_ROUTE,
                    custom_attrs={"data-testid": "tariffs-new"},
                ),
            ),
        ),
        follow_language(TariffListState.follow_language),
        finance_subnav(ROUTE),
        tariff_list(),
        explain_tool(),
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=14), t("Tariffs"), spacing="1", align="center"),
        href=ROUTE,
        size="2",
    )


def _editor_body() -> rx.Component:
    s = TariffEditorState
    return rx.vstack(
        page_header(
            rx.cond(s.is_new, t("New tariff"), s.name),
            "",
            rx.hstack(
                rx.cond(s.archived, rx.badge(t("archived"), color_scheme="gray")),
                rx.cond(
                    s.current_version != "",
                    rx.text(s.current_version, size="2", color=rx.color("gray", 11)),
                ),
                archive_button(),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
        ),
        identity_section(),
        prices_section(),
        limits_section(),
        validity_and_save(),
        preview_section(),
        rx.cond(~s.is_new, assignments_section()),
        rx.cond(~s.is_new, versions_section()),
        spacing="5",
        width="100%",
    )


def editor_page() -> rx.Component:
    s = TariffEditorState
    return app_shell(
        FINANCE_ROUTE,
        finance_subnav(ROUTE),
        _back(),
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                _editor_body(),
                rx.callout(t("No such tariff in your network."), icon="search-x", width="100%"),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
        archive_dialog(),
    )


_EDITOR_LOAD = [
    AuthState.require_login,
    TariffEditorState.load,
    TariffPreviewState.open_preview,
    TariffAssignState.load,
]

PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, TariffListState.load, TariffExplainState.open_tool],
    ),
    (editor_page, NEW_ROUTE, page_title("New tariff"), _EDITOR_LOAD),
    (editor_page, DETAIL_ROUTE, DETAIL_TITLE, _EDITOR_LOAD),
)
