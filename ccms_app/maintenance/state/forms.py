"""The one way Maintenance's dialog forms save: the use case with the event's caller, in a
thread, while the form shows busy; a bad field lands under the field (`errors`), a refusal
(not found, not allowed, a state the object is not in) in the form's message.

Alarm rules, vendor error codes, maintenance settings, plans and the new work order dialog
save (and delete) through `submit`, so each handler only says what it does and what it
shows after.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast

import reflex as rx

from ccms_app.accounts.roles import Caller, InputError, NotFoundError, RefusedError
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.maintenance.work_orders.common import WorkOrderError
from ccms_app.system.state.accounts import event_caller

REFUSALS = (InputError, NotFoundError, RefusedError, WorkOrderError)


class Form(Protocol):
    """The vars every such dialog state has."""

    errors: dict[str, str]
    message: str
    busy: bool


@dataclass(frozen=True)
class Saved:
    """What the use case returned (`value`), or why nothing was saved (`shown`: the toast for an
    ended session, else None: the form already shows the reason)."""

    ok: bool
    value: Any = None
    shown: Any = None


async def submit(state: rx.State, work: Callable[[Caller], Any]) -> Saved:
    """`work(caller)` for the event's caller; its field errors / refusal onto the form, or
    none once it succeeds (typing does not clear them: `ui.inputs` says why)."""
    caller = await event_caller(state)
    form = cast(Form, state)
    if caller is None:
        return Saved(False, shown=rx.toast.error(tr(SESSION_ENDED)))
    form.busy = True
    try:
        value = await asyncio.to_thread(work, caller)
    except InputError as exc:
        form.errors, form.message = dict(exc.errors), ""
        return Saved(False)
    except REFUSALS as exc:
        form.errors, form.message = {}, str(exc)
        return Saved(False)
    finally:
        form.busy = False
    form.errors, form.message = {}, ""
    return Saved(True, value)
