"""Links between the pages of one module (Users, Finance, ...): pills that wrap onto a second
row from tablet width up, and scroll sideways on a phone instead of overflowing."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx

from ccms_app.ui.i18n import Text, t

# (label, route, lucide icon): the label a message id marked N_ (shown through the catalog)
# or already a Var (t("..."))
SubPage = tuple[Text, str, str]


def _shown(label: Text) -> rx.Var[str]:
    return t(label) if isinstance(label, str) else label


def subnav(pages: Sequence[SubPage], active: str, testid_prefix: str) -> rx.Component:
    """The module's sub-pages; `active` is the route of the page showing it. Each link has
    data-testid "<testid_prefix>-<last part of its route>"."""
    return rx.flex(
        *[
            rx.link(
                rx.hstack(rx.icon(icon, size=14), _shown(label), spacing="1", align="center"),
                href=route,
                underline="none",
                size="2",
                weight="medium" if route == active else "regular",
                color=rx.color("teal", 11) if route == active else rx.color("gray", 11),
                background=rx.color("teal", 3) if route == active else "transparent",
                padding="4px 10px",
                border_radius="999px",
                white_space="nowrap",
                custom_attrs={"data-testid": f"{testid_prefix}-{route.rsplit('/', 1)[-1]}"},
            )
            for label, route, icon in pages
        ],
        gap="4px",
        row_gap="4px",
        wrap=rx.breakpoints(initial="nowrap", sm="wrap"),
        overflow_x="auto",
        width="100%",
        padding_bottom="2px",
    )
