"""The System module's sections: one route each, one link bar on top of every one of them."""

from __future__ import annotations

import reflex as rx

from ccms_app.core.i18n import N_
from ccms_app.ui.i18n import t

SECTIONS: tuple[tuple[str, str], ...] = (
    ("/system", N_("Settings")),
    ("/system/accounts", N_("Accounts")),
    ("/system/roles", N_("Roles")),
    ("/system/sub-operators", N_("Sub-operators")),
    ("/system/api-keys", N_("API keys")),
    ("/system/webhooks", N_("Webhooks")),
    ("/system/branding", N_("Branding")),
    ("/system/audit", N_("Audit log")),
    # Currency, VAT, recharge amounts, card hold, wallet minimum, memberships: kept with
    # Finance's billing settings (one form), linked here where operators look for settings.
    ("/finance/settings", N_("Billing and payments")),
)


def section_links(active: str) -> rx.Component:
    """The section bar; wraps on a phone instead of overflowing."""
    return rx.flex(
        *[
            rx.link(
                rx.button(
                    t(label),
                    variant="solid" if route == active else "soft",
                    color_scheme="teal" if route == active else "gray",
                    size="2",
                ),
                href=route,
                underline="none",
                custom_attrs={"data-testid": f"system-section-{route.rsplit('/', 1)[-1]}"},
            )
            for route, label in SECTIONS
        ],
        wrap="wrap",
        spacing="2",
        width="100%",
    )
