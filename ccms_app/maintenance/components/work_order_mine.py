"""'My work orders': the signed-in technician's unfinished work orders as big cards, most
urgent first (the overview and the work order list put it on top). Its page's on_load
needs `MyWorkOrdersState.load`."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.maintenance.components.work_order_badges import priority_badge, status_badge
from ccms_app.maintenance.state.work_orders import MyWorkOrdersState as Mine
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import t, t_var, t_with


def _card(row: ObjectVar[dict[str, str]]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    status_badge(row["status"], t_var(row["status_text"])),
                    priority_badge(row["priority"], t_var(row["priority_text"])),
                    rx.cond(row["overdue"] != "", rx.badge(t("overdue"), color_scheme="red")),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(row["title"], size="3", weight="bold", overflow_wrap="anywhere"),
                rx.text(
                    row["charge_point"],
                    rx.cond(row["station"] != "", " · " + row["station"].to(str), ""),
                    size="2",
                    color=rx.color("gray", 11),
                    overflow_wrap="anywhere",
                ),
                rx.cond(
                    row["due"] != "",
                    rx.text(
                        t_with("Due {due}", due=row["due"]),
                        size="1",
                        color=rx.color("gray", 10),
                    ),
                ),
                spacing="2",
                width="100%",
                min_width="0",
            ),
            width="100%",
            size="2",
        ),
        href="/maintenance/work-orders/" + row["id"].to(str),
        underline="none",
        width="100%",
        custom_attrs={"data-testid": "my-work-order"},
    )


LIST_ROUTE = "/maintenance/work-orders"


def _nothing_assigned(list_below: bool) -> rx.Component:
    """Where to find one to claim: the list under it, or (elsewhere) a link to the list."""
    if list_below:
        return empty_note(t("Nothing assigned to you: claim one from the list below."))
    return rx.text(
        rx.link(
            t("Nothing assigned to you: claim one from the work order list."),
            href=LIST_ROUTE,
            custom_attrs={"data-testid": "my-wo-list"},
        ),
        size="2",
        color=rx.color("gray", 10),
        padding_y="8px",
    )


def my_work_orders_section(*, list_below: bool = False) -> rx.Component:
    """`list_below`: the page shows every work order under this section."""
    return section(
        t("My work orders"),
        rx.cond(
            Mine.rows.length() > 0,
            rx.grid(
                rx.foreach(Mine.rows, _card),
                columns=rx.breakpoints(initial="1", md="2", xl="3"),
                spacing="3",
                width="100%",
            ),
            _nothing_assigned(list_below),
        ),
    )
