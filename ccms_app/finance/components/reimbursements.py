"""The pieces of Finance -> Reimbursements: the month per employee (with PDF / CSV links),
the home chargers list and the "add home charger" dialog.

data-testids: `reimbursement-month`, `reimbursement-message`, `reimbursement-total`,
`reimbursement-row-<driver id>`, `reimbursement-amount-<driver id>`,
`reimbursement-pdf-<driver id>`, `reimbursement-csv-<driver id>`; the list's are
data_list's with "home-chargers", `home-chargers-new`, `home-chargers-remove-<id>`; the
dialog `home-charger-dialog`, `home-charger-<field>`, `home-charger-<field>-error`,
`home-charger-save`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.finance.components.common import download_link
from ccms_app.finance.state.reimbursements import (
    HomeChargerFormState,
    HomeChargerListState,
    ReimbursementState,
)
from ccms_app.ui.data_list import Column, RowVar, data_list
from ccms_app.ui.dialogs import dialog, dialog_body, dialog_buttons, tid, value_input
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import can, when_allowed

L: Any = HomeChargerListState
F: Any = HomeChargerFormState
R: Any = ReimbursementState


# --- the month -----------------------------------------------------------------------------


def _fact(label: Text, value: Any, testid: Any = None) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=rx.color("gray", 11), white_space="nowrap"),
        rx.spacer(),
        rx.text(
            value,
            size="2",
            text_align="right",
            custom_attrs=tid(testid) if testid is not None else {},
        ),
        width="100%",
        align="start",
        spacing="2",
    )


def _employee(row: RowVar) -> rx.Component:
    driver = row["id"].to(str)
    return rx.card(
        rx.vstack(
            rx.text(row["employee"], weight="bold", size="3"),
            _fact(t("Home charger(s)"), row["chargers"]),
            _fact(t("Sessions"), row["sessions"]),
            _fact(t("Energy"), row["energy"]),
            rx.cond(row["others"] != "", _fact(t("Other cards"), row["others"])),
            rx.hstack(
                rx.text(t("To reimburse"), size="2", weight="medium"),
                rx.spacer(),
                rx.text(
                    row["amount"],
                    size="3",
                    weight="bold",
                    white_space="nowrap",
                    custom_attrs=tid("reimbursement-amount-" + driver),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                can(Module.FINANCE, Action.EXPORT),
                rx.hstack(
                    download_link(t("PDF"), row["pdf_url"], "reimbursement-pdf-" + driver),
                    download_link(t("CSV"), row["csv_url"], "reimbursement-csv-" + driver),
                    spacing="4",
                ),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        min_width="0",
        custom_attrs=tid("reimbursement-row-" + driver),
    )


def reimbursement_panel() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Monthly reimbursement"), size="4"),
        rx.flex(
            text_input(
                type="month",
                value=R.month,
                on_change=R.set_month,
                placeholder=t("YYYY-MM"),
                width="170px",
                aria_label=t("Month"),
                custom_attrs=tid("reimbursement-month"),
            ),
            rx.spacer(),
            rx.cond(
                R.shown & (R.rows.length() > 0),
                rx.text(
                    t("Total: "),
                    rx.text.strong(R.total),
                    size="2",
                    custom_attrs=tid("reimbursement-total"),
                ),
            ),
            gap="8px",
            wrap="wrap",
            align="center",
            width="100%",
        ),
        rx.cond(
            R.message != "",
            rx.callout(
                R.message,
                icon="info",
                color_scheme="gray",
                size="1",
                width="100%",
                custom_attrs=tid("reimbursement-message"),
            ),
        ),
        rx.cond(
            R.shown & (R.rows.length() == 0),
            rx.text(
                t("No home charger yet: mark an employee's charge point below."),
                size="2",
                color=rx.color("gray", 11),
            ),
        ),
        rx.grid(
            rx.foreach(R.rows, _employee),
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.text(
            t(
                "Counted: sessions on the employee's home charger(s), started with the employee's "
                "own cards, stopped in the month (your billing time zone); kWh x the employee's "
                "rate, rounded half up once on the total."
            ),
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="3",
        width="100%",
    )


# --- the home chargers ---------------------------------------------------------------------


def _remove(row: RowVar) -> rx.Component:
    charge_point = row["id"].to(str)
    return when_allowed(
        F.remove_home_charger,
        rx.button(
            t("Remove"),
            size="1",
            variant="soft",
            color_scheme="red",
            on_click=F.remove_home_charger(charge_point),
            custom_attrs=tid("home-chargers-remove-" + charge_point),
        ),
    )


def home_chargers_list() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Home chargers"), size="4"),
        data_list(
            L,
            columns=[
                Column("employee", t("Employee")),
                Column("charge_point", t("Charge point")),
                Column("station", t("Station")),
                Column("rate", t("Rate"), sortable=False),
                Column("since", t("Since")),
            ],
            testid="home-chargers",
            empty_text=t("No home charger yet."),
            search_placeholder=t("Search employee or charge point…"),
            toolbar=[
                when_allowed(
                    F.save,
                    rx.button(
                        rx.icon("plus", size=14),
                        t("Add home charger"),
                        on_click=F.open_new,
                        custom_attrs=tid("home-chargers-new"),
                    ),
                )
            ],
            actions=_remove,
        ),
        spacing="3",
        width="100%",
    )


def _input(name: str, label: Text, hint: Text = "", **props: Any) -> rx.Component:
    return value_input(F, name, label, "home-charger", hint, **props)


def home_charger_dialog() -> rx.Component:
    return dialog(
        F.open,
        F.set_open,
        t("Add home charger"),
        dialog_body(
            _input("charge_point", t("Charge point"), t("Its OCPP identity, e.g. CP-0042")),
            _input("employee", t("Employee"), t("The driver's e-mail (or exact name)")),
            rx.grid(
                _input("rate_per_kwh", t("Rate per kWh"), t("e.g. 0.32")),
                _input("currency", t("Currency"), t("Empty: your billing currency"), max_length=3),
                _input("since", t("Since"), t("Empty: today"), type="date"),
                columns=rx.breakpoints(initial="1", sm="3"),
                spacing="3",
                width="100%",
            ),
            dialog_buttons(
                F.close_form, t("Save"), F.busy, "home-charger-save", t("Close"), on_click=F.save
            ),
        ),
        description=t(
            "A charge point at an employee's home: their own cards' sessions there are "
            "reimbursed at their electricity rate."
        ),
        testid="home-charger-dialog",
        max_width="620px",
    )
