"""Plain HTTP endpoints on the web port, next to the pages (rx.App(api_transformer=...)).

Charge points fetch firmware and upload diagnostics here: they speak HTTP, not Reflex's
socket. Handlers stay thin; the work is in the modules' use cases. GET /healthz and
GET /metrics serve probes and Prometheus. The REST API (a FastAPI app) is mounted at /api/v1.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Mount

from ccms_app.accounts import routes as login
from ccms_app.api import exports, health, metrics
from ccms_app.api.app import PREFIX, build_rest_api, docs_routes
from ccms_app.control.firmware import diagnostics_routes as diagnostics
from ccms_app.control.firmware import image_routes as firmware


def build_api() -> Starlette:
    """The Starlette app Reflex mounts its own backend (and, in prod, the pages) under."""
    metrics.install()  # count OCPP frames from here on
    routes = [*login.routes, *exports.routes, *firmware.routes, *diagnostics.routes]
    rest = Mount(PREFIX, app=build_rest_api())
    return Starlette(routes=[*routes, *health.routes, *metrics.routes, *docs_routes, rest])
