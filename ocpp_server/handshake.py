"""Opening-handshake checks, run before the websocket opens (websockets' process_request).

A request without an identity gets 404 (OCPP-J 1.6 section 3.2 asks 404 for an unknown
identity), one with an identity no charge point may have (ocpp_server.identity) 400. A
request that does not offer `ocpp1.6` gets 400 before the upgrade; note that section 3.2
instead describes completing the handshake without a subprotocol and closing at once. All
end the attempt; the HTTP error is what an installer sees in the charger's log.

Each check returns a `Refusal` (an HTTP error answered instead of the upgrade) or None. The
synchronous checks are in `check_request`; `authenticate` then asks the application
(ports.ChargerAuthenticator) about OCPP Security Profile 1: HTTP Basic auth whose username is
the charge point identity and whose password is its AuthorizationKey. A 401 carries
`WWW-Authenticate: Basic realm="CCMS"` (RFC 7617).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.datastructures import Headers
from websockets.exceptions import InvalidHeader
from websockets.headers import (
    build_www_authenticate_basic,
    parse_authorization_basic,
    parse_subprotocol,
)
from websockets.http11 import Request, Response

from ocpp_server.identity import identity_problem
from ocpp_server.ports import ChargerAuthenticator

log = logging.getLogger(__name__)

SUBPROTOCOL = "ocpp1.6"
REALM = "CCMS"


@dataclass(frozen=True)
class Refusal:
    status: HTTPStatus
    reason: str


def identity_from_path(path: str) -> str:
    """The charge point identity: the last non-empty path segment, URL-decoded.

    `/ocpp/CP-001` and `/CP-001` both give `CP-001`; `/` gives "".
    """
    segments = [segment for segment in urlsplit(path).path.split("/") if segment]
    return unquote(segments[-1]) if segments else ""


def offered_subprotocols(headers: Headers) -> list[str]:
    offered: list[str] = []
    for value in headers.get_all("Sec-WebSocket-Protocol"):
        try:
            offered.extend(parse_subprotocol(value))
        except InvalidHeader:
            continue
    return offered


def check_identity(request: Request) -> Refusal | None:
    """No identity: 404 (OCPP-J 1.6 3.2); one no charge point may have: 400 with the reason
    (ocpp_server.identity)."""
    identity = identity_from_path(request.path)
    if not identity:
        return Refusal(HTTPStatus.NOT_FOUND, "no charge point identity in the URL path")
    problem = identity_problem(identity)
    if problem is not None:
        return Refusal(HTTPStatus.BAD_REQUEST, problem)
    return None


def check_subprotocol(request: Request) -> Refusal | None:
    if SUBPROTOCOL not in offered_subprotocols(request.headers):
        return Refusal(HTTPStatus.BAD_REQUEST, f"subprotocol {SUBPROTOCOL} not offered")
    return None


def check_request(request: Request) -> Refusal | None:
    """The first refusal among the handshake checks, or None to open the websocket."""
    for check in (check_identity, check_subprotocol):
        refusal = check(request)
        if refusal is not None:
            return refusal
    return None


def presented_password(request: Request, identity: str) -> tuple[str | None, str]:
    """The Basic-auth password the charge point sent, or (None, why it is unusable).

    No Authorization header gives (None, ""). The username must be the identity itself (so an
    identity containing ":" cannot use Basic auth: RFC 7617 ends the username at the colon).
    """
    values = request.headers.get_all("Authorization")
    if not values:
        return None, ""
    if len(values) > 1:
        return None, "more than one Authorization header"
    try:
        username, password = parse_authorization_basic(values[0])
    except InvalidHeader as exc:
        return None, f"malformed Authorization header ({exc})"
    if username != identity:
        return None, f"Basic auth username {username[:64]!r} is not the charge point identity"
    return password, ""


async def authenticate(
    request: Request,
    remote_address: str,
    authenticator: ChargerAuthenticator,
    connected: bool = False,
) -> Refusal | None:
    """Ask the application whether this charge point may connect (`connected`: a websocket
    for its identity is open now); a failure to decide is 503."""
    identity = identity_from_path(request.path)
    password, problem = presented_password(request, identity)
    try:
        decision = await authenticator.check_connection(
            identity, password, remote_address, problem, connected
        )
    except Exception:
        log.exception("connection check failed", extra={"identity": identity})
        return Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "central system cannot check credentials")
    if decision.allowed:
        return None
    return Refusal(HTTPStatus(decision.http_status), decision.reason)


def refusal_response(websocket: ServerConnection, refusal: Refusal) -> Response:
    """The HTTP error answered instead of the upgrade; a 401 names the Basic realm."""
    response = websocket.respond(refusal.status, refusal.reason + "\n")
    if refusal.status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = build_www_authenticate_basic(REALM)
    return response
