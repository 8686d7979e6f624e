"""The tariff list and the "Which tariff applies?" tool of /finance/tariffs.

The list is a table that scrolls sideways inside its card on a phone; the tool's fields
stack there. data-testids: tariffs-row-<id>, tariffs-link-<id>, explain-*.
"""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.finance.state.tariffs import TariffExplainState, TariffListState, TariffRow
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.i18n import Text, t, t_var
from ccms_app.ui.inputs import text_input
from ccms_app.ui.table import cell, data_table

HEADERS = [
    t("Name"),
    t("Currency"),
    t("Current version"),
    t("Valid from"),
    t("Assigned to"),
    t("Organisation"),
]


def _tariff_row(item: rx.Var) -> rx.Component:
    row = item.to(ObjectVar, TariffRow)
    return rx.table.row(
        cell(
            rx.hstack(
                rx.link(
                    row.name,
                    href="/finance/tariffs/" + row.id.to(str),
                    weight="medium",
                    custom_attrs={"data-testid": "tariffs-link-" + row.id.to(str)},
                ),
                rx.cond(row.archived, rx.badge(t("archived"), color_scheme="gray", size="1")),
                spacing="2",
                align="center",
            )
        ),
        cell(row.currency),
        cell(row.version),
        cell(row.valid_from),
        cell(rx.text(t_var(row.assigned), size="2", color=rx.color("gray", 11))),
        cell(row.organisation),
        custom_attrs={"data-testid": "tariffs-row-" + row.id.to(str)},
    )


def tariff_list() -> rx.Component:
    s = TariffListState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.el.label(
                    rx.hstack(
                        rx.switch(
                            checked=s.show_archived,
                            on_change=s.set_show_archived,
                            size="1",
                            custom_attrs={"data-testid": "tariffs-show-archived"},
                        ),
                        rx.text(t("Show archived"), size="2"),
                        spacing="2",
                        align="center",
                    )
                ),
                width="100%",
                justify="end",
            ),
            rx.cond(
                s.rows.length() > 0,
                data_table(HEADERS, s.rows, _tariff_row, "tariffs"),
                rx.cond(
                    s.loaded,
                    empty_note(
                        t(
                            "No tariffs yet: sessions are not billed until a tariff applies. "
                            "Make one with New tariff, then assign it."
                        )
                    ),
                    rx.center(rx.spinner(), width="100%", padding="16px"),
                ),
            ),
            rx.cond(s.error != "", rx.text(s.error, size="2", color=rx.color("red", 11))),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _labelled(label: Text, child: rx.Component, **props: object) -> rx.Component:
    return rx.el.label(
        rx.text(label, size="1", weight="medium", color=rx.color("gray", 11)),
        child,
        display="flex",
        flex_direction="column",
        gap="2px",
        **props,
    )


def _charge_point_picker() -> rx.Component:
    s = TariffExplainState
    return rx.vstack(
        _labelled(
            t("Charge point (search by identity)"),
            text_input(
                value=s.cp_search,
                on_change=s.search_charge_points.debounce(300),
                placeholder=t("e.g. CP-001"),
                custom_attrs={"data-testid": "explain-cp-search"},
            ),
            width="100%",
        ),
        rx.select.root(
            rx.select.trigger(
                placeholder=t("Choose a charge point"),
                width="100%",
                custom_attrs={"data-testid": "explain-cp"},
            ),
            rx.select.content(rx.foreach(s.cp_options, lambda o: rx.select.item(o[1], value=o[0]))),
            value=s.charge_point_id,
            on_change=s.choose_charge_point,
        ),
        spacing="1",
        width=["100%", "100%", "260px"],
    )


def _answer() -> rx.Component:
    s = TariffExplainState
    return rx.cond(
        s.answered,
        rx.callout(
            rx.cond(
                s.applies,
                rx.vstack(
                    rx.link(
                        rx.text.strong(s.answer_tariff),
                        href="/finance/tariffs/" + s.answer_tariff_id,
                    ),
                    rx.text(s.answer_version, size="2"),
                    rx.text(t("Why: "), s.answer_reason, size="2"),
                    spacing="1",
                ),
                rx.text(t_var(cast(rx.Var, s.answer_reason))),
            ),
            icon=rx.cond(s.applies, "badge-check", "circle-slash"),
            color_scheme=rx.cond(s.applies, "teal", "orange"),
            width="100%",
            custom_attrs={"data-testid": "explain-answer"},
        ),
    )


def explain_tool() -> rx.Component:
    """Charge point, connector, id tag and moment -> the tariff, its version and why."""
    s = TariffExplainState
    return section(
        t("Which tariff applies?"),
        rx.text(
            t(
                "Most specific first: the driver of the id tag, the card's (or driver's) group, "
                "the connector, the charge point, its station, then the network default."
            ),
            size="2",
            color=rx.color("gray", 11),
        ),
        rx.card(
            rx.vstack(
                rx.flex(
                    _charge_point_picker(),
                    _labelled(
                        t("Connector"),
                        rx.select(
                            s.connector_options,
                            value=s.connector_id,
                            on_change=s.set_connector_id,
                            placeholder="—",
                            custom_attrs={"data-testid": "explain-connector"},
                        ),
                        width=["100%", "100%", "110px"],
                    ),
                    _labelled(
                        t("Id tag (optional)"),
                        text_input(
                            value=s.id_tag,
                            on_change=s.set_id_tag,
                            placeholder=t("RFID uid"),
                            custom_attrs={"data-testid": "explain-id-tag"},
                        ),
                        width=["100%", "100%", "180px"],
                    ),
                    _labelled(
                        t("Session start (empty: now)"),
                        text_input(
                            type="datetime-local",
                            value=s.at,
                            on_change=s.set_at,
                            custom_attrs={"data-testid": "explain-at"},
                        ),
                        width=["100%", "100%", "210px"],
                    ),
                    _labelled(
                        t("Time zone"),
                        text_input(
                            value=s.time_zone,
                            on_change=s.set_time_zone,
                            custom_attrs={"data-testid": "explain-zone"},
                        ),
                        width=["100%", "100%", "160px"],
                    ),
                    direction=rx.breakpoints(initial="column", md="row"),
                    gap="8px",
                    align=rx.breakpoints(initial="stretch", md="end"),
                    wrap="wrap",
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("search-check", size=14),
                        t("Explain"),
                        on_click=s.explain,
                        custom_attrs={"data-testid": "explain-run"},
                    ),
                    rx.cond(
                        s.error != "",
                        rx.text(
                            s.error,
                            size="2",
                            color=rx.color("red", 11),
                            custom_attrs={"data-testid": "explain-error"},
                        ),
                    ),
                    align="center",
                    spacing="3",
                    wrap="wrap",
                ),
                _answer(),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )
