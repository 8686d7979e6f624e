"""Reflex configuration for the CCMS operator web app.

The web port comes from CCMS_WEB_PORT (default 3000). In production CCMS runs
`reflex run --env prod --single-port`, so page and backend share that port (and `/ping`).
We use plain SQLModel tables through ccms_app.core.db, so Reflex's own db_url stays unset.
"""

import os

import reflex as rx
from reflex.plugins.sitemap import SitemapPlugin

_web_port = int(os.environ.get("CCMS_WEB_PORT", "").strip() or "3000")

config = rx.Config(
    app_name="ccms_app",
    frontend_port=_web_port,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # An operator console is not for search engines: no sitemap.xml.
    disable_plugins=[SitemapPlugin],
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(appearance="light", accent_color="teal", gray_color="slate")
        )
    ],
)
