"""Where the tariff applies: its assignments and the picker adding one.
data-testids: assign-kind, assign-search, assign-target, assign-add, assignment-<id>."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.finance.state.tariff_assign import (
    SEARCHED,
    TARGET_LABELS,
    AssignmentRow,
    TariffAssignState,
)
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import t, t_var
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

A = TariffAssignState


def _row(item: rx.Var) -> rx.Component:
    row = item.to(ObjectVar, AssignmentRow)
    return rx.table.row(
        cell(t_var(row.target)),
        cell(row.label),
        cell(
            when_allowed(
                A.remove,
                rx.button(
                    t("Remove"),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    on_click=A.remove(row.id.to(str)),
                    custom_attrs={"data-testid": "assignment-remove-" + row.id.to(str)},
                ),
            )
        ),
        custom_attrs={"data-testid": "assignment-" + row.id.to(str)},
    )


def _picker() -> rx.Component:
    searched = rx.Var.create(sorted(SEARCHED)).contains(A.target_kind)
    return rx.vstack(
        rx.flex(
            rx.select.root(
                rx.select.trigger(width="100%", custom_attrs={"data-testid": "assign-kind"}),
                rx.select.content(
                    *[rx.select.item(t(label), value=key) for key, label in TARGET_LABELS.items()]
                ),
                value=A.target_kind,
                on_change=A.set_target_kind,
            ),
            rx.cond(
                searched,
                text_input(
                    value=A.search,
                    on_change=A.set_search.debounce(300),
                    placeholder=t("Search…"),
                    custom_attrs={"data-testid": "assign-search"},
                ),
            ),
            rx.select.root(
                rx.select.trigger(
                    placeholder=t("Choose…"),
                    width="100%",
                    custom_attrs={"data-testid": "assign-target"},
                ),
                rx.select.content(
                    rx.foreach(A.target_options, lambda o: rx.select.item(o[1], value=o[0]))
                ),
                value=A.target_id,
                on_change=A.set_target_id,
            ),
            rx.button(
                rx.icon("link", size=14),
                t("Assign"),
                on_click=A.add,
                custom_attrs={"data-testid": "assign-add"},
            ),
            direction=rx.breakpoints(initial="column", md="row"),
            gap="8px",
            width="100%",
        ),
        rx.cond(
            A.error != "",
            rx.text(
                A.error,
                size="2",
                color=rx.color("red", 11),
                custom_attrs={"data-testid": "assign-error"},
            ),
        ),
        spacing="1",
        width="100%",
    )


def assignments_section() -> rx.Component:
    return section(
        t("Assigned to"),
        rx.text(
            t(
                "The most specific assignment wins: driver, group, connector, charge point, "
                "station, network default. Assigning a target that has a tariff replaces it."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        when_allowed(A.add, _picker()),
        rx.cond(
            A.rows.length() > 0,
            data_table([t("Kind"), t("Target"), ""], A.rows, _row, "tariff-assignments"),
            empty_note(t("Not assigned: this tariff prices no session yet.")),
        ),
    )
