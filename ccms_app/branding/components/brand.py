"""The brand on a page: its mark (logo or icon, product name), its colours and favicon, the
login page's text.

`brand_style()` goes once into every page's shell and into the login page: it loads the
tab's brand when the page mounts and applies its colours (`--teal-*`, `--accent-*`,
`--brand-accent-*`) and favicon. `brand_mark()` replaces the old fixed "CCMS" mark in the
sidebar, the phone's top bar and the login card. Test ids: `brand-name`, `brand-logo`,
`brand-icon`, `brand-login-text`.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from ccms_app.branding.state.brand import BrandState
from ccms_app.ui.i18n import t

LOGO_HEIGHT = "32px"
ACCENT = "var(--brand-accent-9, var(--teal-9))"


def _name(name: Var[str] | str, size: str) -> rx.Component:
    """The product name on one line, cut with an ellipsis at the mark's width."""
    return rx.text(
        name,
        weight="bold",
        size=size,
        line_height="1.2",
        max_width="100%",  # a column flex does not stretch it: cut at the mark's width
        overflow="hidden",
        text_overflow="ellipsis",
        white_space="nowrap",
        custom_attrs={"data-testid": "brand-name"},
    )


def mark_view(
    name: Var[str] | str, logo_url: Var[str] | str, subtitle: bool = True
) -> rx.Component:
    """A mark from any name and logo URL (the editor's preview passes its draft): the logo
    with the name under it (a logo is wide; side by side the name would not fit a phone or
    the sidebar), else the icon with the name beside it."""
    with_logo = rx.vstack(
        rx.image(
            src=logo_url,
            alt=name,
            height=LOGO_HEIGHT,
            width="auto",
            max_width="100%",
            object_fit="contain",
            custom_attrs={"data-testid": "brand-logo"},
        ),
        _name(name, "2"),
        spacing="1",
        min_width="0",
        max_width="100%",
    )
    words = [_name(name, "3")]
    if subtitle:
        words.append(
            rx.text(
                t("Charging network"),
                size="1",
                color=rx.color("gray", 11),
                line_height="1",
                white_space="nowrap",
                overflow="hidden",
                text_overflow="ellipsis",
                max_width="100%",
            )
        )
    with_icon = rx.hstack(
        rx.center(
            rx.icon("zap", size=18, color="var(--teal-contrast, white)"),
            background=rx.color("teal", 9),
            border_radius="8px",
            padding="6px",
            flex_shrink="0",
            custom_attrs={"data-testid": "brand-icon"},
        ),
        rx.vstack(*words, spacing="1", min_width="0"),
        align="center",
        spacing="2",
        min_width="0",
    )
    return rx.cond(logo_url != "", with_logo, with_icon)


def brand_mark() -> rx.Component:
    """The tab's brand: logo (else the icon) and product name. Hidden, not replaced, until
    the brand arrives, so the layout does not jump and no default name flashes."""
    return rx.box(
        mark_view(BrandState.product_name, BrandState.logo_url),
        visibility=rx.cond(BrandState.loaded, "visible", "hidden"),
        min_width="0",
        max_width="100%",
        overflow="hidden",
    )


def brand_style() -> rx.Component:
    """Loads the tab's brand when the page mounts; applies its colours and favicon."""
    return rx.fragment(
        rx.el.style(BrandState.css, on_mount=BrandState.load),
        rx.cond(
            BrandState.favicon_url != "",
            rx.el.link(rel="icon", href=BrandState.favicon_url),
        ),
    )


def login_text() -> rx.Component:
    """The operator's words on the login page (line breaks kept); nothing when none."""
    return rx.cond(
        BrandState.login_text != "",
        rx.text(
            BrandState.login_text,
            size="2",
            color=rx.color("gray", 11),
            white_space="pre-line",
            custom_attrs={"data-testid": "brand-login-text"},
        ),
    )


def accent_band() -> rx.Component:
    """A thin band in the brand's accent colour (the top of the login card)."""
    return rx.box(height="4px", width="100%", background=ACCENT, border_radius="4px")


def page_title(page: str) -> Var[str]:
    """A page title in the tab's language that names the brand, not the software: "Log in ·
    <product name>" (marks `page` for the catalogs)."""
    return t(page) + " · " + BrandState.product_name
