"""The tariff editor's fee rows: one card per fee (type, unit, price, VAT, step size) with its
restrictions in an expandable part. Cards stack on a phone; fields wrap.

Errors come from TariffEditorState.errors keyed "rows[<index>].<field>" and show under the
field they name. Every control's data-testid is "tariff-row-<index>-<field>".
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar
from reflex.vars.number import NumberVar

from ccms_app.core.i18n import N_
from ccms_app.finance.rules.fee_types import FEE_TYPES, UNIT_LABELS, WEEK
from ccms_app.finance.rules.tariff_types import DayOfWeek
from ccms_app.finance.state.tariff_editor import OPEN, TariffEditorState
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_input

RowVar = ObjectVar[dict[str, str]]
# The state's dict fields as the ObjectVars they are on the page (mypy sees the dicts).
ERRORS = cast(ObjectVar[dict[str, str]], TariffEditorState.errors)
NO_RESERVATION = "RESERVATION"
# The weekday buttons' captions.
DAY_LABELS: dict[str, str] = {
    DayOfWeek.MONDAY: N_("Mon"),
    DayOfWeek.TUESDAY: N_("Tue"),
    DayOfWeek.WEDNESDAY: N_("Wed"),
    DayOfWeek.THURSDAY: N_("Thu"),
    DayOfWeek.FRIDAY: N_("Fri"),
    DayOfWeek.SATURDAY: N_("Sat"),
    DayOfWeek.SUNDAY: N_("Sun"),
}


def _tid(index: rx.Var[int], name: str) -> dict[str, Any]:
    return {"data-testid": "tariff-row-" + index.to_string() + "-" + name}


def row_error(index: rx.Var[int], name: str) -> rx.Var[str]:
    key = "rows[" + index.to_string() + "]." + name
    return ERRORS.get(key, "").to(str)


def _labelled(
    label: str | rx.Var, child: rx.Component, index: rx.Var[int], name: str, **props: Any
) -> rx.Component:
    error = row_error(index, name)
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="1", weight="medium", color=rx.color("gray", 11)),
            child,
            display="flex",
            flex_direction="column",
            gap="2px",
            width="100%",
        ),
        rx.cond(
            error != "",
            rx.text(
                error,
                size="1",
                color=rx.color("red", 11),
                custom_attrs=_tid(index, name + "-error"),
            ),
        ),
        spacing="1",
        **props,
    )


def _input(row: RowVar, index: rx.Var[int], name: str, **props: Any) -> rx.Component:
    return text_input(
        value=row[name],
        on_change=lambda value: TariffEditorState.set_row(index, name, value),
        color_scheme=rx.cond(row_error(index, name) != "", "red", "gray"),
        width="100%",
        custom_attrs=_tid(index, name),
        **props,
    )


def _fee_select(row: RowVar, index: rx.Var[int]) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(width="100%", custom_attrs=_tid(index, "fee")),
        rx.select.content(*[rx.select.item(t(fee.label), value=fee.key) for fee in FEE_TYPES]),
        value=row["fee"],
        on_change=lambda value: TariffEditorState.set_row(index, "fee", value),
    )


def _unit_select(row: RowVar, index: rx.Var[int]) -> rx.Component:
    """The units the row's fee type may be priced in (a match: the options differ per fee)."""

    def select(units: tuple[str, ...]) -> rx.Component:
        return rx.select.root(
            rx.select.trigger(width="100%", custom_attrs=_tid(index, "unit")),
            rx.select.content(*[rx.select.item(t(UNIT_LABELS[u]), value=u) for u in units]),
            value=row["unit"],
            on_change=lambda value: TariffEditorState.set_row(index, "unit", value),
            disabled=len(units) == 1,
        )

    return rx.match(
        row["fee"], *[(fee.key, select(fee.units)) for fee in FEE_TYPES], select(("kwh",))
    )


