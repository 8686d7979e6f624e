"""The top of the Users landing page: one card per Users page, with its count."""

from __future__ import annotations

import reflex as rx

from ccms_app.drivers.components.widgets import users_subnav
from ccms_app.drivers.state.detail import UsersOverviewState
from ccms_app.ui.i18n import Text, t, t_with

ROUTE = "/users"


def _tile(
    label: Text, href: str, icon: str, value: rx.Var[int] | int, note: rx.Component, key: str
) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(
                    rx.icon(icon, size=20),
                    color=rx.color("teal", 11),
                    background=rx.color("teal", 3),
                    border_radius="8px",
                    padding="8px",
                ),
                rx.vstack(
                    rx.text(label, size="2", color=rx.color("gray", 11)),
                    rx.text(
                        value,
                        size="6",
                        weight="bold",
                        custom_attrs={"data-testid": f"users-count-{key}"},
                    ),
                    note,
                    spacing="0",
                ),
                spacing="3",
                align="center",
            ),
            width="100%",
            _hover={"background": rx.color("gray", 3)},
        ),
        href=href,
        underline="none",
        color="inherit",
        width="100%",
    )


def users_overview() -> rx.Component:
    s = UsersOverviewState
    muted = {"size": "1", "color": rx.color("gray", 11)}
    return rx.vstack(
        users_subnav(ROUTE),
        rx.grid(
            _tile(t("Drivers"), "/users/drivers", "user", s.drivers, rx.fragment(), "drivers"),
            _tile(
                t("RFID cards"),
                "/users/id-tags",
                "credit-card",
                s.cards,
                rx.text(t_with("{count} blocked", count=s.blocked), **muted),
                "cards",
            ),
            _tile(t("User groups"), "/users/groups", "users", s.groups, rx.fragment(), "groups"),
            _tile(t("Vehicles"), "/users/vehicles", "car", s.vehicles, rx.fragment(), "vehicles"),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            gap="12px",
            width="100%",
        ),
        spacing="3",
        width="100%",
        on_mount=s.load,
    )
