"""Pieces several Finance components show: a link to a file an HTTP route serves."""

from __future__ import annotations

from typing import Any

import reflex as rx

from ccms_app.ui.dialogs import tid
from ccms_app.ui.i18n import Text


def download_link(label: Text, href: Any, testid: Any) -> rx.Component:
    """A file from an HTTP route (its own gate): a full document request (reload_document),
    never a client-side route change (which would show the app's 404 page)."""
    return rx.link(
        rx.hstack(rx.icon("file-down", size=14), label, spacing="1", align="center"),
        href=href,
        reload_document=True,
        color=rx.color("teal", 11),
        white_space="nowrap",
        custom_attrs=tid(testid),
    )
