"""A small paying network and the Stripe webhook endpoint, for the payments tests.

- `pay_world`: an operator (EUR, Europe/Berlin) with a sub-operator and an unrelated
  operator; drivers Zoë (card ZOE-CARD) and a stranger of the other operator; the group
  account "Fleet" (card FLEET-CARD charges the group); a card LOOSE that belongs to nobody.
- `webhook_app()`: the web port's HTTP app (build_api), /webhooks/stripe in it, for httpx.
- `deliver(...)`: a signed event POSTed to it, as Stripe would.
- `payments_served` / `payments_rest`: the web-port app over real HTTP (REST API at
  /api/v1 with the payments routers, and /webhooks/stripe).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from granian.constants import Interfaces
from granian.server.embed import Server
from sqlalchemy.engine import Engine
from starlette.applications import Starlette

from ccms_app.accounts import api_keys, audit
from ccms_app.accounts.models import Organisation
from ccms_app.api import build_api
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, IdTag, UserGroup
from ccms_app.finance.models import BillingProfile
from tests.api.rest import free_port
from tests.fixtures.fake_stripe import FakeStripe
from tests.fixtures.ocpp import eventually


@dataclass(frozen=True)
class PayWorld:
    organisation_id: int
    sub_operator_id: int
    other_organisation_id: int
    zoe: int
    stranger: int
    fleet: int

    @property
    def scope(self) -> frozenset[int]:
        return frozenset({self.organisation_id, self.sub_operator_id})

    @property
    def who(self) -> audit.Actor:
        return audit.Actor(None, self.organisation_id, "finance@example.com", "127.0.0.1")


@pytest.fixture
def pay_world(engine: Engine, organisation: Organisation) -> PayWorld:
    org_id = stored_id(organisation.id)
    with db.session_scope() as s:
        sub = Organisation(name="Sub Operator", parent_id=org_id)
        other = Organisation(name="Other Operator")
        s.add_all([sub, other])
        s.flush()
        s.add(BillingProfile(organisation_id=org_id, currency="EUR", time_zone="Europe/Berlin"))
        zoe = Driver(organisation_id=org_id, name="Zoë Müller", email="zoe@example.com")
        stranger = Driver(organisation_id=stored_id(other.id), name="Stranger")
        fleet = UserGroup(organisation_id=org_id, name="Fleet", billing_email="fleet@example.com")
        s.add_all([zoe, stranger, fleet])
        s.flush()
        s.add_all(
            [
                IdTag(organisation_id=org_id, id_tag="ZOE-CARD", driver_id=zoe.id),
                IdTag(organisation_id=org_id, id_tag="FLEET-CARD", group_id=fleet.id),
                IdTag(organisation_id=org_id, id_tag="LOOSE"),
            ]
        )
        return PayWorld(
            organisation_id=org_id,
            sub_operator_id=stored_id(sub.id),
            other_organisation_id=stored_id(other.id),
            zoe=stored_id(zoe.id),
            stranger=stored_id(stranger.id),
            fleet=stored_id(fleet.id),
        )


def webhook_app() -> Starlette:
    """The web port's HTTP app as the product mounts it (build_api): /webhooks/stripe in it."""
    return build_api()


@pytest.fixture
async def stripe_posts(engine: Engine) -> Any:
    """An httpx client on the webhook route (in-process ASGI)."""
    transport = httpx.ASGITransport(app=webhook_app(), client=("54.187.174.169", 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://ccms.test") as http:
        yield http


async def deliver(
    http: httpx.AsyncClient,
    fake: FakeStripe,
    event_type: str,
    obj: dict[str, Any],
    event_id: str | None = None,
    **sign: Any,
) -> httpx.Response:
    """POST a signed Stripe event to the webhook route."""
    payload, headers = fake.signed_request(event_type, obj, event_id, **sign)
    return await http.post("/webhooks/stripe", content=payload, headers=headers)


@pytest.fixture
async def payments_served(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    """The web-port app (build_api) on a real socket: REST API and /webhooks/stripe."""
    api_keys.forget_last_uses()
    port = free_port()
    app = build_api()
    server = Server(
        app, address="127.0.0.1", port=port, interface=Interfaces.ASGI, log_enabled=False
    )
    task = asyncio.create_task(server.serve())

    async def listening() -> bool:
        with contextlib.suppress(OSError):
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return True
        return False

    await eventually(listening, timeout=10)
    yield f"http://127.0.0.1:{port}"
    server.stop()
    await asyncio.wait_for(task, timeout=10)


@pytest.fixture
async def payments_rest(payments_served: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{payments_served}/api/v1", timeout=10) as http:
        yield http
