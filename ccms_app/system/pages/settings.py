"""System: network settings (unknown charge points, duplicate connections, required
passwords) and the security events of refused charge point connections. The rest of the
module is not built yet and says so."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.system.components.section_links import section_links
from ccms_app.system.state.settings import SecurityEventRow, SystemState
from ccms_app.ui.cards import empty_note, section
from ccms_app.ui.layout import app_shell
from ccms_app.ui.page_header import page_header
from ccms_app.ui.table import cell, data_table

ROUTE = "/system"
TITLE = "System · CCMS"

KIND_COLOURS = {
    "auth_missing": "orange",
    "auth_invalid": "orange",
    "auth_failed": "red",
    "unknown_identity_refused": "gray",
    "auth_required": "orange",
    "duplicate_refused": "red",
    "duplicate_replaced": "amber",
    "invalid_identity": "gray",
    "lookalike_identity": "red",
}


def _explained(control: rx.Component, title: str, explanation: str) -> rx.Component:
    """A control with its title and what choosing it does, all one label."""
    return rx.text(
        rx.flex(
            control,
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(explanation, size="1", color=rx.color("gray", 11)),
                spacing="0",
            ),
            spacing="2",
            align="start",
        ),
        as_="label",
    )


def _policy(
    options: list[tuple[str, str, str]],
    value: Any,
    on_change: Any,
    disabled: Any,
    testid: str,
) -> rx.Component:
    """One network policy: a radio group of (value, title, explanation) options."""
    return rx.radio_group.root(
        rx.vstack(
            *[
                _explained(
                    rx.radio_group.item(value=v, custom_attrs={"data-testid": f"policy-{v}"}),
                    title,
                    explanation,
                )
                for v, title, explanation in options
            ],
            spacing="3",
        ),
        value=value,
        on_change=on_change,
        disabled=disabled,
        custom_attrs={"data-testid": testid},
    )


UNKNOWN_OPTIONS = [
    (
        "pending",
        "Keep them Pending for registration (default)",
        "The charge point is recorded as unregistered and answered Pending until an "
        "operator registers it.",
    ),
    (
        "reject",
        "Refuse them",
        "The connection is refused with HTTP 404 before the websocket opens, and the "
        "attempt is listed under security events.",
    ),
]
DUPLICATE_OPTIONS = [
    (
        "refuse",
        "Refuse it (default)",
        "While a charge point's connection is alive, a second one with its identity and "
        "no password to prove it is refused (HTTP 409) and listed under security "
        "events: it may be an impostor taking the real charger's place.",
    ),
    (
        "replace",
        "Let it replace the live connection",
        "For chargers that reconnect before their old connection has timed out. The "
        "replacement is listed under security events.",
    ),
]


def _unknown_policy() -> rx.Component:
    return _policy(
        UNKNOWN_OPTIONS,
        SystemState.unknown_policy,
        SystemState.set_unknown_policy,
        ~SystemState.can_edit | SystemState.saving,
        "unknown-policy",
    )


def _duplicate_policy() -> rx.Component:
    return _policy(
        DUPLICATE_OPTIONS,
        SystemState.duplicate_policy,
        SystemState.set_duplicate_policy,
        ~SystemState.can_edit,
        "duplicate-policy",
    )


def _authentication_policy() -> rx.Component:
    switch = rx.switch(
        checked=SystemState.auth_required,
        on_change=SystemState.set_auth_required,
        disabled=~SystemState.can_edit,
        custom_attrs={"data-testid": "auth-required"},
    )
    return _explained(
        switch,
        "Every charge point must authenticate",
        "A registered charge point without a password is refused (HTTP 401) until you set "
        "one. Unknown identities follow the choice above.",
    )


def network_settings() -> rx.Component:
    return section(
        "Network settings",
        rx.card(
            rx.vstack(
                rx.text("Charge points with an unknown identity", size="3", weight="bold"),
                _unknown_policy(),
                rx.cond(
                    ~SystemState.can_edit,
                    rx.text(
                        "Only administrators of the network operator can change this.",
                        size="1",
                        color=rx.color("gray", 11),
                    ),
                ),
                rx.cond(
                    SystemState.error != "",
                    rx.callout(SystemState.error, icon="triangle-alert", color_scheme="red"),
                ),
                rx.divider(),
                rx.text(
                    "A second connection for a connected charge point", size="3", weight="bold"
                ),
                _duplicate_policy(),
                rx.divider(),
                rx.text("Charge point passwords", size="3", weight="bold"),
                _authentication_policy(),
                rx.text(
                    "OCPP Security Profile 1 is on per charge point: one with a password must "
                    "send it (HTTP Basic auth, username = its identity) or is refused with HTTP "
                    "401; one without a password connects without authentication. Set, rotate "
                    "or clear a password with the Password button in Live Monitoring, or with ",
                    rx.code("ccms chargepoint set-password"),
                    ".",
                    size="2",
                ),
                rx.text(
                    "OCPP transport: ",
                    rx.cond(
                        SystemState.ocpp_tls,
                        rx.text.strong("TLS (wss://), Security Profile 2"),
                        rx.text.strong("plain ws:// (set CCMS_OCPP_TLS_CERT and _KEY for TLS)"),
                    ),
                    size="2",
                    custom_attrs={"data-testid": "ocpp-transport"},
                ),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
    )


def _event_row(e: ObjectVar[SecurityEventRow]) -> rx.Component:
    return rx.table.row(
        cell(e.at),
        cell(rx.text(e.identity, weight="medium", size="2")),
        cell(e.remote),
        cell(
            rx.badge(
                e.label,
                color_scheme=rx.match(e.kind, *KIND_COLOURS.items(), "gray"),
                variant="soft",
            )
        ),
        rx.table.cell(e.detail, vertical_align="middle"),
        custom_attrs={"data-testid": f"security-event-{e.id}"},
    )


def security_events() -> rx.Component:
    headers = ["Time (UTC)", "Charge point", "Remote address", "Event", "Detail"]
    return section(
        "Security events",
        rx.cond(
            SystemState.events.length() > 0,
            data_table(headers, SystemState.events, _event_row, testid="security-events"),
            empty_note("No refused charge point connection."),
        ),
        right=rx.button(
            rx.icon("refresh-cw", size=14),
            "Refresh",
            size="1",
            variant="soft",
            on_click=SystemState.refresh_events,
            custom_attrs={"data-testid": "security-events-refresh"},
        ),
    )


def not_built_yet() -> rx.Component:
    return rx.callout(
        rx.text(
            rx.text.strong("Not built yet: "),
            "the OCPP message log viewer, system health and the other settings of this module.",
        ),
        icon="construction",
        color_scheme="amber",
        size="1",
        custom_attrs={"data-testid": "not-built"},
    )


def _content() -> rx.Component:
    return rx.cond(
        SystemState.can_view,
        rx.vstack(network_settings(), security_events(), spacing="6", width="100%"),
        rx.callout(
            "Network settings and security events are managed by the network operator.",
            icon="lock",
            color_scheme="gray",
            custom_attrs={"data-testid": "system-not-allowed"},
        ),
    )


def page() -> rx.Component:
    return app_shell(
        ROUTE,
        page_header("System", "Network settings and charger security."),
        section_links(ROUTE),
        rx.box(
            rx.cond(SystemState.loaded, _content(), rx.spinner()),
            width="100%",
            on_mount=SystemState.load,
        ),
        not_built_yet(),
    )
