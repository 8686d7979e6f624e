"""The pieces of Finance -> Settlements: a partner's month (pickers, figures per agreement,
totals, explanations, PDF / CSV links), the agreements list and the agreement dialog.

data-testids: the month `settlement-partner`, `settlement-month`, `settlement-title`,
`settlement-message`, `settlement-agreement-<id>`, `settlement-total-<key>` (sessions,
energy, excl, vat, incl, commission, session_fees, platform_fee, due), `settlement-pdf`,
`settlement-csv`, `settlement-uncovered`; the list's are data_list's with "agreements"
(`agreements-row-<id>`, ...), `agreements-new`, `agreements-edit-<id>`; the dialog
`agreement-dialog`, `agreement-<field>`, `agreement-<field>-error`, `agreement-save`,
`agreement-message`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import N_
from ccms_app.finance.components.common import download_link
from ccms_app.finance.state.settlements import (
    ALL,
    AgreementFormState,
    AgreementListState,
    SettlementState,
)
from ccms_app.ui.data_list import Column, Filter, RowVar, data_list
from ccms_app.ui.dialogs import (
    choice_select,
    dialog,
    dialog_body,
    dialog_buttons,
    labelled,
    tid,
    value_input,
)
from ccms_app.ui.form_fields import field_error, form_message
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import allowed, can

L: Any = AgreementListState
F: Any = AgreementFormState
S: Any = SettlementState
TOTALS = (
    ("sessions", N_("Sessions")),
    ("energy", N_("Energy")),
    ("excl", N_("Income excl. VAT")),
    ("vat", N_("VAT")),
    ("incl", N_("Income incl. VAT")),
    ("commission", N_("Operator commission")),
    ("session_fees", N_("Session fees")),
    ("platform_fee", N_("Platform fee")),
)
FIGURES = (
    ("share", N_("Operator share")),
    ("sessions", N_("Sessions")),
    ("energy", N_("Energy")),
    ("excl", N_("Income excl. VAT")),
    ("commission", N_("Commission")),
    ("session_fees", N_("Session fees")),
    ("platform_fee", N_("Platform fee")),
)


# --- the month -----------------------------------------------------------------------------


def _pickers() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(
                placeholder=t("Partner"), min_width="200px", custom_attrs=tid("settlement-partner")
            ),
            rx.select.content(rx.foreach(S.partners, lambda p: rx.select.item(p[1], value=p[0]))),
            value=S.partner_id,
            on_change=S.set_partner,
        ),
        text_input(
            type="month",
            value=S.month,
            on_change=S.set_month,
            placeholder=t("YYYY-MM"),
            width="170px",
            aria_label=t("Month"),
            custom_attrs=tid("settlement-month"),
        ),
        rx.spacer(),
        rx.cond(
            S.shown & can(Module.FINANCE, Action.EXPORT),
            rx.hstack(
                download_link(t("PDF"), S.pdf_url, "settlement-pdf"),
                download_link(t("CSV"), S.csv_url, "settlement-csv"),
                spacing="4",
            ),
        ),
        gap="8px",
        wrap="wrap",
        align="center",
        width="100%",
    )


def _line(label: str, value: Any, testid: Any = None, bold: bool = False) -> rx.Component:
    """`label`: a message marked N_ (TOTALS, FIGURES)."""
    return rx.hstack(
        rx.text(t(label), size="2", color=rx.color("gray", 11)),
        rx.spacer(),
        rx.text(
            value,
            size="2",
            weight="bold" if bold else "regular",
            white_space="nowrap",
            custom_attrs=tid(testid) if testid is not None else {},
        ),
        width="100%",
        align="center",
        spacing="2",
    )


def _agreement_card(row: RowVar) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["name"], weight="bold", size="3"),
            *[_line(label, row[key]) for key, label in FIGURES],
            rx.hstack(
                rx.text(row["due_label"], size="2", weight="medium"),
                rx.spacer(),
                rx.text(row["due"], size="2", weight="bold", white_space="nowrap"),
                width="100%",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        min_width="0",
        custom_attrs=tid("settlement-agreement-" + row["id"].to(str)),
    )


def _totals() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t("Month total"), weight="bold", size="3"),
            *[_line(label, S.totals[key], f"settlement-total-{key}") for key, label in TOTALS],
            rx.separator(size="4"),
            rx.hstack(
                rx.text(S.totals["due_label"], size="3", weight="bold"),
                rx.spacer(),
                rx.text(
                    S.totals["due"],
                    size="3",
                    weight="bold",
                    white_space="nowrap",
                    color=rx.cond(S.totals["owed"] != "", rx.color("amber", 11), "inherit"),
                    custom_attrs=tid("settlement-total-due"),
                ),
                width="100%",
                align="center",
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
    )


def settlement_panel() -> rx.Component:
    """A partner's month: the same figures the operator and the partner see."""
    return rx.vstack(
        rx.heading(t("Monthly settlement"), size="4"),
        _pickers(),
        rx.cond(
            S.message != "",
            rx.callout(
                S.message,
                icon="info",
                color_scheme="gray",
                size="1",
                width="100%",
                custom_attrs=tid("settlement-message"),
            ),
        ),
        rx.cond(
            S.shown,
            rx.vstack(
                rx.vstack(
                    rx.text(S.title, weight="bold", custom_attrs=tid("settlement-title")),
                    rx.text(S.period, size="2", color=rx.color("gray", 11)),
                    spacing="0",
                ),
                rx.grid(
                    rx.foreach(S.agreements, _agreement_card),
                    _totals(),
                    columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    S.uncovered.length() > 0,
                    rx.callout(
                        rx.vstack(
                            rx.text(t("Covered by no agreement (not settled):"), weight="medium"),
                            rx.foreach(S.uncovered, lambda u: rx.text(u["text"], size="1")),
                            spacing="1",
                        ),
                        icon="triangle-alert",
                        color_scheme="amber",
                        size="1",
                        width="100%",
                        custom_attrs=tid("settlement-uncovered"),
                    ),
                ),
                rx.foreach(
                    S.notes, lambda note: rx.text(note, size="1", color=rx.color("gray", 11))
                ),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        custom_attrs=tid("settlement-panel"),
    )


# --- the agreements ------------------------------------------------------------------------


def _edit(row: RowVar) -> rx.Component:
    return rx.cond(
        L.editable & allowed(F.save),
        rx.button(
            t("Edit"),
            size="1",
            variant="soft",
            on_click=F.open_edit(row["id"].to(str)),
            custom_attrs=tid("agreements-edit-" + row["id"].to(str)),
        ),
    )


def agreements_list() -> rx.Component:
    return rx.vstack(
        rx.heading(t("Revenue-share agreements"), size="4"),
        data_list(
            L,
            columns=[
                Column("name", t("Agreement")),
                Column("partner", t("Partner")),
                Column("station", t("Stations"), sortable=False),
                Column("operator_percent", t("Operator %"), sortable=False),
                Column("fee_per_session_minor", t("Per session")),
                Column("platform_fee_minor", t("Platform fee / month")),
                Column("valid_from", t("Valid")),
            ],
            filters=[
                Filter(
                    "partner_organisation_id",
                    t("Partner"),
                    L.filter_options["partner_organisation_id"],
                )
            ],
            testid="agreements",
            empty_text=t("No agreement yet: make one per partner (a sub-operator) or station."),
            search_placeholder=t("Search agreement, partner or station…"),
            toolbar=[
                rx.cond(
                    L.editable & allowed(F.save),
                    rx.button(
                        rx.icon("plus", size=14),
                        t("New agreement"),
                        on_click=F.open_new,
                        custom_attrs=tid("agreements-new"),
                    ),
                )
            ],
            actions=_edit,
        ),
        spacing="3",
        width="100%",
    )


def _input(name: str, label: Text, hint: Text = "", **props: Any) -> rx.Component:
    return value_input(F, name, label, "agreement", hint, **props)


def _select(name: str, label: Text, options: Any, on_change: Any, **props: Any) -> rx.Component:
    return labelled(
        label,
        choice_select(F.values[name], options, on_change, None, f"agreement-{name}", **props),
        field_error(F, name, "agreement"),
    )


def _stations() -> rx.Component:
    """The station select: "all stations" (the state's first choice, worded here) or one."""

    def item(choice: Any) -> rx.Component:
        return rx.select.item(
            rx.cond(choice[0] == ALL, t("All stations"), choice[1]), value=choice[0]
        )

    return labelled(
        t("Stations"),
        rx.select.root(
            rx.select.trigger(width="100%", custom_attrs=tid("agreement-station_id")),
            rx.select.content(rx.foreach(F.stations, item)),
            value=F.values["station_id"],
            on_change=lambda value: F.set_value("station_id", value),
        ),
        field_error(F, "station_id", "agreement"),
    )


def agreement_dialog() -> rx.Component:
    return dialog(
        F.open,
        F.set_open,
        rx.cond(F.agreement_id != "", t("Edit agreement"), t("New agreement")),
        dialog_body(
            _select(
                "partner_organisation_id",
                t("Partner"),
                F.partners,
                F.set_partner,
                disabled=F.agreement_id != "",
            ),
            _stations(),
            _input("name", t("Name"), max_length=100),
            rx.grid(
                _input("operator_percent", t("Operator share %"), t("Of the income excl. VAT")),
                _input(
                    "currency", t("Currency"), t("The partner's sessions' currency"), max_length=3
                ),
                _input("fee_per_session", t("Fee per session"), t("e.g. 0.30")),
                _input("platform_fee", t("Platform fee per month"), t("e.g. 25.00")),
                _input("valid_from", t("Valid from"), type="date"),
                _input(
                    "valid_until", t("Valid until (last day)"), t("Empty: open-ended"), type="date"
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            form_message(F, "agreement"),
            dialog_buttons(
                F.close_form, t("Save"), F.busy, "agreement-save", t("Close"), on_click=F.save
            ),
        ),
        description=t(
            "What the operator keeps of the partner's charging income. Days are days "
            "in your billing time zone; to change terms from a date on, end this agreement the day "
            "before and make a new one."
        ),
        testid="agreement-dialog",
        max_width="620px",
    )
