"""The configuration section of a charge point page: keys, values, read-only marks, edit."""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.state.configuration import ChargePointConfigState as Config
from ccms_app.monitoring.charge_point_view import ConfigRow
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState as Live
from ccms_app.ui.cards import empty_note
from ccms_app.ui.i18n import t
from ccms_app.ui.inputs import text_input
from ccms_app.ui.permissions import allowed, when_allowed
from ccms_app.ui.table import cell, data_table


def _message() -> rx.Component:
    return rx.cond(
        Config.message != "",
        rx.callout(
            Config.message,
            icon=rx.cond(Config.message_ok, "circle-check", "info"),
            color_scheme=rx.cond(Config.message_ok, "green", "red"),
            size="1",
            width="100%",
            custom_attrs={"data-testid": "config-message"},
        ),
    )


def _editor(row: ObjectVar[ConfigRow]) -> rx.Component:
    return rx.hstack(
        text_input(
            value=Config.edit_value,
            on_change=Config.set_edit_value,
            max_length=500,
            size="1",
            min_width="140px",
            custom_attrs={"data-testid": "config-edit-value"},
        ),
        rx.button(
            t("Save"),
            size="1",
            on_click=Config.save,
            loading=Config.saving,
            custom_attrs={"data-testid": "config-save"},
        ),
        rx.button(
            t("Cancel"), size="1", variant="soft", color_scheme="gray", on_click=Config.cancel_edit
        ),
        spacing="1",
        align="center",
    )


def _value(row: ObjectVar[ConfigRow]) -> rx.Component:
    return rx.cond(
        Config.editing_key == row.key,
        _editor(row),
        rx.hstack(
            rx.text(row.value, size="2", white_space="pre-wrap", word_break="break-all"),
            rx.cond(
                Config.reboot_keys.contains(row.key),
                rx.badge(t("reboot required"), color_scheme="amber"),
            ),
            spacing="2",
            align="center",
        ),
    )


def _action(row: ObjectVar[ConfigRow]) -> rx.Component:
    return rx.cond(
        row.readonly,
        rx.badge(rx.icon("lock", size=12), t("read-only"), color_scheme="gray", variant="soft"),
        rx.cond(
            (Config.editing_key != row.key) & allowed(Config.save),
            rx.button(
                rx.icon("pencil", size=12),
                t("Edit"),
                size="1",
                variant="soft",
                on_click=Config.start_edit(row.key),
                custom_attrs={"data-testid": f"config-edit-{row.key}"},
            ),
        ),
    )


def _row(row: ObjectVar[ConfigRow]) -> rx.Component:
    return rx.table.row(
        cell(rx.text(row.key, weight="medium", size="2")),
        rx.table.cell(_value(row), vertical_align="middle", min_width="180px"),
        cell(_action(row)),
        cell(rx.text(row.updated, size="1")),
        custom_attrs={"data-testid": f"config-row-{row.key}"},
    )


def configuration_section() -> rx.Component:
    return rx.vstack(
        rx.flex(
            rx.text(
                t(
                    "What the charge point last reported or accepted. "
                    "Read-only keys can only be read."
                ),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.spacer(),
            when_allowed(
                Config.fetch,
                rx.button(
                    rx.icon("download", size=14),
                    t("Fetch from charge point"),
                    on_click=Config.fetch,
                    loading=Config.fetching,
                    variant="soft",
                    custom_attrs={"data-testid": "config-fetch"},
                ),
            ),
            width="100%",
            align="center",
            wrap="wrap",
            gap="8px",
        ),
        _message(),
        rx.cond(
            Live.configuration.length() > 0,
            data_table(
                [t("Key"), t("Value"), "", t("Updated")],
                Live.configuration,
                _row,
                testid="config-table",
            ),
            empty_note(t("No configuration stored yet: fetch it from the charge point.")),
        ),
        spacing="3",
        width="100%",
    )
