"""Data tables that scroll sideways on a narrow screen instead of squeezing their columns."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import reflex as rx


def data_table(
    headers: Sequence[str | rx.Var[str]],
    rows: rx.Var | Iterable[Any],
    render_row: Callable[[Any], rx.Component],
    testid: str = "",
    **props: Any,
) -> rx.Component:
    """`rows` (a state's list) rendered by `render_row`, one table row per item; `headers`
    are text or Vars (`t("...")`)."""
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
        custom_attrs={"data-testid": testid} if testid else {},
        **props,
    )


def cell(*children: rx.Component | rx.Var | str, **props: Any) -> rx.Component:
    return rx.table.cell(*children, white_space="nowrap", vertical_align="middle", **props)
