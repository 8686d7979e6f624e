"""The System page: network settings (unknown charge points) and recent security events.

Both concern the whole network, so only operators of the root organisation see them and
only its administrators change them. The gate checks the login and the role (system:view,
system:edit for the changes) before every event; the root-organisation check is here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import has_permission
from ccms_app.core.config import get_settings
from ccms_app.core.types import utc_now
from ccms_app.monitoring.view import format_time
from ccms_app.network import charger_security, security_events
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

EVENT_LIMIT = 50
KIND_LABELS = {
    "auth_missing": "No password sent",
    "auth_invalid": "Unusable credentials",
    "auth_failed": "Wrong password",
    "unknown_identity_refused": "Unknown identity refused",
    "auth_required": "No password set (required)",
    "duplicate_refused": "Second connection refused",
    "duplicate_replaced": "Connection replaced",
    "invalid_identity": "Invalid identity",
    "lookalike_identity": "Look-alike identity",
}


@dataclasses.dataclass
class SecurityEventRow:
    id: int = 0
    at: str = ""
    identity: str = ""
    remote: str = ""
    kind: str = ""
    label: str = ""
    detail: str = ""


def security_event_rows(views: list[security_events.SecurityEventView]) -> list[SecurityEventRow]:
    now = utc_now()
    return [
        SecurityEventRow(
            id=v.id,
            at=format_time(v.created_at, "UTC", now),
            identity=v.identity,
            remote=v.remote_address,
            kind=v.kind,
            label=KIND_LABELS.get(v.kind, v.kind),
            detail=v.detail,
        )
        for v in views
    ]


@guarded(Module.SYSTEM)
class SystemState(rx.State):
    """Per tab: what this operator may see and change on the System page."""

    loaded: bool = False
    can_view: bool = False  # an operator of the root organisation
    can_edit: bool = False  # ... and an administrator
    unknown_policy: str = charger_security.UNKNOWN_PENDING
    auth_required: bool = False
    duplicate_policy: str = charger_security.DUPLICATE_REFUSE
    events: rx.Field[list[SecurityEventRow]] = rx.field(default_factory=list)
    saving: bool = False
    error: str = ""
    ocpp_tls: bool = False

    @event
    async def load(self) -> None:
        account = await self._account()
        settings = await asyncio.to_thread(charger_security.network_settings)
        self._apply_permissions(account, settings)
        self.unknown_policy = settings.unknown_charge_points
        self.auth_required = settings.charger_auth_required
        self.duplicate_policy = settings.duplicate_connections
        self.ocpp_tls = get_settings().ocpp_tls
        self.error = ""
        self.events = await _event_rows() if self.can_view else []
        self.loaded = True

    @event
    async def refresh_events(self) -> None:
        if self.can_view:
            self.events = await _event_rows()

    @requires(Action.EDIT)
    @event
    async def set_unknown_policy(self, value: str):
        account = await self._account()
        settings = await asyncio.to_thread(charger_security.network_settings)
        self._apply_permissions(account, settings)
        if not self.can_edit:
            self.error = "Only administrators of the network operator can change this."
            return
        self.saving = True
        yield
        try:
            self.unknown_policy = await asyncio.to_thread(
                charger_security.set_unknown_charge_point_policy, value
            )
            self.error = ""
        except charger_security.ChargerSecurityError as exc:
            self.error = str(exc)
        finally:
            self.saving = False
        if not self.error:
            yield rx.toast.success(_policy_saved_text(self.unknown_policy))

    @requires(Action.EDIT)
    @event
    async def set_auth_required(self, required: bool):
        """Every known charge point must present its password, or connects without one."""
        if not await self._may_edit():
            return None
        self.auth_required = await asyncio.to_thread(
            charger_security.set_charger_auth_required, bool(required)
        )
        self.error = ""
        if self.auth_required:
            return rx.toast.success("Every charge point must now authenticate.")
        return rx.toast.success("Charge points without a password may connect again.")

    @requires(Action.EDIT)
    @event
    async def set_duplicate_policy(self, value: str):
        """What a second connection for a live identity without a password gets."""
        if not await self._may_edit():
            return None
        try:
            self.duplicate_policy = await asyncio.to_thread(
                charger_security.set_duplicate_connection_policy, value
            )
        except charger_security.ChargerSecurityError as exc:
            self.error = str(exc)
            return None
        self.error = ""
        if self.duplicate_policy == charger_security.DUPLICATE_REPLACE:
            return rx.toast.success("A second connection now replaces the live one.")
        return rx.toast.success("A second connection is now refused.")

    async def _may_edit(self) -> bool:
        """Re-check on the server: only administrators of the root operator change policies."""
        account = await self._account()
        settings = await asyncio.to_thread(charger_security.network_settings)
        self._apply_permissions(account, settings)
        if not self.can_edit:
            self.error = "Only administrators of the network operator can change this."
        return self.can_edit

    async def _account(self) -> AuthState | None:
        """The tab's login as the gate confirmed it for this event; None when signed out."""
        auth_state = await self.get_state(AuthState)
        return auth_state if auth_state.is_authenticated else None

    def _apply_permissions(
        self, account: AuthState | None, settings: charger_security.NetworkSettings
    ) -> None:
        in_root = account is not None and account._organisation_id == settings.operator_id
        # Before any organisation exists, an administrator may still set up the network.
        first_setup = account is not None and settings.operator_id is None
        self.can_view = in_root or first_setup
        self.can_edit = (
            self.can_view
            and account is not None
            and has_permission(account, Module.SYSTEM, Action.EDIT)
        )


def _policy_saved_text(policy: str) -> str:
    if policy == charger_security.UNKNOWN_REJECT:
        return "Unknown charge points are now refused."
    return "Unknown charge points are now kept Pending for registration."


async def _event_rows() -> list[SecurityEventRow]:
    try:
        views = await asyncio.to_thread(security_events.recent_security_events, EVENT_LIMIT)
    except Exception:
        log.exception("security events unavailable")
        return []
    return security_event_rows(views)
