"""Who is signed in to this driver app tab, as the driver gate last confirmed it.

The driver gate (`driver_gate`, registered with the event gate) runs before every handler of
a `@driver_state` state: it reads the tab's driver sign-in (the hash the scrubber left of the
`ccms_driver_session` cookie; never the operator's), checks it in the database, and writes
the driver into this state. Use cases take `_driver_id` / `_account_id` / `_organisation_id`
from here, never from the event's payload. The tab's language is the app's `AuthState.
language` (what `t()` reads): the driver's choice, else the browser's.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx
from reflex.state import BaseState

from ccms_app.accounts.gate_marks import driver_state, public
from ccms_app.accounts.login_guard import MAX_EMAIL_CHARS
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.web_session import driver_session_hash_from_cookie_header
from ccms_app.core import i18n
from ccms_app.core.config import get_settings
from ccms_app.core.i18n import N_, set_reader_language, tr
from ccms_app.driver_app import driver_accounts, mails
from ccms_app.driver_app.driver_accounts import DriverPrincipal
from ccms_app.driver_app.errors import DriverAppError
from ccms_app.driver_app.models import TokenPurpose
from ccms_app.driver_app.rules.paths import safe_app_next, sign_in_url
from ccms_app.driver_app.state import live_feed
from ccms_app.ui.events import event
from ccms_app.ui.reopen import FORGET_TAB_STATES_JS
from ccms_app.ui.state_writes import write_changed

SIGN_IN_ERRORS = {
    "failed": N_("Unknown email or wrong password."),
    "missing": N_("Enter your email and password."),
    "busy": N_("Many sign-ins are being checked right now. Please try again in a moment."),
    "throttled": N_("Too many failed attempts. Wait a minute, then try again."),
}
SIGN_UP_ERRORS = {
    "name": N_("Enter your name."),
    "email": N_("That is not a valid e-mail address."),
    "taken": N_("An account with this e-mail address exists already. Sign in instead."),
    "weak": N_(
        "Choose a stronger password: at least 12 characters, not a common password, not "
        "your name or e-mail. A few unrelated words work well."
    ),
    "failed": N_("That did not work. Please try again."),
}
RESET_ERRORS = {
    "link": N_("This link is not valid any more. Ask for a new one."),
    "weak": SIGN_UP_ERRORS["weak"],
}


@driver_state
class DriverAuthState(rx.State):
    """The driver of this tab. Underscored fields never reach the browser."""

    signed_in: bool = False
    driver_name: str = ""
    email: str = ""
    verified: bool = False
    form_error: str = ""  # the sign-in / sign-up / reset page's message (from a code)
    form_notice: str = ""
    form_next: str = ""
    form_name: str = ""
    form_email: str = ""
    reset_token: str = ""
    _account_id: int = 0
    _driver_id: int = 0
    _organisation_id: int = 0
    _app_id_tag: str = ""
    _session_hash: str = ""

    def _take(self, driver: DriverPrincipal) -> None:
        values = {
            "signed_in": True,
            "driver_name": driver.name,
            "email": driver.email,
            "verified": driver.verified,
        }
        write_changed(self, values)
        self._account_id = driver.account_id
        self._driver_id = driver.driver_id
        self._organisation_id = driver.organisation_id
        self._app_id_tag = driver.app_id_tag
        self._session_hash = driver.session_hash

    def _clear(self) -> None:
        if self.signed_in:
            self.signed_in = False
            self.driver_name = self.email = ""
            self.verified = False
        self._account_id = self._driver_id = self._organisation_id = 0
        self._app_id_tag = self._session_hash = ""

    def _principal(self) -> DriverPrincipal:
        """The driver the gate confirmed for this event (use cases take it)."""
        return DriverPrincipal(
            account_id=self._account_id,
            driver_id=self._driver_id,
            organisation_id=self._organisation_id,
            email=self.email,
            name=self.driver_name,
            verified=self.verified,
            language="",
            app_id_tag=self._app_id_tag,
            session_hash=self._session_hash,
        )

    async def _watch_live(self, state: BaseState, charge_point_ids: Collection[int]) -> None:
        """Push fresh rows to `state` (its `refresh_live()`) when these charge points change."""
        auth_state = await self.get_state(AuthState)
        live_feed.watch(state, charge_point_ids, self._session_hash, auth_state.language)

    @event
    async def require_driver(self) -> Any:
        """Page guard (on_load of every app page): the gate already refused a tab without a
        driver. Says what the sign-up and the verification link did (`?welcome=1`,
        `?verified=1|0` from the routes)."""
        params = self.router.url.query_parameters
        if str(params.get("welcome", "")) == "1":
            if self.verified:
                return rx.toast.success(tr("Welcome! Your account is ready."))
            return rx.toast.success(
                tr("Welcome! We sent a link to {email}: open it to confirm it.", email=self.email)
            )
        verified = str(params.get("verified", ""))
        if verified == "1":
            return rx.toast.success(tr("Your e-mail address is confirmed."))
        if verified == "0":
            return rx.toast.error(tr("This link is not valid any more. Ask for a new one."))
        return None

    @event
    async def resend_verification(self) -> Any:
        link = await asyncio.to_thread(driver_accounts.new_verification_link, self._account_id)
        if link is None:
            return rx.toast.info(tr("Your e-mail address is confirmed already."))
        base = _base_url(self)
        sent = await asyncio.to_thread(mails.send_link, link, TokenPurpose.VERIFY_EMAIL, base)
        if not sent:
            return rx.toast.error(tr("The e-mail could not be sent. Please try again later."))
        return rx.toast.success(tr("We sent a new link to {email}.", email=self.email))

    @event
    async def choose_language(self, code: str) -> Any:
        """The driver's language, for this tab at once and for the account from now on."""
        code = str(code)
        try:
            await asyncio.to_thread(driver_accounts.set_language, self._account_id, code)
        except DriverAppError as exc:
            return rx.toast.error(str(exc))
        auth_state = await self.get_state(AuthState)
        auth_state.language, auth_state._language_chosen = code, True
        return None

    @event
    async def sign_out(self) -> Any:
        self._clear()
        return rx.call_script(FORGET_TAB_STATES_JS + "window.location.replace('/app/auth/logout')")

    @public("the sign-in page's message and target, from the sign-in route's codes")
    @event
    async def show_sign_in(self) -> Any:
        params = self.router.url.query_parameters
        await self._follow_browser()
        self.form_next = safe_app_next(str(params.get("next", "")))
        self.form_error = _worded(SIGN_IN_ERRORS, str(params.get("error", "")))
        self.form_notice = (
            tr("Your new password is set. Sign in with it.")
            if str(params.get("reset", "")) == "1"
            else ""
        )
        if await _driver_of_tab(self) is not None:  # still signed in: straight on
            return rx.redirect(self.form_next)
        return None

    @public("the sign-up page's message, from the sign-up route's codes")
    @event
    async def show_sign_up(self) -> Any:
        params = self.router.url.query_parameters
        await self._follow_browser()
        self.form_error = _worded(SIGN_UP_ERRORS, str(params.get("error", "")))
        self.form_name = str(params.get("name", ""))[:200]
        self.form_email = str(params.get("email", ""))[:MAX_EMAIL_CHARS]
        return None

    @public("the password pages' messages, from the routes' codes")
    @event
    async def show_password_page(self) -> Any:
        params = self.router.url.query_parameters
        await self._follow_browser()
        self.form_error = _worded(RESET_ERRORS, str(params.get("error", "")))
        self.reset_token = str(params.get("token", ""))[:100]
        sent = str(params.get("sent", "")) == "1"
        self.form_notice = (
            tr("If an account has this address, we sent it a link. Check your mailbox.")
            if sent
            else ""
        )
        return None

    async def _follow_browser(self) -> None:
        auth_state = await self.get_state(AuthState)
        auth_state._follow_browser()
        set_reader_language(auth_state.language)


