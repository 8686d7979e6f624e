"""Who is logged in to this browser tab; the login form; the page guard.

The browser keeps only a random token in a cookie; every protected page checks it against
the database on load (accounts.auth), so logging out or expiring a session ends access.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import quote

import reflex as rx

from ccms_app.accounts import auth
from ccms_app.accounts.auth import SESSION_COOKIE
from ccms_app.accounts.models import OperatorAccount
from ccms_app.core.config import get_settings
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

LOGIN_ROUTE = "/login"
HOME_ROUTE = "/"


def safe_next(path: str | None) -> str:
    """Where to go after login: a path on this site only (never `//evil.example`)."""
    if (
        not path
        or not path.startswith("/")
        or path.startswith("//")
        or "\\" in path  # browsers treat a backslash like a slash
        or not path.isprintable()
        or path.split("?")[0].rstrip("/") == LOGIN_ROUTE
    ):
        return HOME_ROUTE
    return path


class AuthState(rx.State):
    """The operator of this tab. Backend-only fields (underscore) never reach the browser."""

    session_token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        max_age=get_settings().session_hours * 3600,
        same_site="strict",
    )
    is_authenticated: bool = False
    operator_email: str = ""
    operator_name: str = ""
    is_admin: bool = False
    login_error: str = ""
    login_busy: bool = False
    _account_id: int = 0
    _organisation_id: int = 0

    @rx.var
    def operator_label(self) -> str:
        return self.operator_name or self.operator_email

    @event
    async def require_login(self):
        """Page guard (on_load): no valid session means the login page, then back here."""
        account = await asyncio.to_thread(auth.account_for_token, self.session_token)
        if account is None:
            self._forget()
            target = self.router.url.path or HOME_ROUTE
            if self.router.url.query:
                target = f"{target}?{self.router.url.query}"
            return rx.redirect(f"{LOGIN_ROUTE}?next={quote(safe_next(target), safe='')}")
        self._remember(account)
        return None

    @event
    async def skip_login_if_signed_in(self):
        """Login page on_load: an operator who is still signed in goes straight on."""
        self.login_error = ""
        self.login_busy = False
        account = await asyncio.to_thread(auth.account_for_token, self.session_token)
        if account is not None:
            self._remember(account)
            return rx.redirect(self._next_path())
        return None

    @event
    async def login(self, form_data: dict[str, str]):
        email = str(form_data.get("email", ""))
        password = str(form_data.get("password", ""))
        if not email.strip() or not password:
            self.login_error = "Enter your email and password."
            return
        self.login_busy = True
        self.login_error = ""
        yield
        try:
            token = await asyncio.to_thread(auth.authenticate, email, password)
            account = await asyncio.to_thread(auth.account_for_token, token)
        except auth.AuthenticationError as exc:
            self.login_busy = False
            self.login_error = str(exc)
            return
        except Exception:
            log.exception("login failed unexpectedly")
            self.login_busy = False
            self.login_error = "Login is not possible right now. Please try again."
            return
        self.login_busy = False
        if account is None:  # deactivated between the two calls
            self.login_error = auth.LOGIN_FAILED_MESSAGE
            return
        self.session_token = token
        self._remember(account)
        yield rx.redirect(self._next_path())

    @event
    async def logout(self):
        token = self.session_token
        await asyncio.to_thread(auth.end_session, token)
        self.session_token = ""
        self._forget()
        return rx.redirect(LOGIN_ROUTE)

    def _next_path(self) -> str:
        return safe_next(self.router.url.query_parameters.get("next"))

    def _remember(self, account: OperatorAccount) -> None:
        self.is_authenticated = True
        self.operator_email = account.email
        self.operator_name = account.full_name
        self.is_admin = account.is_admin
        self._account_id = account.id or 0
        self._organisation_id = account.organisation_id

    def _forget(self) -> None:
        self.is_authenticated = False
        self.operator_email = ""
        self.operator_name = ""
        self.is_admin = False
        self._account_id = 0
        self._organisation_id = 0
