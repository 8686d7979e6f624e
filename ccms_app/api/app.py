"""The REST API: a FastAPI app mounted at /api/v1 on the web port (one process, one port).

Each resource has its router in `api/routes/` (routes per resource, as in
full-stack-fastapi-template); routers stay thin and call the modules' use cases, which hold
every rule the web UI applies. OpenAPI 3.1 is served at /api/v1/openapi.json and the
interactive docs at /api/docs (Swagger UI, whose script the browser loads from its CDN).
"""

from __future__ import annotations

import functools
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.api import problems
from ccms_app.api.routes import ROUTERS

PREFIX = "/api/v1"
DESCRIPTION = """\
The CCMS REST API: everything the operator console shows and does, for ERP, CRM, billing
and apps. Send an API key from **System -> API keys** (or `ccms apikey create`) as
`Authorization: Bearer <key>`. A key acts with its role's permissions inside its
organisation; objects outside it answer 404. Errors are RFC 9457 `application/problem+json`
with one entry per invalid field; unknown fields are refused. Lists page with `page` or
`cursor` and report `total`; `/export` streams CSV or JSON lines.
"""


def build_rest_api() -> FastAPI:
    app = FastAPI(
        title="CCMS API",
        version="1",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,
        redoc_url=None,
        servers=[{"url": PREFIX}],
    )
    for router in ROUTERS:
        app.include_router(router)
    problems.install(app)
    app.openapi = functools.partial(_openapi, app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's schema, with every error documented as what the API answers: problem+json."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            servers=app.servers,
        )
        app.openapi_schema = problems.document(schema)
    return app.openapi_schema


@public_route("the API's documentation page: it holds no data, the API asks for a key")
async def api_docs(_request: Request) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url=f"{PREFIX}/openapi.json", title="CCMS API")


docs_routes = [Route("/api/docs", api_docs, methods=["GET"])]
