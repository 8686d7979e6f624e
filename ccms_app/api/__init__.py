"""Plain HTTP endpoints on the web port, next to the pages (rx.App(api_transformer=...)).

Charge points fetch firmware and upload diagnostics here: they speak HTTP, not Reflex's
socket. Handlers stay thin; the work is in the modules' use cases.
"""

from __future__ import annotations

from starlette.applications import Starlette

from ccms_app.accounts import routes as login
from ccms_app.control.firmware import diagnostics_routes as diagnostics
from ccms_app.control.firmware import image_routes as firmware


def build_api() -> Starlette:
    """The Starlette app Reflex mounts its own backend (and, in prod, the pages) under."""
    return Starlette(routes=[*login.routes, *firmware.routes, *diagnostics.routes])