def _step(row: RowVar, index: rx.Var[int]) -> rx.Component:
    return rx.cond(
        row["unit"] == "session",
        rx.fragment(),
        _labelled(
            rx.cond(row["unit"] == "kwh", t("Step (Wh)"), t("Step (seconds)")),
            _input(row, index, "step_size", placeholder="1"),
            index,
            "step_size",
            width=["100%", "110px"],
        ),
    )


def _main_fields(row: RowVar, index: rx.Var[int]) -> rx.Component:
    return rx.flex(
        _labelled(t("Fee"), _fee_select(row, index), index, "fee", width=["100%", "200px"]),
        _labelled(t("Unit"), _unit_select(row, index), index, "unit", width=["100%", "150px"]),
        _labelled(
            t("Price excl. VAT"),
            _input(row, index, "price", placeholder="0.35", input_mode="decimal"),
            index,
            "price",
            width=["100%", "130px"],
        ),
        _labelled(
            t("VAT %"),
            _input(row, index, "vat", placeholder=t("none"), input_mode="decimal"),
            index,
            "vat",
            width=["100%", "90px"],
        ),
        _step(row, index),
        gap="8px",
        wrap="wrap",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
    )


def _day_toggle(row: RowVar, index: rx.Var[int], day: str) -> rx.Component:
    chosen = row["days"].to(str).contains(day)
    return rx.button(
        t(DAY_LABELS[day]),
        size="1",
        variant=rx.cond(chosen, "solid", "outline"),
        on_click=TariffEditorState.toggle_day(index, day),
        type="button",
        custom_attrs={"data-testid": "tariff-row-" + index.to_string() + "-day-" + day.lower()},
    )


def _pair(
    row: RowVar, index: rx.Var[int], label: Text, low: str, high: str, kind: str = "text"
) -> rx.Component:
    width = ["100%", "150px"]
    return rx.flex(
        _labelled(
            t_with("{label} from", label=label),
            _input(row, index, low, type=kind),
            index,
            low,
            width=width,
        ),
        _labelled(
            t_with("{label} until", label=label),
            _input(row, index, high, type=kind),
            index,
            high,
            width=width,
        ),
        gap="8px",
        direction=rx.breakpoints(initial="column", sm="row"),
        width=["100%", "auto"],
    )


def _reservation(row: RowVar, index: rx.Var[int]) -> rx.Component:
    return rx.cond(
        row["fee"] == "reservation",
        _labelled(
            t("Charged"),
            rx.select.root(
                rx.select.trigger(width="100%", custom_attrs=_tid(index, "reservation")),
                rx.select.content(
                    rx.select.item(t("while reserved"), value="RESERVATION"),
                    rx.select.item(
                        t("when the reservation expires unused"), value="RESERVATION_EXPIRES"
                    ),
                ),
                value=rx.cond(row["reservation"] == "", NO_RESERVATION, row["reservation"]),
                on_change=lambda value: TariffEditorState.set_row(index, "reservation", value),
            ),
            index,
            "reservation",
            width=["100%", "260px"],
        ),
    )


def _restrictions(row: RowVar, index: rx.Var[int]) -> rx.Component:
    return rx.vstack(
        rx.text(
            t(
                "Applies only when all of these hold (empty = no limit). A window may wrap past "
                "midnight (22:00 to 06:00); 'until' values are not included."
            ),
            size="1",
            color=rx.color("gray", 10),
        ),
        rx.flex(
            _pair(row, index, t("Time"), "start_time", "end_time", "time"),
            _pair(row, index, t("Date"), "start_date", "end_date", "date"),
            gap="8px",
            wrap="wrap",
            width="100%",
        ),
        rx.vstack(
            rx.text(t("Weekdays"), size="1", weight="medium", color=rx.color("gray", 11)),
            rx.flex(*[_day_toggle(row, index, d.value) for d in WEEK], gap="4px", wrap="wrap"),
            rx.cond(
                row_error(index, "days") != "",
                rx.text(row_error(index, "days"), size="1", color=rx.color("red", 11)),
            ),
            spacing="1",
        ),
        rx.flex(
            _pair(row, index, t("kWh"), "min_kwh", "max_kwh"),
            _pair(row, index, t("Power (kW)"), "min_power", "max_power"),
            _pair(row, index, t("Minutes"), "min_duration", "max_duration"),
            gap="8px",
            wrap="wrap",
            width="100%",
        ),
        _reservation(row, index),
        spacing="3",
        width="100%",
        padding_top="8px",
        border_top=f"1px dashed {rx.color('gray', 6)}",
    )


