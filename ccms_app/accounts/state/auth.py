"""Who is logged in to this browser tab, as the gate last confirmed it; the login page.

The tab holds no secret: the login cookie is HttpOnly and reaches Reflex only as its hash
(`accounts/web_session.py`). The gate (`gate.py`) re-reads the session from the database
before every event and writes what it found here, so these fields are never older than
the tab's last event; pages use them to hide what the role cannot use.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import reflex as rx

from ccms_app.accounts import auth, own_account
from ccms_app.accounts.gate_marks import optional_login, signed_in
from ccms_app.accounts.principals import Principal, principal_for_session
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.accounts.rules.redirects import HOME_ROUTE, LOGIN_ROUTE, safe_next
from ccms_app.core import i18n
from ccms_app.ui.events import event
from ccms_app.ui.reopen import FORGET_TAB_STATES_JS
from ccms_app.ui.state_writes import write_changed

# What a handler answers when the login ended under it (every module; shown as tr(...)).
SESSION_ENDED = i18n.N_("Your session has ended. Log in again.")
LOGIN_ERRORS = {
    "failed": auth.LOGIN_FAILED_MESSAGE,
    "missing": i18n.N_("Enter your email and password."),
    "busy": i18n.N_("Many logins are being checked right now. Please try again in a moment."),
    "throttled": i18n.N_("Too many failed attempts. Wait {wait} seconds, then try again."),
}
# "throttled" without a number of seconds (a link typed by hand)
THROTTLED_A_FEW = i18n.N_("Too many failed attempts. Wait a few seconds, then try again.")


class AuthState(rx.State):
    """The operator of this tab. Backend-only fields (underscore) never reach the browser."""

    is_authenticated: bool = False
    operator_email: str = ""
    operator_name: str = ""
    organisation_name: str = ""
    role_name: str = ""
    permissions: rx.Field[list[str]] = rx.field(default_factory=list)
    read_only_reason: str = ""
    login_error: str = ""
    login_next: str = ""
    # The language this tab reads CCMS in: the account's choice, else the one picked on the
    # login page, else the browser's (Accept-Language).
    language: str = i18n.DEFAULT
    _language_chosen: bool = False
    _account_id: int = 0
    _organisation_id: int = 0
    _session_hash: str = ""

    @rx.var
    def operator_label(self) -> str:
        return self.operator_name or self.operator_email

    @rx.var
    def messages(self) -> dict[str, str]:
        """The language's catalog (msgid -> text; empty for English): `ui.i18n.t` reads it."""
        return i18n.catalog(self.language)

    @optional_login
    @event
    async def choose_language(self, code: str):
        """The language picker: this tab at once, and the account's language from now on."""
        code = str(code)
        if not i18n.is_language(code):
            return rx.toast.error(i18n.gettext(self.language, "Unknown language."))
        self.language, self._language_chosen = code, True
        if self.is_authenticated:
            await asyncio.to_thread(own_account.set_language, self._account_id, code)
            if self.read_only_reason:  # the licence's banner, in the new language at once
                principal = await asyncio.to_thread(principal_for_session, self._session_hash)
                if principal is not None:
                    with i18n.reading_as(code, principal.organisation_id):
                        self.read_only_reason = principal.read_only_text()
        return None

    def _follow_browser(self) -> None:
        """Before anyone chose: the browser's language."""
        if not self._language_chosen:
            found = i18n.negotiate(self.router.headers.accept_language)
            if found != self.language:
                self.language = found

    @signed_in
    @event
    async def require_login(self):
        """Page guard (on_load). The gate already refused a dead session; this only sends a
        tab that somehow got here without one to the login page."""
        self._follow_browser()
        if not self.is_authenticated:
            return rx.redirect(login_url(self.router.url.path, self.router.url.query))
        return None

    @optional_login
    @event
    def show_login(self):
        """Login page on_load: the form's error (a code from the login route) and target."""
        params = self.router.url.query_parameters
        asked = str(params.get("lang", ""))
        if i18n.is_language(asked):  # a link in a language: /login?lang=zh_Hans
            self.language, self._language_chosen = asked, True
        self._follow_browser()
        self.login_next = safe_next(params.get("next"))
        template = LOGIN_ERRORS.get(str(params.get("error", "")))
        wait = str(params.get("wait", ""))
        if template == LOGIN_ERRORS["throttled"] and not wait.isdigit():
            template = THROTTLED_A_FEW
        self.login_error = (
            "" if template is None else i18n.gettext(self.language, template, wait=wait)
        )
        if self.is_authenticated:  # still signed in: straight on
            return rx.redirect(self.login_next)
        return None

    @signed_in
    @event
    async def logout(self):
        """End this login everywhere at once (every tab's next event is refused), then let
        the HTTP route clear the cookie."""
        await asyncio.to_thread(auth.end_session_by_hash, self._session_hash)
        self._clear_login()
        # A full page load (Reflex's redirect stays inside the page's router): the route
        # clears the HttpOnly cookie, which page scripts cannot.
        return rx.call_script(FORGET_TAB_STATES_JS + "window.location.replace('/auth/logout')")

    def _take_login(self, principal: Principal) -> None:
        """Copy what the gate found; assignments of unchanged values are skipped so an
        event that changes nothing sends nothing."""
        if principal.language and i18n.is_language(principal.language):
            if self.language != principal.language:
                self.language = principal.language
            self._language_chosen = True
        with i18n.reading_as(self.language, principal.organisation_id):
            reason = principal.read_only_text()  # the banner, in the tab's language
        values = {
            "is_authenticated": True,
            "operator_email": principal.email,
            "operator_name": principal.full_name,
            "organisation_name": principal.organisation_name,
            "role_name": principal.role_name,
            "permissions": sorted(principal.permissions),
            "read_only_reason": reason,
        }
        write_changed(self, values)
        self._account_id = principal.account_id
        self._organisation_id = principal.organisation_id
        self._session_hash = principal.session_hash

    def _clear_login(self) -> None:
        if self.is_authenticated:
            self.is_authenticated = False
            self.operator_email = ""
            self.operator_name = ""
            self.organisation_name = ""
            self.role_name = ""
            self.permissions = []
            self.read_only_reason = ""
        self._account_id = 0
        self._organisation_id = 0
        self._session_hash = ""


def has_permission(auth_state: AuthState, module: Module, action: Action = Action.VIEW) -> bool:
    """What the gate found for this event (it re-reads the session before each)."""
    return auth_state.is_authenticated and permission(module, action) in auth_state.permissions


def acting_email(auth_state: AuthState) -> str:
    """Who acts (command records, audit); "" when signed out."""
    return auth_state.operator_email if auth_state.is_authenticated else ""


def login_url(path: str | None, query: str | None = None) -> str:
    """The login page, coming back to `path` afterwards."""
    target = path or HOME_ROUTE
    if query:
        target = f"{target}?{query}"
    return f"{LOGIN_ROUTE}?next={quote(safe_next(target), safe='')}"
