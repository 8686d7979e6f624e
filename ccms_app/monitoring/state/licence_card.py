"""The licence card on a sub-operator's Home: what the licence allows and how much is used.

Read on page load (a licence changes rarely; the figures follow the next visit). The network
operator itself has no licence terms and sees no card.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from ccms_app.accounts import licences
from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.ui.events import event


@guarded(Module.HOME)
class LicenceCardState(rx.State):
    shown: bool = False
    organisation: str = ""
    charge_points: str = ""
    connectors: str = ""
    validity: str = ""
    status: str = ""
    at_limit: bool = False
    read_only_reason: str = ""

    @event
    async def load(self) -> None:
        auth_state = await self.get_state(AuthState)
        summary = await asyncio.to_thread(licences.licence_summary, auth_state._organisation_id)
        self.shown = summary is not None
        if summary is None:
            return
        self.organisation = summary.organisation_name
        self.charge_points = summary.charge_points_text
        self.connectors = summary.connectors_text
        self.validity = summary.validity_text
        self.status = summary.status.value
        self.at_limit = summary.at_limit
        self.read_only_reason = summary.read_only_reason
