"""What the tariff states share: who calls (scope, organisation, actor) and how times and
ids arrive from the browser and go back to it.

The finance use cases take the caller's scope as organisation ids; the gate has already
checked the login and the permission, this only reads what it found (AuthState).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import reflex as rx

from ccms_app.accounts import organisations
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import acting_email
from ccms_app.core.display import time_zone
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.finance import billing_profiles
from ccms_app.finance.billing_profiles import ProfileNotFound
from ccms_app.finance.models import BillingProfile

TARIFFS_ROUTE = "/finance/tariffs"
LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what <input type="datetime-local"> sends and shows


@dataclass(frozen=True)
class Caller:
    """The signed-in operator: every organisation it may see, its own, and its email."""

    scope: frozenset[int]
    organisation_id: int
    actor: str


async def caller(state: rx.State) -> Caller | None:
    """The tab's operator; None when signed out."""
    auth_state = await state.get_state(AuthState)
    if not auth_state.is_authenticated or not auth_state._organisation_id:
        return None
    organisation_id = auth_state._organisation_id
    scope = await asyncio.to_thread(organisations.organisation_scope, organisation_id)
    return Caller(scope, organisation_id, acting_email(auth_state))


def operator_profile(who: Caller) -> BillingProfile:
    """The operator's billing defaults (currency, VAT, rounding, zone); defaults if none."""
    try:
        return billing_profiles.get_profile(who.organisation_id, who.scope)
    except ProfileNotFound:
        return BillingProfile(organisation_id=who.organisation_id)


def as_id(value: Any) -> int:
    """A row id as the browser sends it ("12", 12, "") -> 12 (0 when not a number)."""
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        return 0


def id_from_path(path: str, prefix: str) -> int:
    """`/finance/tariffs/12` -> 12; 0 for `/finance/tariffs/new` or no number."""
    tail = path.split(prefix + "/", 1)[1] if prefix + "/" in path else ""
    return as_id(tail.strip("/").split("/")[0])


def local_text(value: datetime, zone: str) -> str:
    """A UTC time as the zone's wall clock, "2026-03-02 17:30 CET"."""
    return value.astimezone(time_zone(zone)).strftime("%Y-%m-%d %H:%M %Z")


def local_input(value: datetime, zone: str) -> str:
    """A UTC time as a datetime-local input's value in the zone."""
    return value.astimezone(time_zone(zone)).strftime(LOCAL_INPUT)


def parse_local(text: str, zone: str) -> datetime | None:
    """A datetime-local value read in the zone, as UTC; None when it is not a time."""
    try:
        return wall_time_to_utc(text, zone)
    except ValueError:
        return None
