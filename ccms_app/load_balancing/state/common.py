"""What every Load Balancing state shares: the site id from the URL, the caller, and the
dialog form behaviour (typed values, every field's error, the form's message, busy).

Forms save through `run_form` (`maintenance.state.forms.submit`): the use case runs with the event's
caller in a thread, its `InputError` lands under the fields, any other refusal in the form's
message, both kept until the next save (`ui.inputs` says why). Values go to the use cases as
the typed text; they parse and check it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import reflex as rx

from ccms_app.accounts.roles import Caller, NotFoundError, RefusedError
from ccms_app.drivers.state.detail import id_from_path
from ccms_app.load_balancing.site_rows import InUseError
from ccms_app.maintenance.state.forms import Saved, submit
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event

ROUTE = "/load-balancing"
SITE_PREFIX = "/load-balancing/site"
T = TypeVar("T")
NONE = "none"  # a select's "nothing chosen" (select items cannot have an empty value)


def site_route(site_id: int | str) -> str:
    return f"{SITE_PREFIX}/{site_id}"


def site_id_of(state: rx.State) -> int:
    """The site of the page the tab shows (0 when it is not a site page)."""
    return id_from_path(state.router.url.path, SITE_PREFIX)


def options(choices: list[tuple[int, str]]) -> list[list[str]]:
    """(id, name) pairs as a select's [value, label] items."""
    return [[str(i), name] for i, name in choices]


def cleaned(values: dict[str, str]) -> dict[str, str]:
    """The form's text as the use cases take it: a select's "none" is empty."""
    return {key: ("" if value == NONE else value) for key, value in values.items()}


def _refusing(work: Callable[[Caller], Any], caller: Caller) -> Any:
    try:
        return work(caller)
    except InUseError as exc:  # the root, a node with something below it: say what
        raise RefusedError(str(exc)) from exc


async def read_site_page(state: rx.State, build: Callable[[Caller, int], T]) -> T | None:
    """`build(caller, site id)` in a thread for the page's site: None when the tab is signed
    out or the site is not (or no longer) the caller's to see."""
    caller = await event_caller(state)
    if caller is None:
        return None
    try:
        return await asyncio.to_thread(build, caller, site_id_of(state))
    except NotFoundError:
        return None


async def run_form(state: rx.State, work: Callable[[Caller], Any]) -> Saved:
    """`maintenance.state.forms.submit`, with "still in use" shown as the form's message."""
    return await submit(state, lambda caller: _refusing(work, caller))


class LbForm(rx.State, mixin=True):
    """A create / edit dialog (`mode` "create" | "edit" | "" closed) or an inline form."""

    mode: str = ""
    editing_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    confirm_delete: bool = False

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.mode, self.confirm_delete = "", False

    @event
    def set_confirm_delete(self, value: bool) -> None:
        self.confirm_delete = bool(value)

    async def _save_dialog(
        self,
        create: Callable[[Caller, int, dict[str, str]], Any],
        update: Callable[[Caller, int, dict[str, str]], Any],
        done: tuple[str, str],
        refresh: Any,
    ) -> Any:
        """Create (under the page's site) or update the row being edited; close and refresh
        on success (the toast: `done`'s first text after creating, its second after
        updating, both in the reader's language), else the errors under the fields."""
        values, row_id, site_id = cleaned(self.values), self.editing_id, site_id_of(self)
        creating = self.mode == "create"
        if creating:
            saved = await run_form(self, lambda c: create(c, site_id, values))
        else:
            saved = await run_form(self, lambda c: update(c, row_id, values))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(done[0] if creating else done[1]), refresh]

    async def _delete_row(
        self, delete: Callable[[Caller, int], Any], done: str, refresh: Any
    ) -> Any:
        self.confirm_delete = False
        row_id = self.editing_id
        saved = await run_form(self, lambda c: delete(c, row_id))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(done), refresh]

    def _open(self, mode: str, editing_id: int, values: dict[str, str]) -> None:
        self.mode, self.editing_id, self.values = mode, editing_id, values
        self.errors, self.message, self.busy, self.confirm_delete = {}, "", False, False
