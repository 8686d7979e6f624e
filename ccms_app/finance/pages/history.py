"""Finance -> Charging history: every session with its cost (/finance/history) and one
session with its cost breakdown and power / energy chart (/finance/history/[session_id])."""

from __future__ import annotations

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.history import (
    history_list,
    session_chart,
    session_cost,
    session_facts,
)
from ccms_app.finance.components.subnav import FINANCE_ROUTE, finance_subnav
from ccms_app.finance.state.history import HistoryDetailState, HistoryListState
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header

ROUTE = "/finance/history"
TITLE = page_title("Charging history")
DETAIL_ROUTE = "/finance/history/[session_id]"
DETAIL_TITLE = page_title("Charging session")


def page() -> rx.Component:
    return app_shell(
        FINANCE_ROUTE,
        page_header(
            t("Charging history"),
            t("Every session of your network with what it cost; times in each station's zone."),
        ),
        follow_language(HistoryListState.follow_language),
        finance_subnav(ROUTE),
        history_list(),
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon("arrow-left", size=14), t("Charging history"), spacing="1", align="center"
        ),
        href=ROUTE,
        size="2",
        underline="none",
        custom_attrs={"data-testid": "history-back"},
    )


def _detail_body() -> rx.Component:
    s = HistoryDetailState
    return rx.vstack(
        rx.hstack(
            rx.heading(t_with("Session {id}", id=s.session_id), size="6"),
            rx.badge(s.facts["status"], variant="soft", size="2"),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        session_facts(),
        rx.cond(
            s.has_cost,
            session_cost(),
            rx.callout(
                t("No cost recorded for this session: no tariff priced it yet."),
                icon="info",
                width="100%",
                custom_attrs={"data-testid": "history-no-cost"},
            ),
        ),
        session_chart(),
        spacing="4",
        width="100%",
    )


def detail_page() -> rx.Component:
    s = HistoryDetailState
    return app_shell(
        FINANCE_ROUTE,
        follow_language(HistoryDetailState.follow_language),
        finance_subnav(ROUTE),
        _back(),
        rx.cond(
            s.loaded,
            rx.cond(
                s.found,
                _detail_body(),
                rx.callout(
                    t("No such charging session in your network."),
                    icon="search-x",
                    width="100%",
                    custom_attrs={"data-testid": "history-not-found"},
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="48px", width="100%"),
        ),
    )


PAGES = (
    (
        page,
        ROUTE,
        TITLE,
        [AuthState.require_login, HistoryListState.load_zone, HistoryListState.load],
    ),
    (detail_page, DETAIL_ROUTE, DETAIL_TITLE, [AuthState.require_login, HistoryDetailState.load]),
)
