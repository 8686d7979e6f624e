"""GET /healthz: is this CCMS process able to serve charge points and operators right now?

A load balancer or service manager probes it without credentials, so it says only what it
checks: the process answers (it runs this handler), the database answers `SELECT 1` within
`DATABASE_TIMEOUT` (in a thread: a locked or unreachable database never blocks the event
loop), and the OCPP listener is up (a `ccms web` process has none: its check says so and
passes). 200 `{"status": "ok", ...}` when all hold, otherwise 503
with `"status": "unavailable"` and the reason of each failed check.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ccms_app.accounts.http_gate import public_route
from ccms_app.core.config import get_settings
from ccms_app.core.db import get_engine
from ccms_app.runtime import running_network

DATABASE_TIMEOUT = 3.0  # seconds; a probe every few seconds must not pile up threads


def _select_one() -> None:
    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1")).scalar_one()


async def database_problem() -> str | None:
    """Why the database does not answer, or None when `SELECT 1` succeeds in time."""
    try:
        await asyncio.wait_for(asyncio.to_thread(_select_one), DATABASE_TIMEOUT)
    except TimeoutError:
        return f"database did not answer within {DATABASE_TIMEOUT:g} s"
    except Exception as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"database unreachable: {type(exc).__name__}: {first_line}"[:300]
    return None


WEB_ONLY = "none in this process (ccms web: the gateways hold the chargers)"


def ocpp_problem() -> tuple[str | None, int | None]:
    """(why the OCPP listener is not up or None, its port when it is)."""
    network = running_network()
    if network is None:
        return "OCPP listener is not running", None
    with contextlib.suppress(RuntimeError):  # port raises once the server stopped
        return None, network.server.port
    return "OCPP listener is stopped", None


@public_route("health probes of load balancers and service managers; says only up or down")
async def healthz(request: Request) -> Response:
    database = await database_problem()
    web_only = get_settings().web_only  # no listener here: nothing to check
    ocpp, port = (None, None) if web_only else ocpp_problem()
    checks = {
        "database": database or "ok",
        "ocpp_listener": ocpp or (WEB_ONLY if web_only else "ok"),
    }
    problems = [p for p in (database, ocpp) if p]
    if problems:
        body = {"status": "unavailable", "reason": "; ".join(problems), "checks": checks}
        return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})
    return JSONResponse(
        {"status": "ok", "checks": checks, "ocpp_port": port}, headers={"Cache-Control": "no-store"}
    )


routes = [Route("/healthz", healthz, methods=["GET"])]
