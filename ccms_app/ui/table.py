"""Data tables that scroll sideways inside their card instead of squeezing their columns or
widening the page. While a table scrolls, its first column (what the row is) stays at the
left edge and an untitled last column (the row's buttons and menu) at the right edge, so a
row can always be named and acted on without scrolling back and forth."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import reflex as rx

# A pinned cell needs an opaque background, or the columns scrolling under it show through:
# the panel's for body cells, the solid twin of the header's translucent gray for headers.
_PINNED = {"position": "sticky", "z_index": "1", "background_color": "var(--color-panel-solid)"}
_PINNED_HEADER = {**_PINNED, "background_color": "var(--gray-2)"}
_RULE = "inset 1px 0 0 var(--gray-a5)"  # where the rows pass under the actions column
PIN_FIRST_COLUMN = {
    "& tr > td:first-child": {**_PINNED, "left": "0"},
    "& tr > th:first-child": {**_PINNED_HEADER, "left": "0"},
}
PIN_LAST_COLUMN = {
    "& tr > td:last-child": {**_PINNED, "right": "0", "box_shadow": _RULE},
    "& tr > th:last-child": {**_PINNED_HEADER, "right": "0", "box_shadow": _RULE},
}


# Radix's surface table clips its <table> (overflow: hidden, for the rounded corners), which
# makes the table itself the box a sticky cell sticks to, and it never scrolls: let the
# table's scroll area (Radix's ScrollArea around it) be that box.
_STICKY_IN_SCROLL_AREA = {"& table": {"overflow": "visible"}}


def pinned_columns(actions_last: bool) -> dict[str, Any]:
    """The style of a table's scrolling box: first column pinned, and the last one too when
    it holds the row's actions."""
    return {
        **_STICKY_IN_SCROLL_AREA,
        **PIN_FIRST_COLUMN,
        **(PIN_LAST_COLUMN if actions_last else {}),
    }


def data_table(
    headers: Sequence[str | rx.Var[str]],
    rows: rx.Var | Iterable[Any],
    render_row: Callable[[Any], rx.Component],
    testid: str = "",
    **props: Any,
) -> rx.Component:
    """`rows` (a state's list) rendered by `render_row`, one table row per item; `headers`
    are text or Vars (`t("...")`). An untitled last header ("") marks the actions column."""
    actions_last = bool(headers) and isinstance(headers[-1], str) and not headers[-1]
    return rx.box(
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    *[rx.table.column_header_cell(h, white_space="nowrap") for h in headers]
                )
            ),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            size="2",
            width="100%",
        ),
        overflow_x="auto",
        width="100%",
        style=pinned_columns(actions_last),
        custom_attrs={"data-testid": testid} if testid else {},
        **props,
    )


def cell(*children: rx.Component | rx.Var | str, **props: Any) -> rx.Component:
    return rx.table.cell(*children, white_space="nowrap", vertical_align="middle", **props)
