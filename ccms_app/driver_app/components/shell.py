"""The driver app's frame: a phone-width column in the operator's brand, a bottom tab bar
(Stations, Charging, Wallet, History, Account), the install bits (manifest, icons, service
worker) and the banner asking to confirm the e-mail address.

React hoists the `<link>` and `<meta>` elements rendered here into the document head.
"""

from __future__ import annotations

import reflex as rx

from ccms_app.branding.components.brand import brand_mark, brand_style
from ccms_app.core.i18n import N_
from ccms_app.driver_app.state.auth import DriverAuthState
from ccms_app.ui.i18n import Text, t

MAX_WIDTH = "560px"
TABS = (
    ("/app", "map-pin", N_("Stations")),
    ("/app/charging", "zap", N_("Charge")),  # the verb: "Charging" is a connector status
    ("/app/wallet", "wallet", N_("Wallet")),
    ("/app/history", "receipt", N_("History")),
    ("/app/account", "user", N_("Account")),
)
_REGISTER_WORKER = (
    "if ('serviceWorker' in navigator) {"
    " navigator.serviceWorker.register('/app/sw.js', {scope: '/app'}).catch(() => {}); }"
)


def install_head() -> rx.Component:
    """Manifest, icons and theme colour (hoisted into <head>); registers the service worker."""
    return rx.fragment(
        rx.el.link(rel="manifest", href="/app/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/app/icon-192.png"),
        rx.el.meta(name="theme-color", content="#0d9488"),
        rx.el.meta(name="mobile-web-app-capable", content="yes"),
        rx.box(on_mount=rx.call_script(_REGISTER_WORKER), display="none"),
    )


def _tab(route: str, icon: str, label: str) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.icon(icon, size=20, aria_hidden="true"),
            rx.text(t(label), size="1"),
            spacing="0",
            align="center",
        ),
        href=route,
        underline="none",
        color=rx.color("gray", 11),
        flex="1",
        padding_y="6px",
        text_align="center",
        min_width="0",
        custom_attrs={"data-testid": f"app-tab-{route.rsplit('/', 1)[-1]}"},
    )


def tab_bar() -> rx.Component:
    return rx.el.nav(
        rx.hstack(
            *[_tab(*tab) for tab in TABS],
            spacing="0",
            width="100%",
            max_width=MAX_WIDTH,  # on a wide screen the tabs stay under the page's column
            margin="0 auto",
        ),
        aria_label=t("App sections"),
        position="fixed",
        bottom="0",
        left="0",
        right="0",
        background=rx.color("gray", 1),
        border_top=f"1px solid {rx.color('gray', 5)}",
        z_index="10",
        padding_bottom="env(safe-area-inset-bottom)",
    )


def verify_banner() -> rx.Component:
    return rx.cond(
        DriverAuthState.signed_in & ~DriverAuthState.verified,
        rx.callout(
            rx.vstack(
                rx.text(t("Confirm your e-mail address: open the link we sent you.")),
                rx.button(
                    t("Send the link again"),
                    size="1",
                    variant="soft",
                    on_click=DriverAuthState.resend_verification,
                ),
                spacing="2",
                align="start",
            ),
            icon="mail",
            color_scheme="amber",
            size="1",
            width="100%",
            custom_attrs={"data-testid": "verify-banner"},
        ),
    )


def app_page(title: Text, *content: rx.Component) -> rx.Component:
    """A signed-in app page: brand header, the page's title and content, the tab bar."""
    return rx.box(
        brand_style(),
        install_head(),
        rx.el.header(
            rx.hstack(
                brand_mark(),
                align="center",
                width="100%",
                min_width="0",
                max_width=MAX_WIDTH,
                margin="0 auto",
            ),
            padding="10px 14px",
            border_bottom=f"1px solid {rx.color('gray', 4)}",
            background=rx.color("gray", 1),
        ),
        rx.el.main(
            rx.vstack(
                verify_banner(),
                rx.heading(title, size="5", as_="h1"),
                *content,
                spacing="4",
                width="100%",
                min_width="0",
            ),
            padding="14px",
            padding_bottom="96px",
            max_width=MAX_WIDTH,
            margin="0 auto",
            width="100%",
        ),
        tab_bar(),
        min_height="100vh",
        background=rx.color("gray", 2),
        overflow_x="hidden",
    )


def public_page(*content: rx.Component) -> rx.Component:
    """A page before signing in (sign in, sign up, passwords): one card, the brand above."""
    return rx.center(
        brand_style(),
        install_head(),
        rx.card(
            rx.vstack(brand_mark(), *content, spacing="4", width="100%"),
            size="3",
            width="100%",
            max_width="420px",
        ),
        min_height="100vh",
        padding="12px",
        background=rx.color("gray", 2),
    )
