"""Filling a local list: the "Add id tags" dialog (search the RFID cards and pick many, or
paste id tags one per line) and the "Assign charge points" dialog (pick charge points, or
whole stations).

The pickers are server-side lists (ListBoundState) scoped to the organisations whose cards
and charge points may go in the list (its owner's tree), not to everything the operator sees.
A paste is checked line by line by drivers.local_lists.entries.add_id_tags_checked: malformed
or unknown id tags are reported with their line number and then nothing is added.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListSpec
from ccms_app.drivers.local_lists.assignments import assign_list, assign_stations
from ccms_app.drivers.local_lists.entries import AddOutcome, add_id_tags_checked
from ccms_app.drivers.local_lists.lists import LocalListError, list_summary
from ccms_app.drivers.local_lists.specs import (
    card_candidates_spec,
    charge_point_candidates_spec,
    station_candidates_spec,
)
from ccms_app.drivers.local_lists.state.detail import ListBoundState, after_change
from ccms_app.drivers.local_lists.state.lists import run_list_action
from ccms_app.drivers.state.scope import as_id
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState

log = logging.getLogger(__name__)

TAB_SEARCH, TAB_PASTE = "search", "paste"
TAB_CHARGE_POINTS, TAB_STATIONS = "charge_points", "stations"


class MemberPickerState(ListBoundState, mixin=True):
    """A picker (mixed in before ListState): rows of the list owner's organisation tree, the
    list's own rows flagged."""

    if TYPE_CHECKING:  # what the ListState next to this mixin provides

        def _shown(self, row: Mapping[str, Any]) -> dict[str, str]: ...

    def _spec_for(self, list_id: int) -> ListSpec:
        raise NotImplementedError

    def _list_spec(self) -> ListSpec:
        return self._spec_for(self.list_id)

    def _scope_for(self, organisation_id: int) -> frozenset[int]:
        try:
            summary = list_summary(self.list_id, organisation_scope(organisation_id))
        except LocalListError:
            return frozenset()
        return summary.member_scope

    def _format_row(self, row: dict[str, Any]) -> dict[str, str]:
        shown = self._shown(row)
        for flag in ("in_list", "assigned", "online"):
            if isinstance(row.get(flag), bool):  # "" or "yes": a truthy Var in the browser
                shown[flag] = "yes" if row[flag] else ""
        return shown


@guarded(Module.USERS)
class CardPickerState(MemberPickerState, ListState, rx.State):
    def _spec_for(self, list_id: int) -> ListSpec:
        return card_candidates_spec(list_id)

    def _selection_key(self) -> str:
        return "id_tag"


@guarded(Module.USERS)
class ChargePointPickerState(MemberPickerState, ListState, rx.State):
    def _spec_for(self, list_id: int) -> ListSpec:
        return charge_point_candidates_spec(list_id)


@guarded(Module.USERS)
class StationPickerState(MemberPickerState, ListState, rx.State):
    def _spec_for(self, list_id: int) -> ListSpec:
        return station_candidates_spec(list_id)


@dataclasses.dataclass
class ProblemRow:
    line: str = ""
    text: str = ""
    problem: str = ""


def added_text(outcome: AddOutcome) -> str:
    """What "Add id tags" did, in the reader's language."""
    if outcome.already:
        return tr(
            "{count} id tag(s) added, {already} already in the list; the list's charge points "
            "get them at the next sync.",
            count=len(outcome.added),
            already=len(outcome.already),
        )
    return tr(
        "{count} id tag(s) added; the list's charge points get them at the next sync.",
        count=len(outcome.added),
    )


