"""The Finance overview's revenue by period (selector, chart and the same numbers as a
table), its outstanding figures and refunds, each linking to the list that explains it."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.finance.rules.revenue import DAYS_SHOWN, MONTHS_SHOWN, YEARS_SHOWN, PeriodKind
from ccms_app.finance.state.overview import FinanceOverviewState as Overview
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import t, t_var, t_with
from ccms_app.ui.table import cell, data_table

PERIOD_CHOICES = (
    (PeriodKind.DAYS, t_with("{count} days", count=DAYS_SHOWN)),
    (PeriodKind.MONTHS, t_with("{count} months", count=MONTHS_SHOWN)),
    (PeriodKind.YEARS, t_with("{count} years", count=YEARS_SHOWN)),
)


def _titled(days: rx.Var, months: rx.Var, years: rx.Var) -> rx.Var:
    """The heading of the chosen period (each a whole message, never a lowered label)."""
    return rx.match(
        Overview.period,
        (PeriodKind.MONTHS.value, months),
        (PeriodKind.YEARS.value, years),
        days,
    )


def _note(*children: rx.Component | rx.Var | str) -> rx.Component:
    return rx.text(*children, size="1", color=rx.color("gray", 10))


def period_picker() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(label, value=kind.value) for kind, label in PERIOD_CHOICES],
        value=Overview.period,
        on_change=lambda value: Overview.set_period(value),
        size="1",
        custom_attrs={"data-testid": "fin-period"},
    )


def _currency_picker() -> rx.Component:
    return rx.cond(
        Overview.currencies.length() > 1,
        rx.segmented_control.root(
            rx.foreach(
                Overview.currencies,
                lambda code: rx.segmented_control.item(code, value=code),
            ),
            value=Overview.currency,
            on_change=lambda value: Overview.set_currency(value),
            size="1",
            custom_attrs={"data-testid": "fin-currency"},
        ),
    )


def _period_row(row: ObjectVar[dict[str, str]]) -> rx.Component:
    weight = rx.cond(row["key"] == "total", "bold", "regular")
    return rx.table.row(
        cell(rx.text(t_var(row["label"]), size="2", weight=weight)),
        cell(row["sessions"]),
        cell(row["energy"]),
        cell(row["excl"]),
        cell(row["vat"]),
        cell(rx.text(row["incl"], size="2", weight=weight)),
        cell(row["top_ups"]),
        cell(row["fees"]),
        custom_attrs={"data-testid": "fin-period-" + row["key"].to(str)},
    )


def _chart() -> rx.Component:
    return rx.box(
        rx.plotly.basic(
            data=Overview.figure,
            config={"displayModeBar": False, "responsive": True},
            width="100%",
            height="300px",
        ),
        width="100%",
        custom_attrs={"data-testid": "fin-revenue-chart"},
    )


def revenue_by_period() -> rx.Component:
    headers = [
        t("Period"),
        t("Sessions"),
        t("Energy"),
        t("Charging excl. VAT"),
        t("VAT"),
        t("Charging incl. VAT"),
        t("Top-ups"),
        t("Membership fees"),
    ]
    return section(
        _titled(
            t_with("Revenue, last {count} days", count=DAYS_SHOWN),
            t_with("Revenue, last {count} months", count=MONTHS_SHOWN),
            t_with("Revenue, last {count} years", count=YEARS_SHOWN),
        ),
        rx.flex(
            period_picker(),
            _currency_picker(),
            _note(Overview.range_text),
            width="100%",
            wrap="wrap",
            gap="8px",
            align="center",
        ),
        rx.cond(
            Overview.currencies.length() > 0,
            rx.vstack(
                rx.card(_chart(), width="100%"),
                data_table(headers, Overview.rows, _period_row, testid="fin-period-table"),
                spacing="3",
                width="100%",
            ),
            empty_note(t("No revenue in this period.")),
        ),
        _note(
            t(
                "Charging: final costs of sessions by the day they ended; held for review and "
                "unpriced sessions are not counted. Top-ups: money paid into wallets (without "
                "the bonus). Membership fees: by card and from wallets. Do not add the series: "
                "a session paid from a wallet is charging revenue of money already counted as "
                "its top-up."
            ),
            " ",
            rx.link(t("Top-ups"), href="/finance/top-ups"),
            " · ",
            rx.link(t("Charging history"), href="/finance/history"),
        ),
    )


def _figure_card(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.card(
        rx.flex(
            rx.vstack(
                rx.link(t_var(row["label"]), href=row["href"], weight="medium", size="2"),
                _note(t_var(row["note"])),
                spacing="1",
                min_width="0",
                flex="1",
            ),
            rx.vstack(
                rx.text(row["amount"], weight="bold", size="3", text_align="right"),
                _note(t_with("{count} in all", count=row["count"])),
                spacing="0",
                align="end",
            ),
            gap="12px",
            align="center",
            width="100%",
        ),
        size="1",
        width="100%",
        custom_attrs={"data-testid": "fin-" + row["key"].to(str)},
    )


def outstanding() -> rx.Component:
    return section(
        t("Outstanding"),
        rx.foreach(Overview.outstanding, _figure_card),
        _note(t("As of now; invoices issued in the chosen period.")),
    )


def refunds() -> rx.Component:
    return section(
        _titled(
            t_with("Refunds, last {count} days", count=DAYS_SHOWN),
            t_with("Refunds, last {count} months", count=MONTHS_SHOWN),
            t_with("Refunds, last {count} years", count=YEARS_SHOWN),
        ),
        rx.foreach(Overview.refunds, _figure_card),
        _note(
            t(
                "A refunded top-up is in both lines (Stripe returns the money, the wallet "
                "gives up the credit); a wallet refund paid out by hand is in the second only."
            )
        ),
    )
