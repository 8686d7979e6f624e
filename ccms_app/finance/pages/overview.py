"""Finance overview (/finance): this month's revenue per currency, what waits for an operator,
the cost so far of running sessions; revenue by day / month / year (chart and table), what is
outstanding and what was refunded (finance.components.overview)."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.branding.components.brand import page_title
from ccms_app.finance.components.overview import outstanding, refunds, revenue_by_period
from ccms_app.finance.components.subnav import finance_subnav
from ccms_app.finance.state.overview import FinanceOverviewState as Overview
from ccms_app.ui.cards import empty_note, section, stat_card
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import follow_language, page_header
from ccms_app.ui.table import cell, data_table

ROUTE = "/finance"
TITLE = page_title("Finance")


def _revenue_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.table.row(
        cell(row["currency"]),
        cell(row["sessions"]),
        cell(row["energy"]),
        cell(row["excl"]),
        cell(row["vat"]),
        cell(rx.text(row["incl"], size="2", weight="medium")),
        custom_attrs={"data-testid": "finance-revenue-" + row["currency"].to(str)},
    )


def _revenue() -> rx.Component:
    return section(
        t_with("Revenue {month}", month=Overview.month),
        rx.cond(
            Overview.revenue.length() > 0,
            data_table(
                [
                    t("Currency"),
                    t("Sessions"),
                    t("Energy"),
                    t("Excl. VAT"),
                    t("VAT"),
                    t("Incl. VAT"),
                ],
                Overview.revenue,
                _revenue_row,
                testid="finance-revenue",
            ),
            empty_note(t("No session priced this month yet.")),
        ),
        rx.text(
            t_with(
                "Final costs of sessions that ended this month ({time_zone}); sessions held "
                "for review are not counted until released.",
                time_zone=Overview.time_zone,
            ),
            size="1",
            color=rx.color("gray", 10),
        ),
    )


def _no_default_warning() -> rx.Component:
    return rx.cond(
        Overview.loaded & ~Overview.has_network_default,
        rx.callout(
            rx.text(
                t(
                    "No network default tariff: sessions at charge points, stations and id tags "
                    "without a tariff of their own are not billed."
                ),
                " ",
                rx.link(t("Assign one"), href="/finance/tariffs"),
                ".",
            ),
            icon="triangle-alert",
            color_scheme="amber",
            size="1",
            width="100%",
            custom_attrs={"data-testid": "finance-no-default"},
        ),
    )


def _figures() -> rx.Component:
    return rx.grid(
        stat_card(t("Held for review"), Overview.held_for_review, "flag", "orange", "fin-review"),
        stat_card(
            t("Not billed this month"), Overview.unpriced, "circle-slash", "gray", "fin-unpriced"
        ),
        stat_card(t("Running, cost so far"), Overview.running_cost, "zap", "teal", "fin-running"),
        stat_card(
            t("Documents this month"), Overview.documents, "file-text", "blue", "fin-documents"
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        spacing="3",
        width="100%",
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header(
            t("Finance"), t("Revenue, outstanding money and refunds; tariffs, costs and documents.")
        ),
        follow_language(Overview.follow_language),
        finance_subnav(ROUTE),
        _no_default_warning(),
        _figures(),
        _revenue(),
        revenue_by_period(),
        rx.grid(
            outstanding(),
            refunds(),
            columns=rx.breakpoints(initial="1", lg="2"),
            spacing="5",
            width="100%",
        ),
    )
