"""The own account page (/account): who this login is, and changing its password.

Open to every live login whatever its role (`@signed_in`). The password change is admitted by
the same back-off as the login form (`login_guard.attempt`): a tab left open must not become
a way to guess the account's password. (Its hashing runs on an ordinary worker thread, not
the login's low-priority ones: the change also writes to the database, which those threads
never hold.) Passwords arrive in the form's payload
only and are never kept in a state field.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from ccms_app.accounts import own_account
from ccms_app.accounts.gate_marks import signed_in
from ccms_app.accounts.login_guard import LoginBusy, LoginThrottled, login_guard
from ccms_app.accounts.own_account import InputError, WrongPasswordError
from ccms_app.accounts.state.auth import SESSION_ENDED, AuthState
from ccms_app.core.display import format_time
from ccms_app.core.i18n import N_, tr
from ccms_app.core.types import utc_now
from ccms_app.ui.events import event


class OwnAccountState(rx.State):
    """What the page shows of the account, and the password form's outcome."""

    loaded: bool = False
    full_name: str = ""
    email: str = ""
    role_name: str = ""
    organisation_name: str = ""
    last_login: str = ""
    must_change_password: bool = False
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False

    @signed_in
    @event
    async def load(self) -> None:
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return
        mine = await asyncio.to_thread(own_account.own_account, auth_state._account_id)
        if mine is None:
            return
        self.full_name, self.email = mine.full_name, mine.email
        self.role_name, self.organisation_name = mine.role_name, mine.organisation_name
        last = mine.last_login_at
        self.last_login = format_time(last, "UTC", utc_now()) if last else N_("never")
        self.must_change_password = mine.must_change_password
        self.errors, self.message, self.busy = {}, "", False
        self.loaded = True

    @signed_in
    @event
    async def change_password(self, password_form: dict[str, Any]) -> Any:
        """Current password, new one twice; other sessions of the account end."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            yield rx.toast.error(tr(SESSION_ENDED))
            return
        email, address = auth_state.operator_email, _remote_address(self)
        self.errors, self.message = {}, ""
        self.busy = True
        yield
        try:
            with login_guard.attempt(email, address):
                try:
                    await asyncio.to_thread(
                        own_account.change_own_password,
                        auth_state._account_id,
                        auth_state._session_hash,
                        str(password_form.get("current_password", "")),
                        str(password_form.get("new_password", "")),
                        str(password_form.get("new_password_again", "")),
                        address,
                    )
                except WrongPasswordError:
                    login_guard.failed(email, address)  # counted while still in flight
                    raise
        except LoginThrottled as exc:
            self.message = tr(
                "Too many wrong passwords. Wait {wait_seconds:.0f} seconds.",
                wait_seconds=exc.wait_seconds,
            )
            return
        except LoginBusy:
            self.message = tr("Many passwords are being checked right now. Try again in a moment.")
            return
        except WrongPasswordError as exc:
            self.errors = {"current_password": str(exc)}
            return
        except InputError as exc:
            self.errors = dict(exc.errors)
            return
        finally:
            self.busy = False
        login_guard.succeeded(email)
        self.must_change_password = False
        yield rx.toast.success(tr("Password changed. Your other sessions have been logged out."))


def _remote_address(state: rx.State) -> str:
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    return str(headers.get("asgi-scope-client", ""))
