"""The top of a charge point page: what it is (loaded once) and how it is doing (pushed live).

The live part is the charge point's own shared state (monitoring.state.charge_point_feed): its
status row and running sessions, pushed when they change and only while a tab shows the page.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.control.state.charge_point import ChargePointDetailState as Detail
from ccms_app.monitoring.state.charge_point_feed import ChargePointLiveState as Live
from ccms_app.monitoring.view import ChargePointRow, ConnectorCell, SessionRow
from ccms_app.ui.i18n import Text, t, t_with
from ccms_app.ui.status import online_badge, registration_badge, status_badge


def _fact(label: Text, value: rx.Var | str, testid: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", color=rx.color("gray", 11)),
        rx.text(
            value,
            size="2",
            weight="medium",
            word_break="break-all",
            custom_attrs={"data-testid": testid} if testid else {},
        ),
        spacing="0",
        min_width="0",
    )


def identity_card() -> rx.Component:
    return rx.card(
        rx.grid(
            _fact(t("Station"), Detail.station, "cp-station"),
            _fact(t("Vendor"), Detail.vendor, "cp-vendor"),
            _fact(t("Model"), Detail.model, "cp-model"),
            _fact(t("Serial number"), Detail.serial_number, "cp-serial"),
            _fact(t("Firmware"), Detail.firmware_version, "cp-firmware"),
            _fact(t("Meter"), Detail.meter_type),
            _fact(t("Last boot"), Detail.last_boot),
            _fact(t("Firmware status"), Detail.firmware_status),
            columns=rx.breakpoints(initial="2", md="4"),
            spacing="3",
            width="100%",
        ),
        rx.vstack(
            rx.text(
                t("OCPP address (set it in the charger)"), size="1", color=rx.color("gray", 11)
            ),
            rx.code(
                Detail.connect_url,
                variant="ghost",
                word_break="break-all",
                custom_attrs={"data-testid": "cp-connect-url"},
            ),
            spacing="0",
            padding_top="12px",
            min_width="0",
        ),
        width="100%",
    )


def _connector(row: ObjectVar[ChargePointRow], c: ObjectVar[ConnectorCell]) -> rx.Component:
    return rx.hstack(
        rx.text(
            t_with("Connector {connector}", connector=c.connector_id), size="2", weight="medium"
        ),
        status_badge(c.status, custom_attrs={"data-testid": f"cp-connector-{c.connector_id}"}),
        rx.cond(
            (c.error_code != "") & (c.error_code != "NoError"),
            rx.text(c.error_code, size="1", color=rx.color("red", 11)),
        ),
        align="center",
        spacing="2",
        padding="6px 10px",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="8px",
    )


def _session(row_var: rx.Var) -> rx.Component:
    s = row_var.to(ObjectVar, SessionRow)
    return rx.hstack(
        rx.icon("battery-charging", size=16, color=rx.color("blue", 11)),
        rx.text(
            t_with(
                "Transaction {transaction} on connector {connector} · {id_tag} · since {started}",
                transaction=s.transaction_id,
                connector=s.connector_id,
                id_tag=s.id_tag,
                started=s.started,
            ),
            size="2",
        ),
        rx.text(s.energy, " · ", s.power, size="2", weight="medium"),
        rx.cond(
            s.cost != "",
            rx.badge(
                t_with("so far {cost}", cost=s.cost),
                color_scheme="teal",
                variant="soft",
                custom_attrs={"data-testid": f"cp-session-cost-{s.transaction_id}"},
            ),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
        custom_attrs={"data-testid": f"cp-session-{s.transaction_id}"},
    )


def status_card(row: ObjectVar[ChargePointRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                online_badge(row.online, custom_attrs={"data-testid": "cp-online"}),
                registration_badge(row.registration),
                rx.hstack(
                    rx.text(t("Status"), size="1", color=rx.color("gray", 11)),
                    status_badge(row.status, custom_attrs={"data-testid": "cp-status"}),
                    spacing="1",
                    align="center",
                ),
                rx.text(
                    t_with("Last seen {time}", time=row.last_seen),
                    size="1",
                    color=rx.color("gray", 11),
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.cond(
                row.connectors.length() > 0,
                rx.flex(
                    rx.foreach(row.connectors, lambda c: _connector(row, c)),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.text(t("No connector has reported yet."), size="2", color=rx.color("gray", 10)),
            ),
            rx.foreach(Live.running_sessions, _session),
            spacing="3",
            width="100%",
        ),
        width="100%",
        custom_attrs={"data-testid": "cp-live"},
    )


def live_status() -> rx.Component:
    """This charge point's live status (pushed into its own shared state)."""
    return rx.foreach(Live.status, status_card)
