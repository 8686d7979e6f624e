"""The pieces of the charging history pages: the list (columns, filters, date range, text
filters) and one session's facts, cost breakdown and power / energy chart.

Every control carries a data-testid starting with "history" (the list's are data_list's:
`history-search`, `history-filter-<key>`, `history-link-<id>`, ...; the text filters
`history-text-<key>`, the dates `history-since` / `history-until`; the detail page's
`history-facts`, `history-cost`, `history-line`, `history-chart`).
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.core.i18n import N_
from ccms_app.finance.history.spec import COST_LABELS, SESSION_LABELS
from ccms_app.finance.state.history import (
    HistoryDetailState,
    HistoryListState,
    SessionReceiptState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

H: Any = HistoryListState  # Var methods on its mixin's fields (filters) are not typed
D = HistoryDetailState
# The detail state's dict field as the ObjectVar it is on the page (mypy sees the dict).
COST = cast(ObjectVar[dict[str, str]], D.cost)
STATUS_COLOURS = {"active": "blue", "completed": "green", "refused": "red"}
COST_COLOURS = {"final": "green", "review": "amber", "unpriced": "gray", "running": "blue"}


def _text_filter(key: str, label: Text) -> rx.Component:
    """An exact value (charge point, id tag) or part of a driver's name, typed."""
    return text_input(
        value=H.filters.get(key, "").to(str),
        on_change=lambda value: H.set_filter(key, value),
        debounce_timeout=400,
        placeholder=label,
        width=["100%", "100%", "150px"],
        aria_label=label,
        custom_attrs={"data-testid": f"history-text-{key}"},
    )


def _date(key: str, label: Text) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        text_input(
            type="date",
            value=H.filters.get(key, "").to(str),
            on_change=lambda value: H.set_filter(key, value),
            width="150px",
            aria_label=t_with("{label} date", label=label),
            custom_attrs={"data-testid": f"history-{key}"},
        ),
        align="center",
        spacing="1",
    )


def _status(row: RowVar) -> rx.Component:
    return rx.badge(
        row["status"],
        color_scheme=rx.match(
            row["cost_key"],
            *[(key, colour) for key, colour in COST_COLOURS.items()],
            rx.match(row["status_key"], *[(k, c) for k, c in STATUS_COLOURS.items()], "gray"),
        ),
        variant="soft",
        white_space="nowrap",
    )


def _amount(row: RowVar) -> rx.Component:
    return rx.text(
        rx.cond(row["amount"] == "", "—", row["amount"]),
        size="2",
        weight="medium",
        white_space="nowrap",
        custom_attrs={"data-testid": "history-amount-" + row["id"].to(str)},
    )


def history_list() -> rx.Component:
    """The whole list: newest first, every filter, export."""
    return data_list(
        H,
        columns=[
            Column(
                "start_time",
                t("Started"),
                href=lambda row: "/finance/history/" + row["id"].to(str),
            ),
            Column("station", t("Station"), sortable=False),
            Column("charge_point", t("Charge point"), sortable=False),
            Column("driver", t("Driver"), sortable=False),
            Column("energy_wh", t("kWh")),
            Column("total_incl_minor", t("Amount"), render=_amount),
            Column("status", t("Status"), sortable=False, render=_status),
            Column("payment_method", t("Payment"), sortable=False),
            Column("duration", t("Duration"), sortable=False),
            Column("id_tag", t("Id tag"), sortable=False),
            Column("group", t("Group"), sortable=False, on_phone=False),
            Column("vehicle", t("Vehicle"), sortable=False, on_phone=False),
            Column("stop_time", t("Ended"), sortable=False, on_phone=False),
            Column("connector_id", t("Connector"), sortable=False, on_phone=False),
        ],
        filters=[
            Filter("station_id", t("Station"), H.filter_options["station_id"]),
            Filter("group_id", t("Group"), H.filter_options["group_id"]),
            Filter("status", t("Status"), [(k, t(v)) for k, v in SESSION_LABELS.items()]),
            Filter("cost_state", t("Cost"), [(k, t(v)) for k, v in COST_LABELS.items()]),
            Filter("payment_method", t("Payment"), H.filter_options["payment_method"]),
        ],
        testid="history",
        empty_text=t("No charging sessions yet."),
        search_placeholder=t("Search station, charge point, card, driver, group…"),
        toolbar=[
            _text_filter("charge_point", t("Charge point")),
            _text_filter("id_tag", t("Id tag")),
            _text_filter("driver", t("Driver")),
            _date("since", t("From")),
            _date("until", t("To")),
        ],
    )


