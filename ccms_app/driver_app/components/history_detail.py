"""One charging session: where and when, the cost as finance computed it (its breakdown
lines, then the totals) and the receipt. Lines are stacked cards, not a table: 360 px."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.driver_app.components.history_list import MUTED, icon_link, receipt_link, tone_of
from ccms_app.driver_app.state.history import CostLine, DriverSessionState, HistoryRow
from ccms_app.ui.i18n import Text, t


def _row() -> ObjectVar[HistoryRow]:
    return cast(ObjectVar[HistoryRow], DriverSessionState.row)


def fact(label: Text, value: rx.Var[str] | str, testid: str = "") -> rx.Component:
    return rx.cond(
        value != "",
        rx.hstack(
            rx.text(label, size="2", color=MUTED, min_width="38%"),
            rx.text(
                value,
                size="2",
                word_break="break-word",
                custom_attrs={"data-testid": testid} if testid else {},
            ),
            width="100%",
            align="start",
        ),
    )


def _line(line: ObjectVar[CostLine]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.vstack(
                rx.text(line.dimension, size="2", weight="medium"),
                rx.cond(line.fee != "", rx.text(line.fee, size="1", color=MUTED)),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.text(line.amount, size="2", weight="medium", white_space="nowrap"),
            width="100%",
            align="start",
        ),
        rx.text(
            line.quantity,
            rx.cond(line.unit_price != "", " \u00d7 ", ""),
            line.unit_price,
            rx.cond(line.vat != "", " · ", ""),
            rx.cond(line.vat != "", t("VAT"), ""),
            rx.cond(line.vat != "", " ", ""),
            line.vat,
            size="1",
            color=MUTED,
            word_break="break-word",
        ),
        rx.cond(
            line.period != "",
            rx.text(line.period, size="1", color=MUTED, word_break="break-word"),
        ),
        padding_y="8px",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        custom_attrs={"data-testid": "history-line"},
    )


def _sum(label: Text, value: rx.Var[str] | str) -> rx.Component:
    return rx.hstack(
        rx.text(label, size="2", color=MUTED),
        rx.spacer(),
        rx.text(value, size="2"),
        width="100%",
    )


def _totals() -> rx.Component:
    s = DriverSessionState
    return rx.vstack(
        _sum(t("Total excl. VAT"), s.total_excl),
        _sum(t("VAT"), s.vat),
        rx.hstack(
            rx.text(t("Total"), size="3", weight="bold"),
            rx.spacer(),
            rx.text(
                s.total_incl,
                size="4",
                weight="bold",
                custom_attrs={"data-testid": "history-detail-total"},
            ),
            width="100%",
            align="center",
        ),
        spacing="1",
        width="100%",
    )


def cost_card() -> rx.Component:
    s = DriverSessionState
    row = _row()
    return rx.card(
        rx.vstack(
            rx.heading(t("Cost"), size="3", as_="h2"),
            rx.cond(
                row.cost_note != "",
                rx.callout(
                    row.cost_note,
                    icon="info",
                    color_scheme=tone_of(row.cost_tone),
                    size="1",
                    width="100%",
                    custom_attrs={"data-testid": "history-detail-note"},
                ),
            ),
            fact(t("Tariff"), s.tariff),
            rx.foreach(s.lines, _line),
            rx.cond(s.total_incl != "", _totals()),
            rx.cond(
                row.paid != "",
                rx.text(row.paid, size="2", custom_attrs={"data-testid": "history-paid"}),
            ),
            receipt_link(row),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def facts_card() -> rx.Component:
    s = DriverSessionState
    row = _row()
    return rx.card(
        rx.vstack(
            rx.heading(row.station, size="4", as_="h2", word_break="break-word"),
            fact(t("Charger"), row.charge_point),
            fact(t("Connector"), row.connector),
            fact(t("Started"), row.started),
            fact(t("Stopped"), s.stopped),
            fact(t("Duration"), row.duration),
            fact(t("Energy"), row.energy, "history-detail-energy"),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def back_to_history() -> rx.Component:
    return icon_link("arrow-left", t("History"), "/app/history")


def session_detail() -> rx.Component:
    s = DriverSessionState
    return rx.vstack(
        back_to_history(),
        rx.cond(
            s.found,
            rx.vstack(facts_card(), cost_card(), spacing="3", width="100%"),
            rx.cond(
                s.loaded,
                rx.callout(
                    t("This charging session does not exist."),
                    icon="circle-alert",
                    color_scheme="gray",
                    width="100%",
                    custom_attrs={"data-testid": "history-not-found"},
                ),
            ),
        ),
        spacing="3",
        width="100%",
    )
