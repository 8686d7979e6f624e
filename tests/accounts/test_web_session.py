"""The raw login token never reaches Reflex: RawTokenScrubber as the ASGI middleware it is in
the product, and a tab's state written by Reflex's own disk state manager."""

from __future__ import annotations

import secrets
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import pytest
from reflex.app import _decode_asgi_headers
from reflex.istate.data import RouterData
from reflex.istate.manager.disk import StateManagerDisk
from reflex.istate.manager.token import BaseStateToken
from reflex.state import State

from ccms_app.accounts.auth import SESSION_COOKIE, token_hash
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.web_session import (
    SESSION_REF_COOKIE,
    RawTokenScrubber,
    session_hash_from_cookie_header,
)

Scope = MutableMapping[str, Any]
FORGED = "f" * 64
OTHER_APP = 'prefs={"theme":"dark"}'  # a JSON cookie another app on this host set


async def through_scrubber(scope: Scope) -> Scope:
    """The scope the app behind the scrubber receives."""
    seen: list[Scope] = []

    async def reflex_app(inner: Scope, receive: Any, send: Any) -> None:
        seen.append(inner)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        raise AssertionError("the test app sends nothing")

    await RawTokenScrubber(reflex_app)(scope, receive, send)
    (received,) = seen
    return received


def request_scope(kind: str, path: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    return {"type": kind, "path": path, "headers": headers, "client": ("10.0.0.1", 5000)}


def all_header_bytes(scope: Scope) -> bytes:
    return b"\n".join(name + b": " + value for name, value in scope["headers"])


@pytest.mark.parametrize(
    ("kind", "path"),
    [("websocket", "/_event/"), ("http", "/_event/"), ("http", "/_upload")],
)
async def test_reflex_paths_get_the_hash_instead_of_the_token(kind: str, path: str) -> None:
    token = secrets.token_urlsafe(32)
    headers = [
        (b"host", b"ccms.test"),
        (b"cookie", f"{OTHER_APP}; {SESSION_COOKIE}={token}".encode()),
        (b"cookie", f"{SESSION_REF_COOKIE}={FORGED}; lang=nl".encode()),  # a forged hash
    ]

    scope = await through_scrubber(request_scope(kind, path, headers))

    raw = all_header_bytes(scope)
    assert token.encode() not in raw and FORGED.encode() not in raw
    cookies = [value.decode() for name, value in scope["headers"] if name == b"cookie"]
    assert cookies == [f"{OTHER_APP}; lang=nl; {SESSION_REF_COOKIE}={token_hash(token)}"]
    assert session_hash_from_cookie_header(cookies[0]) == token_hash(token)
    assert (b"host", b"ccms.test") in scope["headers"]


async def test_a_forged_hash_without_a_login_is_dropped() -> None:
    headers = [(b"cookie", f"{SESSION_REF_COOKIE}={FORGED}".encode())]

    scope = await through_scrubber(request_scope("websocket", "/_event/", headers))

    assert scope["headers"] == []
    assert session_hash_from_cookie_header("") == ""


@pytest.mark.parametrize("path", ["/auth/logout", "/diagnostics/CP-1/diag.log", "/ping", "/"])
async def test_other_paths_are_untouched(path: str) -> None:
    token = secrets.token_urlsafe(32)
    headers = [(b"cookie", f"{SESSION_COOKIE}={token}; {SESSION_REF_COOKIE}={FORGED}".encode())]
    scope = request_scope("http", path, headers)

    received = await through_scrubber(scope)

    assert received is scope and received["headers"] == headers


async def test_lifespan_passes_through() -> None:
    scope: Scope = {"type": "lifespan"}
    assert await through_scrubber(scope) is scope


async def test_a_tab_state_written_to_disk_holds_no_raw_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What Reflex writes to .states/*.pkl for a tab whose socket came through the scrubber:
    router data built by Reflex's own header decoding, the gate's session hash in AuthState,
    saved by StateManagerDisk (each state pickled)."""
    monkeypatch.setenv("REFLEX_STATES_WORKDIR", str(tmp_path / "states"))
    token = secrets.token_urlsafe(32)
    browser = [(b"cookie", f"{OTHER_APP}; {SESSION_COOKIE}={token}".encode())]
    scope = await through_scrubber(request_scope("websocket", "/_event/", browser))
    headers = _decode_asgi_headers(scope["headers"])
    router_data = {"headers": headers, "pathname": "/live", "token": "tab-1", "sid": "sid-1"}

    root = State(_reflex_internal_init=True)
    root.router_data = router_data
    root.router = RouterData.from_router_data(router_data)
    auth_state = await root.get_state(AuthState)
    auth_state._session_hash = session_hash_from_cookie_header(headers["cookie"])
    manager = StateManagerDisk(_write_debounce_seconds=0)
    try:
        await manager.set_state(BaseStateToken(ident="tab-1", cls=State), root)
    finally:
        await manager.close()

    written = [path.read_bytes() for path in (tmp_path / "states").glob("*.pkl")]
    assert len(written) >= 2  # the root state and AuthState at least
    assert not any(token.encode() in data for data in written)
    assert sum(token_hash(token).encode() in data for data in written) >= 2  # header + gate