# --- one session -------------------------------------------------------------------------

FACTS = (
    ("station", N_("Station")),
    ("charge_point", N_("Charge point")),
    ("connector_id", N_("Connector")),
    ("id_tag", N_("Id tag")),
    ("driver", N_("Driver")),
    ("group", N_("Group")),
    ("vehicle", N_("Vehicle")),
    ("start_time", N_("Started")),
    ("stop_time", N_("Ended")),
    ("duration", N_("Duration")),
    ("energy", N_("Energy (kWh)")),
    ("payment_method", N_("Payment method")),
    ("status", N_("Status")),
)


def _fact(key: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.text(t(label), size="1", color=rx.color("gray", 11)),
        rx.text(
            rx.cond(D.facts[key] == "", "—", D.facts[key]),
            size="2",
            weight="medium",
            overflow_wrap="anywhere",
        ),
        spacing="0",
        min_width="0",
    )


def session_facts() -> rx.Component:
    return rx.card(
        rx.grid(
            *[_fact(key, label) for key, label in FACTS],
            columns=rx.breakpoints(initial="2", sm="3", lg="5"),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "history-facts"},
    )


def _total(label: Text, key: str, strong: bool = False) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11)),
        rx.spacer(),
        rx.text(
            D.cost[key],
            size="3" if strong else "2",
            weight="bold" if strong else "regular",
            custom_attrs={"data-testid": f"history-cost-{key}"},
        ),
        width="100%",
    )


def _line(line: rx.Var) -> rx.Component:
    row = line.to(ObjectVar, dict[str, str])
    return rx.table.row(
        cell(rx.text(t_var(row["dimension"]), weight="medium")),
        cell(row["fee"]),
        cell(row["period"]),
        cell(row["quantity"]),
        cell(row["unit_price"]),
        cell(rx.cond(row["vat"] == "", t("no VAT"), row["vat"])),
        cell(row["amount"], text_align="right"),
        custom_attrs={"data-testid": "history-line"},
    )


