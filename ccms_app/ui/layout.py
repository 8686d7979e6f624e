"""The shell of every signed-in page: navigation plus the page's content.

Content renders only once the session check (AuthState.require_login, on_load) passed, so a
signed-out browser never flashes live data before its redirect to /login. A login that may
only look (its organisation's licence ended) sees why in a banner above every page.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.branding.components.brand import brand_style
from ccms_app.ui.connection import DIMMED, when_connected
from ccms_app.ui.nav import SIDEBAR_WIDTH, mobile_bar, sidebar

# Components shown once over every signed-in page (the alarm toast), registered by the
# composition root so that ui/ imports no feature module.
_OVERLAYS: list[Callable[[], rx.Component]] = []


def register_shell_overlay(factory: Callable[[], rx.Component]) -> None:
    """Render `factory()` once in the shell of every signed-in page (fixed position)."""
    if factory not in _OVERLAYS:
        _OVERLAYS.append(factory)


def read_only_banner() -> rx.Component:
    """Why this login may only look, when the gate says so (e.g. the licence ended)."""
    return rx.cond(
        AuthState.read_only_reason != "",
        rx.callout(
            AuthState.read_only_reason,
            icon="lock",
            color_scheme="amber",
            width="100%",
            custom_attrs={"data-testid": "read-only-banner"},
        ),
    )


def app_shell(active: str, *content: rx.Component) -> rx.Component:
    return rx.fragment(brand_style(), _shell(active, *content))


def _shell(active: str, *content: rx.Component) -> rx.Component:
    return rx.cond(
        AuthState.is_authenticated,
        rx.box(
            sidebar(active),
            mobile_bar(active),
            rx.box(
                rx.vstack(read_only_banner(), *content, spacing="5", width="100%"),
                opacity=when_connected("1", DIMMED),  # frozen values look frozen
                transition="opacity 0.3s",
                margin_left=["0", "0", SIDEBAR_WIDTH],
                padding=["16px 12px", "20px 16px", "24px 32px"],
                max_width="1600px",
            ),
            *[factory() for factory in _OVERLAYS],
            min_height="100vh",
        ),
        rx.center(rx.spinner(size="3"), height="100vh"),
    )
