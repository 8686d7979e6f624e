"""The recent sessions table, the same on the station page and the charge point page:
transaction, (charge point,) connector, id tag, start, stop, energy, status, flag."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ArrayVar, ObjectVar

from ccms_app.monitoring.session_rows import RecentSessionRow
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import Text, t
from ccms_app.ui.table import cell, data_table


def _status(s: ObjectVar[RecentSessionRow]) -> rx.Component:
    """Active, refused (started, but CCMS refused its id tag: not running), or as stored."""
    return rx.match(
        s.status,
        (
            "active",
            rx.badge(rx.icon("zap", size=12), t("Active"), color_scheme="blue", variant="soft"),
        ),
        (
            "refused",
            rx.tooltip(
                rx.badge(t("Refused"), color_scheme="orange", variant="soft"),
                content=t("CCMS refused its id tag: not counted as running, holds no card"),
            ),
        ),
        (
            "completed",
            rx.badge(t("completed"), color_scheme="gray", variant="soft"),
        ),
        rx.badge(s.status, color_scheme="gray", variant="soft"),
    )


def _flag(s: ObjectVar[RecentSessionRow]) -> rx.Component:
    return rx.cond(
        s.flagged,
        rx.tooltip(
            rx.badge(
                rx.icon("flag", size=12),
                t("Flagged"),
                color_scheme="orange",
                variant="soft",
                custom_attrs={"data-testid": "session-flagged"},
            ),
            content=s.flag_reason,
        ),
        rx.fragment(),
    )


def _row(with_charge_point: bool, testid: str):
    def render(row_var: rx.Var) -> rx.Component:
        s = row_var.to(ObjectVar, RecentSessionRow)
        return rx.table.row(
            cell(s.transaction_id),
            *([cell(s.identity)] if with_charge_point else []),
            cell(s.connector_id),
            cell(s.id_tag),
            cell(s.started),
            cell(s.stopped),
            cell(s.energy),
            cell(_status(s)),
            cell(_flag(s)),
            custom_attrs={"data-testid": f"{testid}-row"},
        )

    return render


def sessions_table(
    rows: ArrayVar, *, with_charge_point: bool, testid: str, empty: Text
) -> rx.Component:
    """`rows`: a list[RecentSessionRow] var; the charge point column only where it varies."""
    headers = [
        t("Transaction"),
        *([t("Charge point")] if with_charge_point else []),
        t("Connector"),
        t("Id tag"),
        t("Started"),
        t("Stopped"),
        t("Energy"),
        t("Status"),
        t("Flag"),
    ]
    return rx.cond(
        rows.length() > 0,
        data_table(headers, rows, _row(with_charge_point, testid), testid=testid),
        empty_note(empty),
    )
