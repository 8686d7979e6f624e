"""Webhooks: pages (System -> Webhooks). `PAGES` lists both for the app to register."""

from __future__ import annotations

from typing import Any

from ccms_app.webhooks.pages import delivery_log, webhooks

PAGES: list[tuple[Any, str, Any, list[Any]]] = [*webhooks.PAGES, *delivery_log.PAGES]