def _row_actions(row: RowVar, index: rx.Var[int], count: NumberVar) -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon(rx.cond(row[OPEN] == "true", "chevron-up", "chevron-down"), size=14),
            t("Restrictions"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=TariffEditorState.toggle_open(index),
            type="button",
            custom_attrs=_tid(index, "restrictions"),
        ),
        rx.spacer(),
        rx.icon_button(
            rx.icon("arrow-up", size=14),
            size="1",
            variant="ghost",
            aria_label=t("Move up"),
            disabled=index == 0,
            on_click=TariffEditorState.move_row(index, -1),
            type="button",
            custom_attrs=_tid(index, "up"),
        ),
        rx.icon_button(
            rx.icon("arrow-down", size=14),
            size="1",
            variant="ghost",
            aria_label=t("Move down"),
            disabled=cast(NumberVar, index) == count - 1,
            on_click=TariffEditorState.move_row(index, 1),
            type="button",
            custom_attrs=_tid(index, "down"),
        ),
        rx.icon_button(
            rx.icon("trash-2", size=14),
            size="1",
            variant="ghost",
            color_scheme="red",
            aria_label=t("Remove fee"),
            on_click=TariffEditorState.drop_row(index),
            type="button",
            custom_attrs=_tid(index, "remove"),
        ),
        width="100%",
        align="center",
    )


def fee_row(row: RowVar, index: rx.Var[int]) -> rx.Component:
    count = cast(NumberVar, TariffEditorState.rows.length())
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.badge(cast(NumberVar, index) + 1, variant="soft", color_scheme="gray"),
                rx.text(
                    TariffEditorState.row_summaries[cast(NumberVar, index)],
                    size="1",
                    color=rx.color("gray", 11),
                    custom_attrs=_tid(index, "summary"),
                ),
                align="center",
                spacing="2",
            ),
            _main_fields(row, index),
            rx.cond(row[OPEN] == "true", _restrictions(row, index)),
            _row_actions(row, index, count),
            spacing="2",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "tariff-row-" + index.to_string()},
    )


def fee_rows() -> rx.Component:
    """Every row, the first-match rule, and the buttons adding one row per fee type."""
    s = TariffEditorState
    return rx.vstack(
        rx.callout(
            t(
                "Rows with the same restrictions are charged together (a start fee and an energy "
                "fee both apply). For each kind of price (energy, time, idle, flat) the FIRST row "
                "whose restrictions match wins: put a peak 18:00-22:00 energy row above the "
                "all-day energy row."
            ),
            icon="info",
            size="1",
            width="100%",
        ),
        rx.foreach(s.rows, fee_row),
        rx.cond(
            ERRORS.contains("rows"),
            rx.text(ERRORS["rows"], size="1", color=rx.color("red", 11)),
        ),
        rx.flex(
            *[
                rx.button(
                    rx.icon("plus", size=14),
                    t(fee.label),
                    size="1",
                    variant="soft",
                    on_click=s.add_row(fee.key),
                    type="button",
                    custom_attrs={"data-testid": f"tariff-add-{fee.key}"},
                )
                for fee in FEE_TYPES
            ],
            gap="6px",
            wrap="wrap",
        ),
        spacing="3",
        width="100%",
    )
