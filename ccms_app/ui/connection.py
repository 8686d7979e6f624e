"""What a page shows when the browser loses the server: a plain statement, not Reflex's
technical toast, and live values dimmed, since they stopped moving. Reflex reconnects by
itself; the banner goes and the values brighten once it has, without a reload.

`has_connection_errors` is Reflex's own client-side flag (the socket's failed connects since
the last success): it needs no server to change, which is the point.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

# Reflex re-exports its components package under `reflex.components` at run time, which
# mypy cannot follow.
from reflex.components.core.banner import (  # type: ignore[import-not-found]
    has_connection_errors,
)

from ccms_app.ui.i18n import t

DIMMED = "0.45"


def when_connected(connected: Any, lost: Any) -> Any:
    """`connected` while the page hears the server, `lost` while it does not."""
    return rx.cond(has_connection_errors, lost, connected)


def connection_lost_banner() -> rx.Component:
    """Replaces Reflex's overlay (app.app_wraps): fixed on top of every page."""
    return rx.cond(
        has_connection_errors,
        rx.box(
            rx.callout(
                t(
                    "Connection to the server lost. The page shows the last data it "
                    "received, dimmed, and reconnects by itself."
                ),
                icon="wifi-off",
                color_scheme="red",
                variant="surface",
                size="1",
            ),
            background=rx.color("gray", 1),  # opaque: the page under it is dimmed, not hidden
            border_radius="8px",
            box_shadow="0 4px 16px rgba(0, 0, 0, 0.12)",
            position="fixed",
            top="8px",
            left="50%",
            transform="translateX(-50%)",
            width=["calc(100% - 16px)", "calc(100% - 16px)", "auto"],
            max_width="640px",
            z_index="2000",
            custom_attrs={"data-testid": "connection-lost"},
        ),
    )
