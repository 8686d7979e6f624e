"""The tariff editor's sections around the fee rows: name and owner, tariff-wide limits,
when the new prices start, Save, the read-only JSON of API-made tariffs, the versions.

Fields of TariffEditorState.fields show their errors under them (errors[name]); data-testids
are "tariff-<field>".
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.finance.components.tariff_rows import fee_rows
from ccms_app.finance.rules.fee_types import ROUNDINGS
from ccms_app.finance.state.tariff_editor import LATER, NOW, TariffEditorState, VersionRow
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.inputs import text_area, text_input
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.table import cell, data_table

S = TariffEditorState
# The state's dict fields as the ObjectVars they are on the page (mypy sees the dicts).
ERRORS = cast(ObjectVar[dict[str, str]], S.errors)
FIELDS = cast(ObjectVar[dict[str, str]], S.fields)


def _error(name: str) -> rx.Component:
    return rx.cond(
        ERRORS.contains(name),
        rx.text(
            ERRORS[name],
            size="1",
            color=rx.color("red", 11),
            custom_attrs={"data-testid": f"tariff-{name}-error"},
        ),
    )


def _labelled(label: Text, name: str, child: rx.Component, **props: Any) -> rx.Component:
    return rx.vstack(
        rx.el.label(
            rx.text(label, size="2", weight="medium"),
            child,
            display="flex",
            flex_direction="column",
            gap="4px",
            width="100%",
        ),
        _error(name),
        spacing="1",
        **props,
    )


def _field_input(label: Text, name: str, placeholder: Text = "", **props: Any) -> rx.Component:
    """A tariff-wide field (fields[name])."""
    return _labelled(
        label,
        name,
        text_input(
            value=FIELDS[name],
            on_change=lambda value: S.set_field(name, value),
            placeholder=placeholder,
            color_scheme=rx.cond(ERRORS.contains(name), "red", "gray"),
            width="100%",
            custom_attrs={"data-testid": f"tariff-{name}"},
        ),
        **props,
    )


def _narrow(*children: rx.Component) -> rx.Component:
    return rx.flex(
        *children,
        gap="12px",
        wrap="wrap",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
    )


def identity_section() -> rx.Component:
    """Name, description, owner and currency."""
    return rx.card(
        rx.vstack(
            _narrow(
                _labelled(
                    t("Name"),
                    "name",
                    text_input(
                        value=S.name,
                        on_change=S.set_name,
                        width="100%",
                        custom_attrs={"data-testid": "tariff-name"},
                    ),
                    width=["100%", "320px"],
                ),
                _field_input(t("Currency"), "currency", t("EUR"), width=["100%", "100px"]),
                rx.cond(
                    S.is_new & (S.organisation_options.length() > 1),
                    _labelled(
                        t("Organisation"),
                        "organisation_id",
                        rx.select.root(
                            rx.select.trigger(width="100%"),
                            rx.select.content(
                                rx.foreach(
                                    S.organisation_options,
                                    lambda o: rx.select.item(o[1], value=o[0]),
                                )
                            ),
                            value=S.organisation_id,
                            on_change=S.set_organisation_id,
                        ),
                        width=["100%", "240px"],
                    ),
                ),
            ),
            _labelled(
                t("Description"),
                "description",
                text_area(
                    value=S.description,
                    on_change=S.set_description,
                    rows="2",
                    width="100%",
                    custom_attrs={"data-testid": "tariff-description"},
                ),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def limits_section() -> rx.Component:
    """Idle grace and cap, min / max price, rounding."""
    return section(
        t("Idle fee, limits and rounding"),
        rx.card(
            rx.vstack(
                _narrow(
                    _field_input(t("Idle grace (minutes)"), "idle_grace_minutes", t("e.g. 15")),
                    _field_input(t("Idle fee cap excl. VAT"), "idle_fee_cap", t("none")),
                ),
                _narrow(
                    _field_input(t("Minimum price excl. VAT"), "min_price", t("none")),
                    _field_input(t("incl. VAT"), "min_price_incl", t("optional")),
                    _field_input(t("Maximum price excl. VAT"), "max_price", t("none")),
                    _field_input(t("incl. VAT"), "max_price_incl", t("optional")),
                ),
                _labelled(
                    t("Rounding of the totals to the currency's minor unit"),
                    "rounding",
                    rx.select.root(
                        rx.select.trigger(
                            width="100%", custom_attrs={"data-testid": "tariff-rounding"}
                        ),
                        rx.select.content(
                            *[
                                rx.select.item(t(label), value=key)
                                for key, label in ROUNDINGS.items()
                            ]
                        ),
                        value=FIELDS["rounding"],
                        on_change=lambda value: S.set_field("rounding", value),
                    ),
                    width=["100%", "320px"],
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def validity_and_save() -> rx.Component:
    """When new prices start (now or later, never the past) and Save."""
    return rx.card(
        rx.vstack(
            rx.text(
                t("New prices become a new version: sessions that started before keep theirs."),
                size="2",
                color=rx.color("gray", 11),
            ),
            rx.flex(
                rx.radio_group.root(
                    rx.flex(
                        rx.radio_group.item(value=NOW),
                        rx.text(t("Valid from now"), size="2"),
                        rx.radio_group.item(value=LATER),
                        rx.text(t("from a later moment"), size="2"),
                        gap="8px",
                        align="center",
                        wrap="wrap",
                    ),
                    value=S.valid_mode,
                    on_change=S.set_valid_mode,
                    custom_attrs={"data-testid": "tariff-valid-mode"},
                ),
                rx.cond(
                    S.valid_mode == LATER,
                    rx.flex(
                        _labelled(
                            t("Valid from"),
                            "valid_from",
                            text_input(
                                type="datetime-local",
                                value=S.valid_from,
                                on_change=S.set_valid_from,
                                custom_attrs={"data-testid": "tariff-valid-from"},
                            ),
                        ),
                        _labelled(
                            t("Time zone"),
                            "time_zone",
                            text_input(
                                value=S.time_zone,
                                on_change=S.set_time_zone,
                                custom_attrs={"data-testid": "tariff-time-zone"},
                            ),
                        ),
                        gap="8px",
                        wrap="wrap",
                    ),
                ),
                gap="12px",
                wrap="wrap",
                align="end",
                width="100%",
            ),
            rx.cond(
                S.message != "",
                rx.callout(
                    S.message,
                    icon="triangle-alert",
                    color_scheme="red",
                    size="1",
                    width="100%",
                    custom_attrs={"data-testid": "tariff-message"},
                ),
            ),
            when_allowed(
                S.save,
                rx.button(
                    rx.icon("save", size=14),
                    rx.cond(S.is_new, t("Create tariff"), t("Save")),
                    on_click=S.save,
                    custom_attrs={"data-testid": "tariff-save"},
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def prices_section() -> rx.Component:
    """The fee rows, or the read-only JSON of a definition they cannot hold."""
    return section(
        t("Fees"),
        rx.cond(
            S.editable,
            fee_rows(),
            rx.vstack(
                rx.callout(
                    S.read_only_note,
                    icon="lock",
                    color_scheme="orange",
                    width="100%",
                    custom_attrs={"data-testid": "tariff-read-only"},
                ),
                rx.box(
                    rx.code_block(S.definition_json, language="json", wrap_long_lines=True),
                    overflow_x="auto",
                    width="100%",
                    custom_attrs={"data-testid": "tariff-json"},
                ),
                spacing="2",
                width="100%",
            ),
        ),
    )


def _version_row(item: rx.Var) -> rx.Component:
    v = item.to(ObjectVar, VersionRow)
    return rx.table.row(
        cell(
            rx.hstack(
                rx.text(v.number, weight="medium"),
                rx.cond(v.current, rx.badge(t("current"), size="1", color_scheme="teal")),
                spacing="2",
            )
        ),
        cell(v.valid_from),
        cell(v.created_by),
        cell(v.created_at),
    )


def versions_section() -> rx.Component:
    return section(
        t("Versions"),
        rx.cond(
            S.versions.length() > 0,
            data_table(
                [t("Version"), t("Valid from"), t("By"), t("Saved")],
                S.versions,
                _version_row,
                "tariff-versions",
            ),
            empty_note(t("Saved versions appear here.")),
        ),
    )


def archive_button() -> rx.Component:
    return when_allowed(
        S.archive,
        rx.cond(
            ~S.is_new & ~S.archived,
            rx.button(
                rx.icon("archive", size=14),
                t("Archive"),
                variant="soft",
                color_scheme="red",
                on_click=S.set_confirm_archive(True),
                custom_attrs={"data-testid": "tariff-archive"},
            ),
        ),
    )


def archive_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(t_with("Archive {name}?", name=S.name)),
            rx.alert_dialog.description(
                t(
                    "It is no longer offered and its assignments go; sessions priced with it "
                    "keep their price."
                ),
                size="2",
            ),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        t("Archive"),
                        color_scheme="red",
                        on_click=S.archive,
                        custom_attrs={"data-testid": "tariff-archive-confirm"},
                    )
                ),
                justify="end",
                gap="8px",
                margin_top="16px",
            ),
            max_width="440px",
            width="calc(100vw - 24px)",
        ),
        open=S.confirm_archive,
        on_open_change=S.set_confirm_archive,
    )
