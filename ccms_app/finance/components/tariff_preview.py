"""The preview calculator: describe a session, see what the tariff being edited charges.

The cost table scrolls sideways inside its card on a phone; the description's fields stack.
data-testids: preview-<field>, preview-run, preview-lines, preview-total-*.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.finance.state.tariff_preview import CostRow, TariffPreviewState
from ccms_app.ui.cards import section
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.inputs import text_input
from ccms_app.ui.table import cell, data_table

P = TariffPreviewState
# The state's dict fields as the ObjectVars they are on the page (mypy sees the dicts).
ERRORS = cast(ObjectVar[dict[str, str]], P.errors)
VALUES = cast(ObjectVar[dict[str, str]], P.values)
HEADERS = [
    t("Dimension"),
    t("Fee"),
    t("From - to"),
    t("Quantity"),
    t("Unit price"),
    t("VAT"),
    t("Amount excl. VAT"),
]


def _field(label: Text, name: str, placeholder: Text = "", **props: Any) -> rx.Component:
    kind = props.pop("type", "text")
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="1", weight="medium", color=rx.color("gray", 11)),
            text_input(
                value=VALUES.get(name, "").to(str),
                on_change=lambda value: P.set_value(name, value),
                placeholder=placeholder,
                type=kind,
                color_scheme=rx.cond(ERRORS.contains(name), "red", "gray"),
                width="100%",
                custom_attrs={"data-testid": f"preview-{name}"},
            ),
            display="flex",
            flex_direction="column",
            gap="2px",
            width="100%",
        ),
        rx.cond(
            ERRORS.contains(name),
            rx.text(
                ERRORS[name],
                size="1",
                color=rx.color("red", 11),
                custom_attrs={"data-testid": f"preview-{name}-error"},
            ),
        ),
        spacing="1",
        width=props.pop("width", ["100%", "160px"]),
        **props,
    )


def _cost_row(item: rx.Var) -> rx.Component:
    line = item.to(ObjectVar, CostRow)
    return rx.table.row(
        cell(t_var(line.dimension)),
        cell(t_var(line.fee)),
        cell(line.period),
        cell(line.quantity),
        cell(line.unit_price),
        cell(t_var(line.vat)),
        cell(rx.text(line.amount, weight="medium")),
    )


def _total(label: Text, value: rx.Var, testid: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(value, size="4", weight="bold", custom_attrs={"data-testid": testid}),
        spacing="0",
    )


def _result() -> rx.Component:
    return rx.cond(
        P.priced,
        rx.vstack(
            rx.text(P.summary, size="2", color=rx.color("gray", 11)),
            data_table(HEADERS, P.lines, _cost_row, "preview-lines"),
            rx.flex(
                _total(t("Total excl. VAT"), P.total_excl, "preview-total-excl"),
                _total(t("VAT"), P.total_vat, "preview-total-vat"),
                _total(t("Total incl. VAT"), P.total_incl, "preview-total-incl"),
                gap="24px",
                wrap="wrap",
            ),
            rx.foreach(P.notes, lambda note: rx.text(note, size="1", color=rx.color("gray", 10))),
            spacing="3",
            width="100%",
        ),
    )


def preview_section() -> rx.Component:
    """Describe a session (in the chosen zone) -> the engine's lines and totals."""
    return section(
        t("Preview a session"),
        rx.card(
            rx.vstack(
                rx.text(
                    t(
                        "Priced with the fees as edited above, not yet saved. Times are read in "
                        "the zone given here, as a station in that zone would."
                    ),
                    size="2",
                    color=rx.color("gray", 11),
                ),
                rx.flex(
                    _field(t("Start"), "start", type="datetime-local", width=["100%", "210px"]),
                    _field(t("Time zone"), "time_zone", t("Europe/Berlin")),
                    _field(t("Charging (minutes)"), "duration_minutes", "120"),
                    _field(t("Energy (kWh)"), "energy_kwh", t("from power")),
                    _field(t("Constant power (kW)"), "power_kw", t("unknown")),
                    _field(
                        t("Power profile (minutes:kW; ...)"),
                        "power_profile",
                        "30:22; 60:11",
                        width=["100%", "220px"],
                    ),
                    _field(t("Idle after (minutes)"), "idle_minutes", "0"),
                    _field(t("Reserved before (minutes)"), "reserved_minutes", "0"),
                    gap="8px",
                    wrap="wrap",
                    direction=rx.breakpoints(initial="column", sm="row"),
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("calculator", size=14),
                        t("Calculate"),
                        on_click=P.calculate,
                        custom_attrs={"data-testid": "preview-run"},
                    ),
                    rx.cond(
                        P.message != "",
                        rx.text(
                            P.message,
                            size="2",
                            color=rx.color("red", 11),
                            custom_attrs={"data-testid": "preview-message"},
                        ),
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                _result(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
