"""The REST API over real HTTP: the product's web-port app served by granian on a free port,
API keys of given roles and organisations, and a sub-operator to test scope against.

- `rest`: an httpx client on http://127.0.0.1:<port>/api/v1 (no key).
- `keys`: `keys.make(role, organisation_id=None)` -> a fresh key; `keys.revoked()`.
- `sub_operator`: a sub-operator organisation of the test operator.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from ccms_app.accounts import api_keys
from ccms_app.accounts.auth import token_hash
from ccms_app.accounts.models import ApiKey, Organisation
from ccms_app.api import build_api
from ccms_app.core import db
from ccms_app.core.types import utc_now
from tests.fixtures.ocpp import eventually

WAIT = 10.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serving() -> AsyncIterator[str]:
    """The web-port app (what `ccms run` serves) on a real socket: its base URL."""
    api_keys.forget_last_uses()
    port = free_port()
    server = Server(
        build_api(), address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False
    )
    task = asyncio.create_task(server.serve())

    async def listening() -> bool:
        with contextlib.suppress(OSError):
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return True
        return False

    await eventually(listening, timeout=WAIT)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        await asyncio.wait_for(task, timeout=WAIT)


@pytest.fixture
async def served(engine: Engine) -> AsyncIterator[str]:
    """The base URL of the web-port app, served for this test (on its database)."""
    async with serving() as url:
        yield url


@pytest.fixture
async def rest(served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{served}/api/v1", timeout=WAIT) as http:
        yield http


@dataclass
class Keys:
    organisation_id: int

    def make(self, role: str = "Administrator", organisation_id: int | None = None) -> str:
        owner = organisation_id or self.organisation_id
        return api_keys.create_api_key_from_cli(f"test {role}", role, owner).key

    def revoked(self) -> str:
        """A key that worked, then was revoked (as System -> API keys does it)."""
        key = self.make()
        with db.session_scope() as session:
            session.execute(
                update(ApiKey)
                .where(col(ApiKey.key_hash) == token_hash(key))
                .values(revoked_at=utc_now())
            )
        return key


@pytest.fixture
def keys(organisation: Organisation) -> Keys:
    return Keys(organisation.id or 0)


@pytest.fixture
def sub_operator(organisation: Organisation) -> Organisation:
    with db.session_scope() as session:
        sub = Organisation(name="Sub Operator", parent_id=organisation.id)
        session.add(sub)
        session.flush()
        session.refresh(sub)
        return sub


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}
