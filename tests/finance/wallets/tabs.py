"""A browser tab of a login, whose events go through the real gate first (as in
tests/finance/test_tariff_states.py), for the wallet and voucher page states."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reflex.event import Event
from reflex.istate.data import RouterData
from reflex.state import BaseState, State

from ccms_app.accounts import auth
from ccms_app.accounts.models import LoginSession, OperatorAccount, Role
from ccms_app.accounts.rules.permissions import ADMINISTRATOR
from ccms_app.accounts.state.gate import GateMiddleware
from ccms_app.accounts.web_session import SESSION_REF_COOKIE
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now


@dataclass
class Tab:
    root: State
    session_hash: str

    def at(self, path: str, socket: str = "sid-1") -> Tab:
        """The tab showing `path` (what on_load handlers read from the router), its events
        coming over websocket `socket` (another one: after a reconnect)."""
        router_data = {
            "headers": {
                "cookie": f"{SESSION_REF_COOKIE}={self.session_hash}",
                "asgi-scope-client": "192.0.2.7",
            },
            "pathname": path,
            "asPath": path,
            "token": f"tab-{self.session_hash[:8]}",
            "sid": socket,
        }
        self.root.router_data = router_data
        self.root.router = RouterData.from_router_data(router_data)
        return self

    async def send(self, cls: type[BaseState], handler: str, **payload: Any) -> Any:
        """The event through the gate (its refusal, a StateUpdate), then the handler."""
        event = Event(name=f"{cls.get_full_name()}.{handler}", payload=payload)
        refused = await GateMiddleware().preprocess(app=None, state=self.root, event=event)
        if refused is not None:
            return refused
        state = await self.root.get_state(cls)
        result = getattr(state, handler)(**payload)
        return await result if hasattr(result, "__await__") else result

    async def state(self, cls: type[BaseState]) -> Any:
        return await self.root.get_state(cls)


def login(organisation_id: int, email: str, permissions: set[str] | None = None) -> Tab:
    """A tab of a new login: an administrator, or a role holding exactly `permissions`."""
    with session_scope() as s:
        if permissions is None:
            role_id = auth.built_in_role_id(s, ADMINISTRATOR)
        else:
            role = Role(
                name=f"Role of {email}",
                organisation_id=organisation_id,
                permissions=",".join(sorted(permissions)),
            )
            s.add(role)
            s.flush()
            role_id = int(role.id or 0)
        account = OperatorAccount(
            organisation_id=organisation_id, email=email, password_hash="-", role_id=role_id
        )
        s.add(account)
        s.flush()
        session_hash = auth.token_hash(secrets.token_urlsafe(32))
        s.add(
            LoginSession(
                account_id=account.id,
                token_hash=session_hash,
                expires_at=utc_now() + timedelta(days=1),
            )
        )
    return Tab(State(_reflex_internal_init=True), session_hash).at("/finance/wallets")
