"""The OCPP message log viewer: filters, a page of frames, the raw JSON of one, CSV export."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.components.command_form import labelled
from ccms_app.control.state.message_log import ACTION_FILTER, ALL, MessageLogRow
from ccms_app.control.state.message_log import MessageLogState as Log
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import t, t_with
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

TYPE_COLOURS = {"CALL": "blue", "CALLRESULT": "green", "CALLERROR": "red"}


def _filters() -> rx.Component:
    return rx.grid(
        labelled(
            t("Action"),
            rx.select.root(
                rx.select.trigger(width="100%", custom_attrs={"data-testid": "log-action"}),
                rx.select.content(
                    rx.select.item(t("all"), value=ALL),
                    # OCPP's action names: data, the same in every language
                    rx.foreach(
                        rx.Var.create([a for a in ACTION_FILTER if a != ALL]),
                        lambda a: rx.select.item(a, value=a),
                    ),
                ),
                value=Log.action,
                on_change=Log.set_action_filter,
            ),
        ),
        labelled(
            t("Direction"),
            rx.select.root(
                rx.select.trigger(width="100%", custom_attrs={"data-testid": "log-direction"}),
                rx.select.content(
                    rx.select.item(t("in and out"), value="all"),
                    rx.select.item(t("in (charge point → CSMS)"), value="in"),
                    rx.select.item(t("out (CSMS → charge point)"), value="out"),
                ),
                value=Log.direction,
                on_change=Log.set_direction_filter,
            ),
        ),
        labelled(
            t_with("From ({zone})", zone=Log.zone),
            text_input(
                type="datetime-local",
                value=Log.since,
                on_change=Log.set_since.debounce(600),
                width="100%",
                custom_attrs={"data-testid": "log-since"},
            ),
        ),
        labelled(
            t_with("Until ({zone})", zone=Log.zone),
            text_input(
                type="datetime-local",
                value=Log.until,
                on_change=Log.set_until.debounce(600),
                width="100%",
                custom_attrs={"data-testid": "log-until"},
            ),
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
        spacing="3",
        width="100%",
    )


def _toolbar() -> rx.Component:
    return rx.flex(
        rx.text(
            rx.cond(Log.total == 1, t("1 message"), t_with("{count} messages", count=Log.total)),
            size="2",
            custom_attrs={"data-testid": "log-total"},
        ),
        rx.spacer(),
        rx.button(t("Clear filters"), size="1", variant="ghost", on_click=Log.clear_filters),
        rx.button(
            rx.icon("refresh-cw", size=14),
            t("Refresh"),
            size="1",
            variant="soft",
            color_scheme="gray",
            on_click=Log.refresh,
            custom_attrs={"data-testid": "log-refresh"},
        ),
        when_allowed(
            Log.export,
            rx.button(
                rx.icon("file-down", size=14),
                t("Export CSV"),
                size="1",
                variant="soft",
                on_click=Log.export,
                custom_attrs={"data-testid": "log-export"},
            ),
        ),
        align="center",
        gap="8px",
        wrap="wrap",
        width="100%",
    )


def _row(m: ObjectVar[MessageLogRow]) -> rx.Component:
    return rx.table.row(
        cell(m.at),
        cell(rx.text(m.action, weight="medium")),
        cell(
            rx.badge(
                rx.cond(m.direction == "in", t("← in"), t("→ out")),
                color_scheme=rx.cond(m.direction == "in", "iris", "teal"),
                variant="outline",
            )
        ),
        cell(
            rx.badge(
                m.message_type,
                color_scheme=rx.match(m.message_type, *TYPE_COLOURS.items(), "gray"),
                variant="soft",
            )
        ),
        cell(rx.code(m.preview, size="1", variant="ghost"), max_width="420px", overflow="hidden"),
        on_click=Log.open_message(m.id),
        cursor="pointer",
        _hover={"background": rx.color("gray", 3)},
        custom_attrs={"data-testid": "log-row"},
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button(
            rx.icon("chevron-left", size=14),
            t("Newer"),
            size="1",
            variant="soft",
            disabled=Log.page <= 1,
            on_click=Log.previous_page,
            custom_attrs={"data-testid": "log-newer"},
        ),
        rx.text(t_with("Page {page} of {pages}", page=Log.page, pages=Log.pages), size="2"),
        rx.button(
            t("Older"),
            rx.icon("chevron-right", size=14),
            size="1",
            variant="soft",
            disabled=Log.page >= Log.pages,
            on_click=Log.next_page,
            custom_attrs={"data-testid": "log-older"},
        ),
        align="center",
        justify="center",
        width="100%",
        spacing="3",
    )


def _raw_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(Log.open_title, size="3"),
            rx.box(
                rx.el.pre(
                    Log.open_json,
                    font_size="12px",
                    white_space="pre-wrap",
                    word_break="break-all",
                    margin="0",
                ),
                background=rx.color("gray", 2),
                border=f"1px solid {rx.color('gray', 5)}",
                border_radius="6px",
                padding="12px",
                max_height="60vh",
                overflow_y="auto",
                custom_attrs={"data-testid": "log-raw"},
            ),
            rx.flex(
                rx.dialog.close(rx.button(t("Close"), variant="soft", color_scheme="gray")),
                justify="end",
                margin_top="12px",
            ),
            max_width="720px",
            width="calc(100vw - 24px)",
        ),
        open=Log.dialog_open,
        on_open_change=Log.set_dialog_open,
    )


def message_log_section() -> rx.Component:
    return rx.vstack(
        _filters(),
        _toolbar(),
        rx.cond(
            Log.error != "",
            rx.callout(Log.error, icon="triangle-alert", color_scheme="red", size="1"),
        ),
        rx.cond(
            Log.rows.length() > 0,
            rx.vstack(
                data_table(
                    [t("Time"), t("Action"), t("Direction"), t("Type"), t("Frame")],
                    Log.rows,
                    _row,
                    testid="log-table",
                ),
                _pager(),
                spacing="2",
                width="100%",
            ),
            empty_note(t("No message matches.")),
        ),
        _raw_dialog(),
        spacing="3",
        width="100%",
    )
