"""Driver accounts for tests: made through the real sign-up use case, signed in with a real
session; `cookies` and `driver_tab(driver)` are what a browser or a tab would send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from reflex.istate.data import RouterData
from reflex.state import State, StateUpdate

from ccms_app.accounts.auth import token_hash
from ccms_app.accounts.web_session import DRIVER_REF_COOKIE, DRIVER_SESSION_COOKIE
from ccms_app.core.db import session_scope
from ccms_app.core.types import utc_now
from ccms_app.driver_app import driver_accounts
from ccms_app.driver_app.models import DriverAccount
from tests.finance.test_tariff_states import Tab

PASSWORD = "lantern orbit tulip harbour"


@dataclass(frozen=True)
class SignedInDriver:
    account_id: int
    driver_id: int
    organisation_id: int
    email: str
    token: str
    app_id_tag: str

    @property
    def session_hash(self) -> str:
        return token_hash(self.token)

    @property
    def cookies(self) -> dict[str, str]:
        return {DRIVER_SESSION_COOKIE: self.token}


def signed_in_driver(
    email: str, name: str = "Dana Driver", verified: bool = True
) -> SignedInDriver:
    """A new driver account (the real sign-up), verified unless asked not to, signed in."""
    link = driver_accounts.sign_up(driver_accounts.SignUp(name, email, PASSWORD))
    with session_scope() as db:
        account = db.get(DriverAccount, link.account_id)
        assert account is not None
        account.email_verified_at = utc_now() if verified else None
        db.add(account)
        driver_id, organisation_id = account.driver_id, account.organisation_id
    token = driver_accounts.open_session(link.account_id)
    principal = driver_accounts.principal_for_session(token_hash(token))
    assert principal is not None
    return SignedInDriver(
        link.account_id, driver_id, organisation_id, email, token, principal.app_id_tag
    )


class DriverTab(Tab):
    """A driver app tab: the operator tab's `send` (each event through the real gate first,
    as Reflex does, then the handler) and `state`, with the driver's cookie in its headers."""

    def at(self, path: str, query: str = "") -> DriverTab:
        cookie = f"theme=dark; {DRIVER_REF_COOKIE}={self.session_hash}" if self.session_hash else ""
        as_path = f"{path}?{query}" if query else path
        router_data = {
            "headers": {"cookie": cookie, "asgi-scope-client": "192.0.2.7", "host": "ccms.test"},
            "pathname": path,
            "asPath": as_path,
            "query": dict(parse_qsl(query)),
            "token": f"driver-tab-{self.session_hash[:8]}",
            "sid": "sid-d1",
        }
        self.root.router_data = router_data
        self.root.router = RouterData.from_router_data(router_data)
        return self


def driver_tab(driver: SignedInDriver | None, path: str = "/app") -> DriverTab:
    """A tab of `driver` (None: nobody signed in) showing `path`."""
    root = State(_reflex_internal_init=True)
    return DriverTab(root, driver.session_hash if driver else "").at(path)


def refused(update: Any) -> bool:
    """Whether the gate answered instead of the handler (a redirect or a toast)."""
    return isinstance(update, StateUpdate) and bool(update.events)


__all__ = ["PASSWORD", "DriverTab", "SignedInDriver", "driver_tab", "refused", "signed_in_driver"]
