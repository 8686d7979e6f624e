"""The charge point password dialog (OCPP Security Profile 1): generate, set or clear.

A generated password is shown once, until the dialog closes: CCMS keeps only its hash.
The gate lets only roles with assets:edit change it (the button shows only to them); every
event here checks that the charge point is in the operator's organisation scope.
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import N_, tr
from ccms_app.network import charger_security
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

GONE = N_("This charge point no longer exists or is not yours.")


@guarded(Module.ASSETS)
class ChargePointSecurityState(rx.State):
    """Per tab: the charge point the dialog is open for and what happened."""

    dialog_open: bool = False
    charge_point_id: int = 0
    identity: str = ""
    has_password: bool = False
    password: str = ""
    revealed_key: str = ""
    busy: bool = False
    message: str = ""
    error: str = ""
    load_error: str = ""

    @event
    async def open_for(self, charge_point_id: int) -> None:
        self._reset_dialog()
        self.dialog_open = True
        self.charge_point_id = charge_point_id
        problem = await self._check_access()
        if problem:
            self.load_error = problem

    @event
    def set_dialog_open(self, value: bool) -> None:
        self.dialog_open = value
        if not value:
            self._reset_dialog()  # a generated key is never shown again

    @event
    def set_password(self, value: str) -> None:
        self.password = value
        self.error = ""

    @requires(Action.EDIT)
    @event
    async def generate(self):
        async for update in self._change(None):
            yield update

    @requires(Action.EDIT)
    @event
    async def save_password(self):
        if not self.password:
            self.error = tr("Type a password, or generate one.")
            return
        async for update in self._change(self.password):
            yield update

    @requires(Action.EDIT)
    @event
    async def clear_password(self):
        async for update in self._change("", clear=True):
            yield update

    async def _change(self, password: str | None, clear: bool = False):
        """Set (None = generate) or clear, after re-checking who may; yields UI updates."""
        problem = await self._check_access()
        if problem:
            self.error = problem
            return
        self.busy, self.error, self.message, self.revealed_key = True, "", "", ""
        yield
        try:
            if clear:
                await asyncio.to_thread(
                    charger_security.clear_charge_point_password, self.charge_point_id
                )
                self.message = tr("Password cleared: it connects without authentication.")
            else:
                key = await asyncio.to_thread(
                    charger_security.set_charge_point_password, self.charge_point_id, password
                )
                self.revealed_key = key if password is None else ""
                self.message = tr(
                    "Password set: it applies from the charge point's next connection."
                )
            self.has_password = not clear
            self.password = ""
        except charger_security.ChargerSecurityError as exc:
            self.error = str(exc)
        except LookupError:
            self.error = tr(GONE)
        except Exception:
            log.exception("password change failed", extra={"cp": self.charge_point_id})
            self.error = tr("The password could not be changed. Please try again.")
        finally:
            self.busy = False
        if self.message and not self.error:
            yield rx.toast.success(
                tr("{identity}: {message}", identity=self.identity, message=self.message)
            )

    async def _check_access(self) -> str:
        """ "" when the charge point is in this tab's operator's scope, else why not. Also
        refreshes the identity and whether a password is set."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return tr("Your session has ended. Log in again.")
        info = await asyncio.to_thread(charger_security.charge_point_security, self.charge_point_id)
        scope = await asyncio.to_thread(
            organisations.organisation_scope, auth_state._organisation_id
        )
        if info is None or info.organisation_id not in scope:
            return tr(GONE)
        self.identity, self.has_password = info.identity, info.has_password
        return ""

    def _reset_dialog(self) -> None:
        self.charge_point_id = 0
        self.identity = ""
        self.has_password = False
        self.password = ""
        self.revealed_key = ""
        self.busy = False
        self.message = ""
        self.error = ""
        self.load_error = ""
