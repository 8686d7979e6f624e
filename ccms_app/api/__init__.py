"""Plain HTTP endpoints on the web port, next to the pages (rx.App(api_transformer=...)).

Charge points fetch firmware and upload diagnostics here: they speak HTTP, not Reflex's
socket. Handlers stay thin; the work is in the modules' use cases. GET /healthz and
GET /metrics serve probes and Prometheus. The REST API (a FastAPI app) is mounted at /api/v1.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount

from ccms_app.accounts import routes as login
from ccms_app.api import exports, health, metrics, problems
from ccms_app.api.app import PREFIX, build_rest_api, docs_routes
from ccms_app.branding import routes as brand_images
from ccms_app.control.firmware import diagnostics_routes as diagnostics
from ccms_app.control.firmware import image_routes as firmware
from ccms_app.driver_app import install_routes as driver_app_install
from ccms_app.driver_app import receipt_routes as driver_app_receipts
from ccms_app.driver_app import routes as driver_app_sign_in
from ccms_app.finance.documents import routes as billing_documents
from ccms_app.finance.partners import routes as partner_reports
from ccms_app.finance.payments import webhook_route as stripe_webhooks
from ccms_app.maintenance.work_orders import photo_routes as work_order_photos
from ccms_app.network import qr_label_routes as qr_labels


def build_api() -> Starlette:
    """The Starlette app Reflex mounts its own backend (and, in prod, the pages) under."""
    metrics.install()  # count OCPP frames from here on
    routes = [
        *login.routes,
        *exports.routes,
        *firmware.routes,
        *diagnostics.routes,
        *billing_documents.routes,
        *stripe_webhooks.routes,
        *partner_reports.routes,
        *work_order_photos.routes,
        *qr_labels.routes,
        *brand_images.routes,
        *driver_app_sign_in.routes,
        *driver_app_install.routes,
        *driver_app_receipts.routes,
    ]
    rest = Mount(PREFIX, app=build_rest_api())
    return Starlette(
        routes=[*routes, *health.routes, *metrics.routes, *docs_routes, rest],
        exception_handlers={404: _not_found},
    )


async def _not_found(request: Request, exc: Exception) -> Response:
    """A path under /api/v1 that misses the mount (Starlette's path pattern stops at a
    newline, e.g. `%0A`) still answers as the REST API does: problem+json."""
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith(PREFIX + "/"):
        return problems.problem_response(exc.status_code, str(exc.detail))
    return PlainTextResponse(str(exc.detail), status_code=exc.status_code)