@guarded(Module.USERS)
class AddIdTagsState(rx.State):
    """The "Add id tags" dialog."""

    open: bool = False
    tab: str = TAB_SEARCH
    paste_text: str = ""
    problems: rx.Field[list[ProblemRow]] = rx.field(default_factory=list)
    busy: bool = False
    list_id: int = 0

    @rx.var
    def paste_lines(self) -> int:
        return sum(1 for line in self.paste_text.splitlines() if line.strip())

    @event
    def open_dialog(self, list_id: int | str):
        self.list_id, self.open, self.tab = as_id(list_id), True, TAB_SEARCH
        self.paste_text, self.problems, self.busy = "", [], False
        return CardPickerState.open_list(self.list_id)

    @event
    def set_open(self, value: bool) -> None:
        self.open = value

    @event
    def set_tab(self, value: str) -> None:
        self.tab = value

    @event
    def set_paste_text(self, value: str) -> None:
        self.paste_text = value

    async def _add(self, lines: list[str]):
        list_id, self.busy, self.problems = self.list_id, True, []
        outcome, problem = await run_list_action(
            self,
            lambda s: add_id_tags_checked(list_id, lines, s.organisation_ids),
        )
        self.busy = False
        if problem:
            return rx.toast.error(problem)
        if not outcome.ok:
            self.problems = [
                ProblemRow(str(p.line) if p.line else "", p.text, p.problem)
                for p in outcome.problems
            ]
            return rx.toast.error(
                tr(
                    "Nothing added: {count} line(s) need fixing (listed below).",
                    count=len(outcome.problems),
                )
            )
        log.info(
            "id tags added to local list", extra={"list_id": list_id, "added": len(outcome.added)}
        )
        self.open, self.paste_text = False, ""
        return [rx.toast.success(added_text(outcome)), *after_change()]

    @requires(Action.EDIT)
    @event
    async def add_pasted(self):
        if not self.paste_text.strip():
            return rx.toast.error(tr("Paste id tags first, one per line."))
        return await self._add(self.paste_text.splitlines())

    @requires(Action.EDIT)
    @event
    async def add_selected(self):
        picker = await self.get_state(CardPickerState)
        if not picker.selected:
            return rx.toast.error(tr("Tick the cards to add first."))
        return await self._add(list(picker.selected))


@guarded(Module.USERS)
class AssignState(rx.State):
    """The "Assign charge points" dialog."""

    open: bool = False
    tab: str = TAB_CHARGE_POINTS
    busy: bool = False
    list_id: int = 0

    @event
    def open_dialog(self, list_id: int | str):
        self.list_id, self.open, self.tab, self.busy = (
            as_id(list_id),
            True,
            TAB_CHARGE_POINTS,
            False,
        )
        return [
            ChargePointPickerState.open_list(self.list_id),
            StationPickerState.open_list(self.list_id),
        ]

    @event
    def set_open(self, value: bool) -> None:
        self.open = value

    @event
    def set_tab(self, value: str) -> None:
        self.tab = value

    async def _assign(self, work: Any, ok_text: Any):
        self.busy = True
        result, problem = await run_list_action(self, work)
        self.busy = False
        if problem:
            return rx.toast.error(problem)
        self.open = False
        return [rx.toast.success(ok_text(result)), *after_change()]

    @requires(Action.EDIT)
    @event
    async def assign_selected(self):
        picker = await self.get_state(ChargePointPickerState)
        ids, list_id = [as_id(k) for k in picker.selected], self.list_id
        if not ids:
            return rx.toast.error(tr("Tick the charge points to assign first."))
        return await self._assign(
            lambda s: assign_list(list_id, ids, s.organisation_ids),
            lambda _: tr(
                "Assigned to {count} charge point(s); they get the list at the next sync "
                "(connected ones within a minute), or press Sync now.",
                count=len(ids),
            ),
        )

    @requires(Action.EDIT)
    @event
    async def assign_stations(self):
        picker = await self.get_state(StationPickerState)
        ids, list_id = [as_id(k) for k in picker.selected], self.list_id
        if not ids:
            return rx.toast.error(tr("Tick the stations first."))
        return await self._assign(
            lambda s: assign_stations(list_id, ids, s.organisation_ids),
            lambda o: tr(
                "{stations} station(s): {assigned} of {count} charge point(s) newly assigned; "
                "they get the list at the next sync.",
                stations=len(ids),
                assigned=o.newly_assigned,
                count=o.charge_points,
            ),
        )