def _tariff() -> rx.Component:
    return rx.vstack(
        rx.text(
            rx.text.strong(t("Tariff: ")),
            rx.cond(D.cost["tariff"] == "", t("none"), D.cost["tariff"]),
            size="2",
            custom_attrs={"data-testid": "history-tariff"},
        ),
        rx.cond(
            D.cost["tariff_reason"] != "",
            rx.text(rx.text.strong(t("Why: ")), D.cost["tariff_reason"], size="2"),
        ),
        rx.text(
            t_with("Priced at {time}", time=D.cost["priced_at"]),
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="1",
        width="100%",
    )


# --- the session's receipt ----------------------------------------------------------------

R = SessionReceiptState


def session_receipt() -> rx.Component:
    """The receipt's PDF when the session has one (a plain link: the browser downloads it
    over HTTP), else "Issue receipt" once the cost is final, for roles that may.
    data-testids: history-receipt-pdf, history-receipt-issue."""
    issue = rx.button(
        rx.icon("receipt", size=14),
        t("Issue receipt"),
        size="2",
        variant="soft",
        on_click=R.issue_receipt,
        custom_attrs={"data-testid": "history-receipt-issue"},
    )
    return rx.box(
        rx.cond(
            R.receipt_id > 0,
            rx.link(
                rx.hstack(
                    rx.icon("file-down", size=14),
                    t_with("Receipt {number}", number=R.receipt_number),
                    spacing="1",
                    align="center",
                ),
                href=R.pdf_href,
                reload_document=True,  # a document request, not a client-side route
                color=rx.color("teal", 11),
                white_space="nowrap",
                custom_attrs={"data-testid": "history-receipt-pdf"},
            ),
            rx.cond(D.cost["state"] == "final", when_allowed(R.issue_receipt, issue)),
        ),
        on_mount=R.load,
    )


def _review_actions() -> rx.Component:
    """Release a cost held for review; price a held or unbilled session again (e.g. after
    assigning a tariff). For roles with finance:edit; billed sessions are refused."""
    release = rx.button(
        rx.icon("check", size=14),
        t("Release for billing"),
        size="2",
        color_scheme="green",
        variant="soft",
        on_click=D.release_cost,
        custom_attrs={"data-testid": "history-release"},
    )
    again = rx.button(
        rx.icon("refresh-cw", size=14),
        t("Price again"),
        size="2",
        variant="soft",
        on_click=D.reprice_cost,
        custom_attrs={"data-testid": "history-reprice"},
    )
    return rx.cond(
        (D.cost["state"] == "review") | (D.cost["state"] == "unpriced"),
        rx.hstack(
            rx.cond(D.cost["state"] == "review", when_allowed(D.release_cost, release)),
            when_allowed(D.reprice_cost, again),
            spacing="2",
            wrap="wrap",
        ),
    )


def session_cost() -> rx.Component:
    """The totals, the policy note when held, the tariff and the breakdown lines."""
    totals = rx.vstack(
        _total(t("Energy (excl. VAT)"), "energy_excl"),
        _total(t("Charging time (excl. VAT)"), "time_excl"),
        _total(t("Parking (excl. VAT)"), "parking_excl"),
        _total(t("Flat fees (excl. VAT)"), "fixed_excl"),
        rx.divider(),
        _total(t("Total excl. VAT"), "total_excl"),
        _total(t("VAT"), "vat"),
        _total(t("Total incl. VAT"), "total_incl", strong=True),
        spacing="1",
        width="100%",
        max_width=["100%", "100%", "360px"],
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(t("Cost"), size="4"),
                rx.badge(t_var(COST["state_label"]), variant="soft", size="2"),
                rx.spacer(),
                session_receipt(),
                align="center",
                spacing="3",
                wrap="wrap",
                width="100%",
            ),
            rx.cond(
                D.cost["held"] != "",
                rx.callout(
                    rx.cond(D.cost["note"] == "", t("Held for review."), D.cost["note"]),
                    icon="shield-alert",
                    color_scheme="amber",
                    width="100%",
                    custom_attrs={"data-testid": "history-review-note"},
                ),
            ),
            _review_actions(),
            rx.flex(
                totals,
                _tariff(),
                direction=rx.breakpoints(initial="column", md="row"),
                gap="24px",
                width="100%",
            ),
            rx.cond(
                D.lines.length() > 0,
                data_table(
                    [
                        t("Component"),
                        t("Fee"),
                        t("Period"),
                        t("Quantity"),
                        t("Unit price"),
                        t("VAT"),
                        t("Amount"),
                    ],
                    D.lines,
                    _line,
                    testid="history-lines",
                ),
                rx.text(t("No breakdown lines."), size="2", color=rx.color("gray", 10)),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "history-cost"},
    )


def session_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(t("Power and energy"), size="4"),
            rx.cond(
                D.has_curve,
                rx.box(
                    rx.plotly.basic(
                        data=D.figure,
                        config={"displayModeBar": False, "responsive": True},
                        width="100%",
                        height="280px",
                    ),
                    width="100%",
                    custom_attrs={"data-testid": "history-chart"},
                ),
                rx.text(
                    t("No meter values were recorded for this session."),
                    size="2",
                    color=rx.color("gray", 10),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )
