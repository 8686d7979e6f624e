"""Badges whose colour says the state at a glance (connector status, connection, registration)."""

from __future__ import annotations

import reflex as rx

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

REGISTRATION_COLOURS: dict[str, str] = {
    "registered": "green",
    "unregistered": "orange",
    "disabled": "gray",
}

WARNING_COLOURS: dict[str, str] = {
    "fault": "red",
    "error": "amber",
    "offline": "gray",
    "unregistered": "orange",
    "data": "violet",
}


def _colour(value: rx.Var, colours: dict[str, str], default: str = "gray") -> rx.Var:
    return rx.match(value, *colours.items(), default)


def status_badge(status: rx.Var, label: rx.Var | str | None = None, **props) -> rx.Component:
    """A connector / charge point status, coloured by status."""
    return rx.badge(
        label if label is not None else status,
        color_scheme=_colour(status, STATUS_COLOURS),
        variant="soft",
        radius="full",
        **props,
    )


def online_badge(online: rx.Var, **props) -> rx.Component:
    return rx.cond(
        online,
        rx.badge(
            rx.icon("wifi", size=12), "Online", color_scheme="green", variant="surface", **props
        ),
        rx.badge(
            rx.icon("wifi-off", size=12), "Offline", color_scheme="gray", variant="surface", **props
        ),
    )


def registration_badge(state: rx.Var, **props) -> rx.Component:
    return rx.badge(
        state, color_scheme=_colour(state, REGISTRATION_COLOURS), variant="outline", **props
    )


def warning_badge(kind: rx.Var, **props) -> rx.Component:
    return rx.badge(kind, color_scheme=_colour(kind, WARNING_COLOURS), variant="solid", **props)
