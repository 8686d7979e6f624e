"""Finance -> Tariffs (/finance/tariffs): the list, and "which tariff applies here and why".

A network has tens of tariffs, not thousands: the list is read whole (finance.tariffs
.list_tariffs) with its assignment counts and labels. The tool resolves exactly what the
pricing of a session started at that moment would (finance.tariff_assignments.explain).

The page loading again for the same login (a reconnect, a reload) keeps what the tool was
asked and answers it again, read from the database as it is now.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict

import reflex as rx

from ccms_app.accounts.gate_marks import guarded
from ccms_app.accounts.rules.permissions import Module
from ccms_app.accounts.state import AuthState
from ccms_app.accounts.state.auth import SESSION_ENDED, acting_email
from ccms_app.core.i18n import DEFAULT, N_, tr
from ccms_app.core.types import utc_now
from ccms_app.finance import tariff_assignments, tariffs
from ccms_app.finance.errors import FinanceNotFound
from ccms_app.finance.state.tariff_common import (
    as_id,
    caller,
    local_text,
    parse_local,
)
from ccms_app.network import assets
from ccms_app.network.assets import AssetNotFound
from ccms_app.network.charge_point_admin import get_charge_point
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

PICKER_LIMIT = 20
NOT_BILLED = N_("No tariff applies: sessions here are not billed.")


@dataclasses.dataclass
class TariffRow:
    id: str = ""
    name: str = ""
    currency: str = ""
    version: str = ""
    valid_from: str = ""
    assigned: str = ""
    organisation: str = ""
    archived: bool = False


@guarded(Module.FINANCE)
class TariffListState(rx.State):
    """The tariffs in the operator's scope."""

    rows: rx.Field[list[TariffRow]] = rx.field(default_factory=list)
    show_archived: bool = False
    loaded: bool = False
    error: str = ""
    _language: str = DEFAULT  # the language the rows shown were written in

    @event
    async def load(self) -> None:
        who = await caller(self)
        if who is None:
            self.error = tr(SESSION_ENDED)
            return
        self._language = (await self.get_state(AuthState)).language
        self.rows = await asyncio.to_thread(_tariff_rows, who.scope, self.show_archived)
        self.loaded, self.error = True, ""

    @event
    async def follow_language(self) -> None:
        """The tab's language changed (the page's language watch): the rows again."""
        if self.loaded and self._language != (await self.get_state(AuthState)).language:
            await self.load()

    @event
    async def set_show_archived(self, value: bool) -> None:
        self.show_archived = value
        await self.load()


def _tariff_rows(scope: frozenset[int], include_archived: bool) -> list[TariffRow]:
    views = tariffs.list_tariffs(scope, include_archived=include_archived)
    names = dict(assets.organisation_choices(scope))
    labels: dict[int, list[str]] = defaultdict(list)
    for assignment in tariff_assignments.assignments(scope):
        labels[assignment.tariff_id].append(assignment.target_label)
    now = utc_now()
    return [
        TariffRow(
            id=str(view.id),
            name=view.name,
            currency=view.currency,
            version=(
                tr("v{number} (from later)", number=view.version)
                if view.valid_from > now
                else f"v{view.version}"
            ),
            valid_from=local_text(view.valid_from, "UTC"),
            assigned=_assigned_text(labels.get(view.id, [])),
            organisation=names.get(view.organisation_id, ""),
            archived=view.archived,
        )
        for view in views
    ]


def _assigned_text(labels: list[str]) -> str:
    """ "Station Depot, Group Fleet +3" : the first labels (in the reader's language) and how
    many more."""
    if not labels:
        return tr("not assigned")
    shown = ", ".join(labels[:2])
    return shown + (f" +{len(labels) - 2}" if len(labels) > 2 else "")


@guarded(Module.FINANCE)
class TariffExplainState(ReopenAware, rx.State):
    """Which tariff (and version) a session would be priced with, and why."""

    cp_search: str = ""
    cp_options: list[list[str]] = []
    charge_point_id: str = ""
    connector_options: list[str] = []
    connector_id: str = ""
    id_tag: str = ""
    at: str = ""
    time_zone: str = "UTC"
    answered: bool = False
    applies: bool = False
    answer_tariff: str = ""
    answer_tariff_id: str = ""
    answer_version: str = ""
    answer_reason: str = ""
    error: str = ""

    @event
    async def open_tool(self) -> None:
        """Page load: "now" (an empty moment, read when asked), the first charge points. The
        same login loading the page again keeps the question and asks it again."""
        actor = acting_email(await self.get_state(AuthState))
        if self._opening_anew(actor):
            self.at, self.answered = "", False
        await self.search_charge_points(self.cp_search)
        if self.answered:
            await self.explain()

    @event
    async def search_charge_points(self, text: str) -> None:
        self.cp_search = text
        who = await caller(self)
        if who is None:
            return
        found = await asyncio.to_thread(assets.charge_point_search, who.scope, text, PICKER_LIMIT)
        self.cp_options = [[str(i), name] for i, name in found]

    @event
    async def choose_charge_point(self, value: str) -> None:
        self.charge_point_id, self.connector_id, self.answered = value, "", False
        who = await caller(self)
        if who is None or not as_id(value):
            self.connector_options = []
            return
        try:
            view = await asyncio.to_thread(get_charge_point, who.scope, as_id(value))
        except AssetNotFound:
            self.connector_options = []
            return
        self.connector_options = [str(c.connector_id) for c in view.connectors]
        self.connector_id = self.connector_options[0] if self.connector_options else ""

    @event
    def set_connector_id(self, value: str) -> None:
        self.connector_id, self.answered = value, False

    @event
    def set_id_tag(self, value: str) -> None:
        self.id_tag, self.answered = value, False

    @event
    def set_at(self, value: str) -> None:
        self.at, self.answered = value, False

    @event
    def set_time_zone(self, value: str) -> None:
        self.time_zone, self.answered = value, False

    @event
    async def explain(self) -> None:
        self.answered, self.error = False, ""
        who = await caller(self)
        if who is None:
            self.error = tr(SESSION_ENDED)
            return
        at = parse_local(self.at, self.time_zone) if self.at.strip() else utc_now()
        if not as_id(self.charge_point_id) or at is None:
            self.error = (
                tr("Choose a charge point") if at else tr("A date and time like 2026-03-02 17:30")
            )
            return
        try:
            found = await asyncio.to_thread(
                tariff_assignments.explain,
                who.scope,
                as_id(self.charge_point_id),
                as_id(self.connector_id),
                self.id_tag,
                at,
            )
        except FinanceNotFound as exc:
            self.error = str(exc)
            return
        self.answered, self.applies = True, found is not None
        if found is None:
            self.answer_tariff = self.answer_version = self.answer_tariff_id = ""
            self.answer_reason = NOT_BILLED
            return
        self.answer_tariff, self.answer_tariff_id = found.tariff_name, str(found.tariff_id)
        self.answer_version = tr(
            "version {number}, valid from {valid_from}",
            number=found.version.number,
            valid_from=local_text(found.version.valid_from, self.time_zone),
        )
        reason = tariff_assignments.reason_text(found.reason)
        self.answer_reason = reason[:1].upper() + reason[1:]