def _worded(table: dict[str, str], code: str) -> str:
    return tr(table[code]) if code in table else ""


def _base_url(state: BaseState) -> str:
    from_settings = get_settings().public_url
    if from_settings:
        return from_settings.rstrip("/")
    headers = state.router.headers
    origin = str(getattr(headers, "origin", "") or "")
    return origin.rstrip("/") or f"http://{headers.host}"


async def _driver_of_tab(state: BaseState) -> DriverPrincipal | None:
    headers = state.router_data.get("headers", {}) if state.router_data else {}
    session_hash = driver_session_hash_from_cookie_header(str(headers.get("cookie", "")))
    return await asyncio.to_thread(driver_accounts.principal_for_session, session_hash)


async def driver_gate(state: BaseState) -> list[Any] | None:
    """The event gate's driver check: None lets the event through (the driver written into
    DriverAuthState, the reader's language set), else the events that refuse it."""
    driver_auth = await state.get_state(DriverAuthState)
    auth_state = await state.get_state(AuthState)
    driver = await _driver_of_tab(state)
    if driver is None:
        driver_auth._clear()
        set_reader_language(auth_state.language)
        url = state.router.url
        return [rx.redirect(sign_in_url(url.path, url.query))]
    if driver.language and i18n.is_language(driver.language):
        if auth_state.language != driver.language:
            auth_state.language = driver.language
        auth_state._language_chosen = True
    else:
        auth_state._follow_browser()
    driver_auth._take(driver)
    set_reader_language(auth_state.language, driver.organisation_id)
    return None
