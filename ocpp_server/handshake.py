"""Opening-handshake checks, run before the websocket opens (websockets' process_request).

A request without an identity gets 404 (OCPP-J 1.6 section 3.2 asks 404 for an unknown
identity). A request that does not offer `ocpp1.6` gets 400 before the upgrade; note that
section 3.2 instead describes completing the handshake without a subprotocol and closing at
once. Both end the attempt; the HTTP error is what an installer sees in the charger's log.

Each check returns a `Refusal` (an HTTP error answered instead of the upgrade) or None. New
checks slot into `check_request`; OCPP Security Profile 1 (HTTP Basic auth, password per charge
point) belongs here as one more check reading the `Authorization` header
(`websockets.headers.parse_authorization_basic`) against a credentials port; process_request
may be async, so that check can await the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import unquote, urlsplit

from websockets.datastructures import Headers
from websockets.exceptions import InvalidHeader
from websockets.headers import parse_subprotocol
from websockets.http11 import Request

SUBPROTOCOL = "ocpp1.6"


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
    if not identity_from_path(request.path).strip():
        return Refusal(HTTPStatus.NOT_FOUND, "no charge point identity in the URL path")
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
