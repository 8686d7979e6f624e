"""GET /exports/{ticket}: list exports as HTTP downloads, for the session they were issued to."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlmodel import Session, select

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.models import OperatorAccount, Role
from ccms_app.api import build_api
from ccms_app.core import export_tickets

PASSWORD = "correct horse battery"


@pytest.fixture
async def client(engine) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


def _login(email: str, role: str | None = None, session: Session | None = None) -> str:
    account, _ = auth.ensure_admin(email, PASSWORD)
    if role is not None and session is not None:
        stored = session.get(OperatorAccount, account.id)
        assert stored is not None
        stored.role_id = session.exec(select(Role).where(Role.name == role)).one().id or 0
        session.add(stored)
        session.commit()
    return auth.open_session(account)


def _ticket(token: str, permission: str = "users:export") -> str:
    return export_tickets.issue(
        auth.token_hash(token), permission, "drivers.csv", lambda: "a,b\r\n"
    )


async def test_the_issuing_session_downloads_once(client: httpx.AsyncClient) -> None:
    token = _login("ops@example.com")
    ticket = _ticket(token)
    assert (await client.get(f"/exports/{ticket}")).status_code == 401  # no cookie

    client.cookies.set(SESSION_COOKIE, token)
    reply = await client.get(f"/exports/{ticket}")
    assert reply.status_code == 200 and reply.text == "a,b\r\n"
    assert reply.headers["content-disposition"] == 'attachment; filename="drivers.csv"'
    assert reply.headers["content-type"].startswith("text/csv")
    assert (await client.get(f"/exports/{ticket}")).status_code == 404  # used


async def test_another_session_or_a_role_without_export_gets_nothing(
    client: httpx.AsyncClient, session: Session
) -> None:
    owner = _login("ops@example.com")
    viewer = _login("viewer@example.com", "Viewer", session)
    client.cookies.set(SESSION_COOKIE, viewer)
    assert (await client.get(f"/exports/{_ticket(owner)}")).status_code == 404
    assert (await client.get(f"/exports/{_ticket(viewer)}")).status_code == 403
    auth.end_session(owner)
    client.cookies.set(SESSION_COOKIE, owner)
    assert (await client.get(f"/exports/{_ticket(owner)}")).status_code == 401  # logged out
