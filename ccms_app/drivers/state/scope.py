"""What every Users state shares: the signed-in operator's scope, running a service call in
it (refusals become a sentence for a toast), and reading ids as the browser sends them.

The lowest of the Users state modules: lists, details, forms and actions all build on it, so
none of them has to import another just for these helpers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import reflex as rx

from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.drivers.common import NotFoundError, RefusedError, Scope


async def operator_scope(state: rx.State) -> Scope | None:
    """The signed-in operator's scope; None when signed out."""
    auth_state = await state.get_state(AuthState)
    if not auth_state.is_authenticated or not auth_state._organisation_id:
        return None
    return await asyncio.to_thread(Scope.of, auth_state._organisation_id)


async def run_scoped(state: rx.State, work: Callable[[Scope], Any]) -> tuple[Any, str]:
    """(result, "") or (None, what went wrong) for a service call in the operator's scope.
    UserInputError is left to the caller (it belongs to the form's fields)."""
    scope = await operator_scope(state)
    if scope is None:
        return None, tr(SESSION_ENDED)
    try:
        return await asyncio.to_thread(work, scope), ""
    except (RefusedError, NotFoundError) as exc:
        return None, sentence(str(exc))


async def tab_language(state: rx.State) -> str:
    """The language the tab reads in (what a page's text was worded in, to word it again
    after a switch: `follow_language`)."""
    return (await state.get_state(AuthState)).language


def sentence(text: str) -> str:
    """A service message as a sentence for a toast: capital first letter."""
    return text[:1].upper() + text[1:] if text else text


def as_id(value: Any) -> int:
    """A row id as the browser sends it ("12", 12, "") -> 12 (0 when not a number)."""
    try:
        return int(str(value).strip() or 0)
    except ValueError:
        return 0


def optional_id(value: Any) -> int | None:
    return as_id(value) or None
