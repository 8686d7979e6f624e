"""Navigation to every module: a sidebar on desktop, a top bar with a drawer on phones."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import reflex as rx
from reflex.event import EventCallback, EventHandler

from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import brand_mark
from ccms_app.core.i18n import N_
from ccms_app.ui.i18n import language_select, t
from ccms_app.ui.permissions import can

SIDEBAR_WIDTH = "232px"

# Events that run before the logout itself: modules whose states outlive one page (the shared
# live views a tab links to) register their "leave" here, so ui/ does not import them.
_BEFORE_LOGOUT: list[EventHandler | EventCallback[()]] = []


def run_before_logout(handler: EventHandler | EventCallback[()]) -> None:
    """Register `handler` to run (in registration order) when an operator logs out."""
    if handler not in _BEFORE_LOGOUT:
        _BEFORE_LOGOUT.append(handler)


# Small components beside the brand on every page (the alarm bell): the composition root
# registers them, so ui/ does not import the modules they come from.
_HEADER_WIDGETS: list[Callable[[], rx.Component]] = []


def register_header_widget(factory: Callable[[], rx.Component]) -> None:
    """Show `factory()` beside the brand, in the sidebar and in the phone's top bar."""
    if factory not in _HEADER_WIDGETS:
        _HEADER_WIDGETS.append(factory)


def header_widgets() -> list[rx.Component]:
    return [factory() for factory in _HEADER_WIDGETS]


DESKTOP = ["none", "none", "flex"]  # shown from the md breakpoint (768 px) up
MOBILE = ["flex", "flex", "none"]


@dataclass(frozen=True)
class NavItem:
    """One menu entry; shown only to roles that may view its module."""

    label: str
    route: str
    icon: str
    module: Module


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem(N_("Home"), "/", "house", Module.HOME),
    NavItem(N_("Analytics"), "/analytics", "chart-line", Module.ANALYTICS),
    NavItem(N_("Live Monitoring"), "/live", "activity", Module.LIVE_MONITORING),
    NavItem(N_("Load Balancing"), "/load-balancing", "gauge", Module.LOAD_BALANCING),
    NavItem(N_("Finance"), "/finance", "wallet", Module.FINANCE),
    NavItem(N_("Assets"), "/assets", "plug-zap", Module.ASSETS),
    NavItem(N_("Maintenance"), "/maintenance", "wrench", Module.MAINTENANCE),
    NavItem(N_("Firmware"), "/firmware", "cpu", Module.FIRMWARE),
    NavItem(N_("Users"), "/users", "users", Module.USERS),
    NavItem(N_("System"), "/system", "settings", Module.SYSTEM),
)


def brand() -> rx.Component:
    """The tab's brand (logo or icon, product name): branding.components.brand."""
    return brand_mark()


def nav_link(item: NavItem, active: str) -> rx.Component:
    """The entry, when the role may view its module (the gate refuses the page otherwise)."""
    selected = item.route == active
    link = rx.link(
        rx.hstack(
            rx.icon(item.icon, size=18),
            rx.text(t(item.label), size="2", weight="medium" if selected else "regular"),
            align="center",
            spacing="3",
            padding_x="12px",
            padding_y="8px",
            border_radius="6px",
            width="100%",
            color=rx.color("teal", 11) if selected else rx.color("gray", 12),
            background=rx.color("teal", 3) if selected else "transparent",
            _hover={"background": rx.color("gray", 4)},
        ),
        href=item.route,
        underline="none",
        width="100%",
        custom_attrs={"data-testid": f"nav-{item.route.strip('/') or 'home'}"},
    )
    return rx.cond(can(item.module), link)


def nav_links(active: str) -> rx.Component:
    return rx.vstack(*[nav_link(item, active) for item in NAV_ITEMS], spacing="1", width="100%")


def account_box() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(rx.icon("user-round", size=14), rx.text(AuthState.role_name), spacing="1"),
            href="/account",
            size="1",
            color_scheme="gray",
            custom_attrs={"data-testid": "nav-account"},
        ),
        rx.text(
            AuthState.operator_label,
            size="1",
            color=rx.color("gray", 11),
            trim="both",
            max_width="100%",
            overflow="hidden",
            text_overflow="ellipsis",
            white_space="nowrap",
        ),
        language_select(width="100%"),
        rx.button(
            rx.icon("log-out", size=16),
            t("Log out"),
            variant="soft",
            color_scheme="gray",
            size="2",
            width="100%",
            on_click=[*_BEFORE_LOGOUT, AuthState.logout],
            custom_attrs={"data-testid": "logout"},
        ),
        spacing="2",
        width="100%",
    )


def sidebar(active: str) -> rx.Component:
    return rx.flex(
        rx.hstack(
            brand(), rx.spacer(), *header_widgets(), align="center", padding="4px 8px 16px 8px"
        ),
        nav_links(active),
        rx.spacer(),
        account_box(),
        direction="column",
        display=DESKTOP,
        position="fixed",
        top="0",
        left="0",
        height="100vh",
        width=SIDEBAR_WIDTH,
        padding="16px 12px",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        z_index="10",
        custom_attrs={"data-testid": "sidebar"},
    )


def mobile_bar(active: str) -> rx.Component:
    return rx.flex(
        rx.drawer.root(
            rx.drawer.trigger(
                rx.icon_button(
                    rx.icon("menu", size=20),
                    variant="soft",
                    color_scheme="gray",
                    size="2",
                    aria_label=t("Open navigation"),
                    custom_attrs={"data-testid": "nav-open"},
                )
            ),
            rx.drawer.overlay(z_index="40"),
            rx.drawer.portal(
                rx.drawer.content(
                    rx.flex(
                        rx.hstack(
                            brand(),
                            rx.spacer(),
                            rx.drawer.close(
                                rx.icon_button(
                                    rx.icon("x", size=18), variant="ghost", aria_label=t("Close")
                                )
                            ),
                            width="100%",
                            align="center",
                        ),
                        nav_links(active),
                        rx.spacer(),
                        account_box(),
                        direction="column",
                        spacing="4",
                        height="100%",
                        padding="16px 12px",
                    ),
                    width="260px",
                    height="100%",
                    top="0",
                    left="0",
                    z_index="50",
                    background=rx.color("gray", 1),
                )
            ),
            direction="left",
        ),
        brand(),
        rx.spacer(),
        *header_widgets(),
        display=MOBILE,
        align="center",
        spacing="3",
        position="sticky",
        top="0",
        z_index="20",
        padding="8px 12px",
        background=rx.color("gray", 1),
        border_bottom=f"1px solid {rx.color('gray', 5)}",
    )
