"""A short list of rows (a state's list of {key: text} dicts) as a table on a desk and as
one card per row on a phone (below the `md` breakpoint): nothing scrolls the page sideways.

Test ids: `<testid>-row-<id>` (table rows), `<testid>-card-<id>` (phone cards),
`<testid>-empty`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import reflex as rx

from ccms_app.ui.data_list import EMPTY, RowVar
from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.viewport import phone_or_wide


@dataclass(frozen=True)
class Col:
    """One column: `render` draws the cell (default: the text, a dash when empty; `words`:
    a text the state marked N_ ("enabled", "every day"), shown in the tab's language)."""

    key: str
    label: Text
    render: Callable[[RowVar], rx.Component] | None = None
    wrap: bool = False  # long text (a reason) may wrap in the table
    words: bool = False


def _cell(col: Col, row: RowVar) -> rx.Component:
    if col.render is not None:
        return col.render(row)
    value = t_var(row[col.key]) if col.words else row[col.key]
    return rx.text(rx.cond(row[col.key] == "", EMPTY, value), size="2")


def _table(
    rows: Any, cols: Sequence[Col], testid: str, actions: Callable[[RowVar], Any] | None
) -> rx.Component:
    def row(r: RowVar) -> rx.Component:
        cells = [
            rx.table.cell(
                _cell(c, r),
                white_space="normal" if c.wrap else "nowrap",
                min_width="160px" if c.wrap else None,
                vertical_align="middle",
            )
            for c in cols
        ]
        if actions is not None:
            cells.append(rx.table.cell(actions(r), white_space="nowrap", vertical_align="middle"))
        return rx.table.row(*cells, custom_attrs=tid(testid, "row", r["id"].to(str)))

    headers = [rx.table.column_header_cell(c.label, white_space="nowrap") for c in cols]
    if actions is not None:
        headers.append(rx.table.column_header_cell(""))
    return rx.box(
        rx.table.root(
            rx.table.header(rx.table.row(*headers)),
            rx.table.body(rx.foreach(rows, row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
    )


def _cards(
    rows: Any, cols: Sequence[Col], testid: str, actions: Callable[[RowVar], Any] | None
) -> rx.Component:
    title, rest = cols[0], cols[1:]

    def card(r: RowVar) -> rx.Component:
        return rx.card(
            rx.vstack(
                rx.box(_cell(title, r), font_weight="bold", overflow_wrap="anywhere"),
                *[
                    rx.hstack(
                        rx.text(c.label, size="1", color=rx.color("gray", 11), min_width="96px"),
                        rx.box(_cell(c, r), min_width="0", overflow_wrap="anywhere"),
                        spacing="2",
                        align="center",
                        width="100%",
                    )
                    for c in rest
                ],
                actions(r) if actions is not None else rx.fragment(),
                spacing="1",
                width="100%",
            ),
            width="100%",
            custom_attrs=tid(testid, "card", r["id"].to(str)),
        )

    return rx.vstack(rx.foreach(rows, card), spacing="2", width="100%")


def rows_view(
    rows: Any,
    cols: Sequence[Col],
    testid: str,
    empty_text: Text,
    actions: Callable[[RowVar], Any] | None = None,
) -> rx.Component:
    """The rows, or `empty_text` when there are none."""
    return rx.cond(
        rows.length() > 0,
        rx.box(
            phone_or_wide(_cards(rows, cols, testid, actions), _table(rows, cols, testid, actions)),
            width="100%",
        ),
        rx.text(
            empty_text, size="2", color=rx.color("gray", 10), custom_attrs=tid(testid, "empty")
        ),
    )


def edit_button(handler: Any, row: RowVar, testid: str, label: Text | None = None) -> rx.Component:
    """A small button calling `handler(row id)`; data-testid `<testid>-<id>`."""
    return rx.button(
        label if label is not None else t("Edit"),
        size="1",
        variant="soft",
        on_click=handler(row["id"]),
        custom_attrs=tid(testid, row["id"].to(str)),
    )
