"""GET /billing-documents/{id}.pdf over HTTP: gated, scoped, a PDF.

The app here is a Starlette app with the finance routes only; the product mounts the same
`routes` list in ccms_app.api.build_api (tests/accounts/test_http_gate.py then walks it too).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session
from starlette.applications import Starlette

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.models import LoginSession, OperatorAccount, Organisation, Role
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.documents import routes
from ccms_app.finance.documents.receipts import issue_receipt
from tests.finance.documents.support import World, charge

EXPORT = permission(Module.FINANCE, Action.EXPORT)
VIEW = permission(Module.FINANCE, Action.VIEW)


def login(organisation_id: int, email: str, permissions: set[str]) -> str:
    """A live login session of a new account with exactly `permissions`; its cookie value."""
    with db.session_scope() as s:
        role = Role(name=f"Role of {email}", permissions=",".join(sorted(permissions)))
        s.add(role)
        s.flush()
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="x", role_id=role.id
        )
        s.add(account)
        s.flush()
        token = secrets.token_urlsafe(32)
        s.add(
            LoginSession(
                account_id=stored_id(account.id),
                token_hash=auth.token_hash(token),
                expires_at=utc_now() + timedelta(hours=1),
            )
        )
    return token


@pytest.fixture
async def client(engine) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=routes.routes)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def fetch(client: httpx.AsyncClient, url: str, token: str | None) -> httpx.Response:
    client.cookies.clear()
    return await client.get(url, cookies={SESSION_COOKIE: token} if token else {})


async def test_the_pdf_is_served_to_whoever_may_export_finance(
    world: World, client: httpx.AsyncClient, session: Session
) -> None:
    receipt = issue_receipt(charge(world, "CARD-ZOE", datetime(2026, 2, 10, 10, tzinfo=UTC)))
    url = routes.pdf_url(receipt.id or 0)
    assert url == f"/billing-documents/{receipt.id}.pdf"

    assert (await fetch(client, url, None)).status_code == 401
    viewer = login(world.organisation_id, "viewer@example.com", {VIEW})
    assert (await fetch(client, url, viewer)).status_code == 403

    finance = login(world.organisation_id, "finance@example.com", {VIEW, EXPORT})
    reply = await fetch(client, url, finance)
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "application/pdf"
    assert reply.headers["content-disposition"] == 'attachment; filename="R-000001.pdf"'
    assert reply.content.startswith(b"%PDF-")
    for missing in ("/finance/documents/999999.pdf", "/finance/documents/abc.pdf"):
        assert (await fetch(client, missing, finance)).status_code == 404

    other = Organisation(name="Other Operator")
    session.add(other)
    session.commit()
    stranger = login(stored_id(other.id), "stranger@example.com", {VIEW, EXPORT})
    assert (await fetch(client, url, stranger)).status_code == 404
