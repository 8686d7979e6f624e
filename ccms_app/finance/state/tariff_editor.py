"""The tariff editor (/finance/tariffs/new, /finance/tariffs/[tariff_id]).

The page edits rows of named fees (finance.rules.fee_types) and the tariff-wide fields;
Save turns them into OCPI JSON and stores it as a new version valid from now or a later
moment the operator picks in a zone (never the past: finished sessions keep their price).
A save that changes no price renames in place and adds no version. A definition made
through the API that the rows cannot hold is shown read-only as JSON: only the name and the
description can change here.

A reconnect or a reload loads the same tariff again: an edited draft stays (its rows,
fields, errors, the chosen validity, the archive dialog) and only what it does not hold
(versions, archived, the stored definition) is read again; a form not edited since it was
read is read again whole. Another tariff, or another login in the tab, opens fresh.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from decimal import Decimal
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.types import utc_now
from ccms_app.finance import tariffs
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.rules.fee_rows_read import check_rows, definition_to_rows, describe_row
from ccms_app.finance.rules.fee_types import (
    FEES,
    ROUNDINGS,
    ROW_FIELDS,
    WEEK,
    RowsError,
    TariffFields,
    blank_row,
)
from ccms_app.finance.rules.tariff_json import TariffError, parse_tariff
from ccms_app.finance.rules.tariff_json_values import dumps_exact
from ccms_app.finance.state.tariff_common import (
    TARIFFS_ROUTE,
    Caller,
    as_id,
    caller,
    id_from_path,
    local_text,
    operator_profile,
    parse_local,
)
from ccms_app.network import assets
from ccms_app.ui.events import event
from ccms_app.ui.reopen import ReopenAware

NOW, LATER = "now", "later"
OPEN = "open"  # a row's key: "true" while its restrictions are shown


@dataclasses.dataclass
class VersionRow:
    number: str = ""
    valid_from: str = ""
    created_by: str = ""
    created_at: str = ""
    current: bool = False


def _fields_dict(fields: TariffFields) -> dict[str, str]:
    return {key: str(value) for key, value in dataclasses.asdict(fields).items()}


def _row_for_page(row: dict[str, str], open_: bool = False) -> dict[str, str]:
    shown = {name: row.get(name, "") for name in ROW_FIELDS}
    shown[OPEN] = "true" if open_ else ""
    return shown


def draft_key(actor: str, tariff_id: int) -> str:
    """Which login's draft of which tariff ("new" before it is saved) the tab holds: the
    editor, its preview and its assignment picker keep their inputs while it stays the
    same, and another login in the same tab never sees them."""
    return f"{actor}|{tariff_id or 'new'}"


@guarded(Module.FINANCE)
class TariffEditorState(ReopenAware, rx.State):
    """One tariff being edited: its rows, fields, versions and what saving it would do."""

    tariff_id: rx.Field[int] = rx.field(0)
    loaded: bool = False
    found: bool = False
    name: str = ""
    description: str = ""
    organisation_id: str = ""
    organisation_options: rx.Field[list[list[str]]] = rx.field(default_factory=list)
    currency_locked: bool = False
    archived: bool = False
    current_version: str = ""
    fields: dict[str, str] = {}
    rows: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    editable: bool = True
    read_only_note: str = ""
    definition_json: str = ""
    valid_mode: str = NOW
    valid_from: str = ""
    time_zone: str = "UTC"
    errors: dict[str, str] = {}
    message: str = ""
    versions: rx.Field[list[VersionRow]] = rx.field(default_factory=list)
    confirm_archive: bool = False
    _stored_definition: str = ""
    _default_vat: str = ""
    _read_form: str = ""  # the form as read or blanked: what "edited" is measured against

    @rx.var
    def is_new(self) -> bool:
        return self.tariff_id == 0

    @rx.var
    def row_summaries(self) -> list[str]:
        """Each row's fee and when it applies, in words (the card's title line), in the
        language of the event that changed the rows."""
        return [row_summary(row) for row in self.rows]

    # --- loading --------------------------------------------------------------------------

    @event
    async def load(self) -> None:
        """on_load: the tariff the URL names, or a blank one (module docstring: what a
        reconnect keeps)."""
        self.tariff_id = id_from_path(self.router.url.path, TARIFFS_ROUTE)
        self.loaded = False
        who = await caller(self)
        if who is None:
            self.message = tr(SESSION_ENDED)
            return
        anew = self._opening_anew(draft_key(who.actor, self.tariff_id))
        choices = await asyncio.to_thread(assets.organisation_choices, who.scope)
        self.organisation_options = [[str(i), name] for i, name in choices]
        profile = await asyncio.to_thread(operator_profile, who)
        if anew:
            self._fresh_inputs(profile)
        await self._show(who, profile, anew)
        self.loaded = True

    def _fresh_inputs(self, profile: BillingProfile) -> None:
        """Another tariff: no errors, no open dialog, valid from now in the operator's zone."""
        self.errors, self.message, self.confirm_archive = {}, "", False
        self.valid_mode, self.valid_from = NOW, ""
        self.time_zone = profile.time_zone or "UTC"

    async def _show(self, who: Caller, profile: BillingProfile, anew: bool) -> None:
        """The tariff read, or a blank one; its form too unless the same tariff loads again
        with an edited draft. Rows read again keep the restrictions the operator had open."""
        keep_draft = not anew and self._edited()
        opened = [] if anew else [row.get(OPEN, "") for row in self.rows]
        if self.tariff_id == 0:
            if not keep_draft:
                self._show_new(who.organisation_id, profile)
        else:
            await self._reload(who.scope, keep_draft)
        if not keep_draft:
            self._reopen_rows(opened)

    def _form(self) -> str:
        """What the operator edits and Save stores, without which rows are shown open."""
        rows = [{k: v for k, v in row.items() if k != OPEN} for row in self.rows]
        form = [self.name, self.description, self.organisation_id, dict(self.fields), rows]
        return json.dumps(form, sort_keys=True)

    def _edited(self) -> bool:
        """Whether the form differs from what was read (an unsaved draft)."""
        return self._form() != self._read_form

    def _reopen_rows(self, opened: list[str]) -> None:
        """The rows read again keep the restrictions the operator had open."""
        self.rows = [
            {**row, OPEN: opened[i] if i < len(opened) else ""} for i, row in enumerate(self.rows)
        ]

    def _show_new(self, organisation_id: int, profile: BillingProfile) -> None:
        """A blank tariff with the operator's defaults: currency, rounding, VAT on row 1."""
        self.found, self.name, self.description, self.archived = True, "", "", False
        self.organisation_id, self.currency_locked = str(organisation_id), False
        self.current_version, self.versions, self._stored_definition = "", [], ""
        rounding = profile.rounding if profile.rounding in ROUNDINGS else "half_up"
        self.fields = _fields_dict(TariffFields(currency=profile.currency, rounding=rounding))
        self._default_vat = profile.vat_percent
        self.rows = [_row_for_page({**blank_row(), "vat": profile.vat_percent})]
        self.editable, self.read_only_note, self.definition_json = True, "", ""
        self._read_form = self._form()

    async def _reload(self, scope: frozenset[int], keep_draft: bool = False) -> None:
        """The stored tariff and its versions; the form too unless `keep_draft` (an edited
        draft the operator has not saved)."""
        try:
            view = await asyncio.to_thread(tariffs.get_tariff, scope, self.tariff_id)
            history = await asyncio.to_thread(tariffs.versions, scope, self.tariff_id)
        except FinanceNotFound:
            self.found = False
            self._closed()
            return
        self.found, self.archived, self.currency_locked = True, view.archived, True
        self.current_version = tr(
            "v{number} valid from {valid_from}",
            number=view.version,
            valid_from=local_text(view.valid_from, self.time_zone),
        )
        self._stored_definition = json.dumps(view.definition, default=str)
        self.definition_json = _pretty(view.definition)
        self.versions = [
            VersionRow(
                number=f"v{v.number}",
                valid_from=local_text(v.valid_from, self.time_zone),
                created_by=v.created_by or "—",
                created_at=local_text(v.created_at, self.time_zone),
                current=v.number == view.version,
            )
            for v in history
        ]
        if not keep_draft:
            self._show_stored(view)

    def _show_stored(self, view: tariffs.TariffView) -> None:
        """The stored name, description, organisation, fields and rows in the form."""
        self.name, self.description = view.name, view.description
        self.organisation_id = str(view.organisation_id)
        content = definition_to_rows(view.definition)
        self.fields = _fields_dict(content.fields)
        self.rows = [_row_for_page(row) for row in content.rows]
        self.editable, self.read_only_note = content.editable, content.note
        self._read_form = self._form()

    # --- editing --------------------------------------------------------------------------

    @event
    def set_name(self, value: str) -> None:
        self.name = value

    @event
    def set_description(self, value: str) -> None:
        self.description = value

    @event
    def set_organisation_id(self, value: str) -> None:
        self.organisation_id = value

    @event
    def set_field(self, name: str, value: str) -> None:
        self.fields = {**self.fields, name: value}

    @event
    def set_row(self, index: int, name: str, value: str) -> None:
        """One field of one row; a new fee type takes its default unit."""
        if not 0 <= index < len(self.rows) or name not in (*ROW_FIELDS, OPEN):
            return
        row = {**self.rows[index], name: value}
        if name == "fee" and value in FEES:
            fresh = blank_row(value)
            row["unit"], row["reservation"] = fresh["unit"], fresh["reservation"]
        self.rows = [*self.rows[:index], row, *self.rows[index + 1 :]]

    @event
    def toggle_open(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.set_row(index, OPEN, "" if self.rows[index].get(OPEN) else "true")

    @event
    def toggle_day(self, index: int, day: str) -> None:
        """Adds or removes one weekday of the row's restriction."""
        if not 0 <= index < len(self.rows):
            return
        chosen = {d for d in self.rows[index].get("days", "").split(",") if d}
        chosen ^= {day}
        ordered = [d.value for d in WEEK if d.value in chosen]
        self.set_row(index, "days", ",".join(ordered))

    @event
    def add_row(self, fee: str) -> None:
        """A row of that fee, with the VAT the rows above use (the operator's default)."""
        vat = self.rows[-1].get("vat", "") if self.rows else self._default_vat
        self.rows = [*self.rows, _row_for_page({**blank_row(fee), "vat": vat})]

    @event
    def drop_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            self.rows = [*self.rows[:index], *self.rows[index + 1 :]]
            self.errors = {}

    @event
    def move_row(self, index: int, step: int) -> None:
        """Earlier rows win: moving a row changes which price applies first."""
        other = index + step
        if 0 <= index < len(self.rows) and 0 <= other < len(self.rows):
            rows = list(self.rows)
            rows[index], rows[other] = rows[other], rows[index]
            self.rows, self.errors = rows, {}

    @event
    def set_valid_mode(self, value: str) -> None:
        self.valid_mode = LATER if value == LATER else NOW

    @event
    def set_valid_from(self, value: str) -> None:
        self.valid_from = value

    @event
    def set_time_zone(self, value: str) -> None:
        self.time_zone = value

    @event
    def set_confirm_archive(self, value: bool) -> None:
        self.confirm_archive = value

    # --- saving ---------------------------------------------------------------------------

    def editor_definition(self) -> dict[str, Any]:
        """The definition as edited now (RowsError names wrong fields); read-only: stored."""
        if not self.editable:
            return dict(json.loads(self._stored_definition or "{}", parse_float=Decimal))
        fields = TariffFields(**{k: v for k, v in self.fields.items() if k in _FIELD_NAMES})
        return check_rows(self.rows, fields)[0]

    @requires(Action.EDIT)
    @event
    async def save(self):
        self.errors, self.message = {}, ""
        who = await caller(self)
        if who is None:
            self.message = tr(SESSION_ENDED)
            return None
        try:
            definition = self.editor_definition() if self.editable else None
        except RowsError as exc:
            self.errors, self.message = exc.errors, _count(exc.errors)
            return None
        valid_from = self._valid_from()
        if valid_from is False:
            return None
        try:
            saved = await asyncio.to_thread(
                self._store, who.scope, who.actor, definition, valid_from
            )
        except FinanceError as exc:
            self.errors, self.message = _field_errors(exc.errors), str(exc)
            return None
        except FinanceNotFound as exc:
            self.message = str(exc)
            return None
        if self.tariff_id == 0:
            return [
                rx.toast.success(tr("Tariff {saved} created.", saved=saved.name)),
                rx.redirect(f"{TARIFFS_ROUTE}/{saved.id}"),
            ]
        await self._reload(who.scope)
        return rx.toast.success(
            tr(
                "Saved {saved}: {current_version}.",
                saved=saved.name,
                current_version=self.current_version,
            )
        )

    def _valid_from(self) -> Any:
        """None for now, a UTC time, or False after naming the field's error."""
        if self.valid_mode != LATER:
            return None
        at = parse_local(self.valid_from, self.time_zone)
        if at is None:
            self.errors = {"valid_from": tr("A date and time like 2026-03-02 00:00")}
        elif at < utc_now():
            self.errors = {"valid_from": tr("Prices cannot change in the past: now or later")}
        else:
            return at
        self.message = tr("Tariff not saved")
        return False

    def _store(
        self, scope: frozenset[int], actor: str, definition: dict[str, Any] | None, valid_from: Any
    ) -> tariffs.TariffView:
        if self.tariff_id == 0:
            return tariffs.create_tariff(
                scope,
                as_id(self.organisation_id),
                self.name,
                definition or {},
                description=self.description,
                actor=actor,
                valid_from=valid_from,
            )
        if definition is not None and _same_prices(definition, self._stored_definition):
            definition = None  # nothing priced differently: no new version
        return tariffs.update_tariff(
            scope,
            self.tariff_id,
            name=self.name,
            description=self.description,
            definition=definition,
            valid_from=valid_from if definition is not None else None,
            actor=actor,
        )

    @requires(Action.EDIT)
    @event
    async def archive(self):
        self.confirm_archive = False
        who = await caller(self)
        if who is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            view = await asyncio.to_thread(tariffs.archive_tariff, who.scope, self.tariff_id)
        except FinanceNotFound as exc:
            return rx.toast.error(str(exc))
        await self._reload(who.scope, keep_draft=self._edited())  # archiving saves no edit
        return rx.toast.success(tr("{view} archived: no longer assigned.", view=view.name))


_FIELD_NAMES = {f.name for f in dataclasses.fields(TariffFields)}


def _same_prices(definition: dict[str, Any], stored: str) -> bool:
    """Whether the edited definition prices exactly what the stored one does."""
    if not stored:
        return False
    try:
        before = parse_tariff(json.loads(stored, parse_float=Decimal))
        return before == parse_tariff(definition)
    except TariffError:
        return False


def _field_errors(errors: dict[str, str]) -> dict[str, str]:
    """A use case's OCPI paths as the editor's fields (elements -> the rows)."""
    return {("rows" if key.startswith("elements") else key): value for key, value in errors.items()}


def _count(errors: dict[str, str]) -> str:
    count = len(errors)
    if count == 1:
        return tr("Tariff not saved: 1 field needs correcting")
    return tr("Tariff not saved: {count} fields need correcting", count=count)


def row_summary(row: dict[str, str]) -> str:
    """ "Energy fee: 18:00-22:00 · Mon-Fri", in the reader's language."""
    fee = tr(FEES[row["fee"]].label) if row.get("fee") in FEES else tr("Fee")
    return tr("{fee}: {when}", fee=fee, when=describe_row(row))


def _pretty(value: Any, depth: int = 0) -> str:
    """Indented JSON with exact numbers (Decimals as written, never through a float)."""
    pad, inner = "  " * depth, "  " * (depth + 1)
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(str(k))}: {_pretty(v, depth + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, list) and value:
        items = [inner + _pretty(v, depth + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return dumps_exact(value) if isinstance(value, Decimal) else json.dumps(value, default=str)
