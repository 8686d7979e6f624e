"""Badges whose colour says the state at a glance (connector status, connection, registration).

The values are OCPP's and CCMS's own (filters and links keep using them); the badges show
them in the tab's language (`status_label`, `registration_label`, `warning_label`).
"""

from __future__ import annotations

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.ui.i18n import t

# OCPP 1.6 ChargePointStatus -> Radix colour. Unknown and anything new: gray.
STATUS_COLOURS: dict[str, str] = {
    "Available": "green",
    "Preparing": "cyan",
    "Charging": "blue",
    "SuspendedEVSE": "amber",
    "SuspendedEV": "amber",
    "Finishing": "cyan",
    "Reserved": "purple",
    "Unavailable": "gray",
    "Faulted": "red",
}
# OCPP's status names as a person reads them (the msgid is OCPP's value; English shows it).
STATUS_NAMES: dict[str, str] = {
    "Available": N_("Available"),
    "Preparing": N_("Preparing"),
    "Charging": N_("Charging"),
    "SuspendedEVSE": N_("SuspendedEVSE"),
    "SuspendedEV": N_("SuspendedEV"),
    "Finishing": N_("Finishing"),
    "Reserved": N_("Reserved"),
    "Unavailable": N_("Unavailable"),
    "Faulted": N_("Faulted"),
    "Unknown": N_("Unknown"),
}

REGISTRATION_COLOURS: dict[str, str] = {
    "registered": "green",
    "unregistered": "orange",
    "disabled": "gray",
}
REGISTRATION_NAMES: dict[str, str] = {
    "registered": N_("registered"),
    "unregistered": N_("unregistered"),
    "disabled": N_("disabled"),
}

WARNING_COLOURS: dict[str, str] = {
    "fault": "red",
    "error": "amber",
    "offline": "gray",
    "unregistered": "orange",
    "data": "violet",
}
WARNING_NAMES: dict[str, str] = {
    "fault": N_("fault"),
    "error": N_("error"),
    "offline": N_("offline"),
    "unregistered": N_("unregistered"),
    "data": N_("data"),
}


def _colour(value: rx.Var, colours: dict[str, str], default: str = "gray") -> rx.Var:
    return rx.match(value, *colours.items(), default)


def _named(value: rx.Var | str, names: dict[str, str]) -> rx.Var:
    """`value` in the tab's language when it is one of `names`, else as it is."""
    if not isinstance(value, rx.Var):
        value = rx.Var.create(value)
    return rx.match(value, *[(key, t(name)) for key, name in names.items()], value.to(str))


def status_label(status: rx.Var) -> rx.Var:
    """An OCPP status ("Charging") in the tab's language."""
    return _named(status, STATUS_NAMES)


def registration_label(state: rx.Var) -> rx.Var:
    return _named(state, REGISTRATION_NAMES)


def warning_label(kind: rx.Var) -> rx.Var:
    return _named(kind, WARNING_NAMES)


def status_badge(status: rx.Var, label: rx.Var | str | None = None, **props) -> rx.Component:
    """A connector / charge point status, coloured by status (shown translated unless the
    caller words it: `label`)."""
    return rx.badge(
        label if label is not None else status_label(status),
        color_scheme=_colour(status, STATUS_COLOURS),
        variant="soft",
        radius="full",
        **props,
    )


def online_badge(online: rx.Var, **props) -> rx.Component:
    return rx.cond(
        online,
        rx.badge(
            rx.icon("wifi", size=12), t("Online"), color_scheme="green", variant="surface", **props
        ),
        rx.badge(
            rx.icon("wifi-off", size=12),
            t("Offline"),
            color_scheme="gray",
            variant="surface",
            **props,
        ),
    )


def registration_badge(state: rx.Var, **props) -> rx.Component:
    return rx.badge(
        registration_label(state),
        color_scheme=_colour(state, REGISTRATION_COLOURS),
        variant="outline",
        **props,
    )


def warning_badge(kind: rx.Var, **props) -> rx.Component:
    return rx.badge(
        warning_label(kind),
        color_scheme=_colour(kind, WARNING_COLOURS),
        variant="solid",
        **props,
    )
