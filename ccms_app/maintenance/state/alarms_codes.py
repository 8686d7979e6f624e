"""Maintenance -> Alarm rules: the vendor error code table (list, add / edit dialog, CSV
import by upload, CSV export in the import's columns) and the maintenance settings form.

Thin: `maintenance.alarms.vendor_codes` and `.settings_admin` validate, scope, check
maintenance:edit again and audit refusals. An import is all or nothing; its bad lines are
shown under the upload box.

The settings form loads on every websocket reconnect too: the organisation's settings loading
again show what changed in the database meanwhile and keep what the operator changed but has
not saved (ui.reopen).
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.roles import NotFoundError
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state.auth import SESSION_ENDED
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListQuery, ListSpec
from ccms_app.maintenance.alarms import settings_admin, vendor_codes
from ccms_app.maintenance.rules.settings_form import BOUNDS
from ccms_app.maintenance.rules.vendor_codes_csv import COLUMNS, MAX_BYTES, CsvImportError
from ccms_app.maintenance.state.forms import REFUSALS, submit
from ccms_app.system.state.accounts import event_caller
from ccms_app.ui.events import event
from ccms_app.ui.list_state import ListState
from ccms_app.ui.reopen import ReopenAware, kept_edits

UPLOAD_ID = "vendor-codes-upload"
SHOWN_ERRORS = 50
AS_RULE = "rule"  # the severity select's value for "as the alarm rule says"


@guarded(Module.MAINTENANCE)
class VendorCodeListState(ListState, rx.State):
    def _list_spec(self) -> ListSpec:
        return vendor_codes.VENDOR_CODE_LIST

    def _export(self, query: ListQuery, scope: Collection[int]) -> str:
        return vendor_codes.export_codes(query, scope)

    def _export_name(self) -> str:
        return "vendor-error-codes.csv"


@guarded(Module.MAINTENANCE)
class VendorCodeFormState(rx.State):
    """The add / edit dialog and the import's outcome."""

    mode: str = ""
    editing_id: int = 0
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    import_errors: list[str] = []
    import_result: str = ""

    @event
    def open_new(self) -> None:
        self._open("create", 0, {name: "" for name in COLUMNS})

    @event
    async def open_edit(self, code_id: str) -> Any:
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        try:
            row = await asyncio.to_thread(vendor_codes.get_code, int(code_id or 0), caller.scope())
        except (NotFoundError, ValueError) as exc:
            return rx.toast.error(str(exc))
        self._open("edit", int(row["id"]), {name: str(row.get(name) or "") for name in COLUMNS})
        return None

    @event
    def set_value(self, name: str, value: str) -> None:
        self.values = {**self.values, name: value}

    @event
    def set_severity(self, value: str) -> None:
        """The select's "rule" (a select item needs a value) is the empty severity."""
        self.values = {**self.values, "severity": "" if value == AS_RULE else value}
        self.errors = {k: v for k, v in self.errors.items() if k != "severity"}

    @event
    def set_is_open(self, is_open: bool) -> None:
        if not is_open and not self.busy:
            self.mode = ""

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values, code_id = dict(self.values), self.editing_id
        if self.mode == "create":
            saved = await submit(self, lambda caller: vendor_codes.create_code(caller, values))
        else:
            saved = await submit(
                self, lambda caller: vendor_codes.update_code(caller, code_id, values)
            )
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(tr("Vendor error code saved.")), VendorCodeListState.refresh]

    @requires(Action.EDIT)
    @event
    async def delete(self) -> Any:
        code_id = self.editing_id
        saved = await submit(self, lambda caller: vendor_codes.delete_code(caller, code_id))
        if not saved.ok:
            return saved.shown
        self.mode = ""
        return [rx.toast.success(tr("Vendor error code deleted.")), VendorCodeListState.refresh]

    @event
    def files_rejected(self, _rejections: list[dict[str, Any]]) -> Any:
        size = MAX_BYTES // 1_000_000
        return rx.toast.error(tr("Choose one CSV file of at most {size} MB.", size=size))

    @requires(Action.EDIT)
    @event
    async def import_file(self, files: list[rx.UploadFile]) -> Any:
        """The uploaded CSV, all or nothing: its bad lines, or what changed."""
        caller = await event_caller(self)
        if caller is None:
            return rx.toast.error(tr(SESSION_ENDED))
        if not files:
            return None
        data = await files[0].read(MAX_BYTES + 1)
        self.import_errors, self.import_result = [], ""
        try:
            result = await asyncio.to_thread(vendor_codes.import_codes, caller, data)
        except CsvImportError as exc:
            self.import_errors = [str(e) for e in exc.errors[:SHOWN_ERRORS]]
            return rx.toast.error(tr("Nothing imported: fix the lines shown and import again."))
        except REFUSALS as exc:
            return rx.toast.error(str(exc))
        self.import_result = tr("Imported: {result}", result=result.text)
        return [rx.toast.success(self.import_result), VendorCodeListState.refresh]

    def _open(self, mode: str, editing_id: int, values: dict[str, str]) -> None:
        self.mode, self.editing_id, self.values = mode, editing_id, values
        self.errors, self.message, self.busy = {}, "", False


@guarded(Module.MAINTENANCE)
class MaintenanceSettingsState(ReopenAware, rx.State):
    """The organisation's settings form (the operator's own organisation)."""

    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    message: str = ""
    busy: bool = False
    _stored: dict[str, str] = {}  # the values as last read or saved: what counts as unsaved

    @event
    async def load(self) -> None:
        """on_load: the organisation's settings. Loading another organisation's (or for
        another login) starts afresh; the same again keeps each value the operator changed
        and its error, and takes the others as stored now."""
        caller = await event_caller(self)
        if caller is None:
            return
        found = await asyncio.to_thread(
            settings_admin.read_settings, caller.organisation_id, caller.scope()
        )
        stored = {k: str(v) for k, v in settings_admin.settings_values(found).items()}
        if self._opening_anew(f"{caller.account_id}:{caller.organisation_id}"):
            self.values, self.errors = stored, {}
        else:
            self.values = kept_edits(self.values, self._stored, stored)
        self._stored, self.message = stored, ""

    @event
    def set_value(self, name: str, value: str) -> None:
        if name in BOUNDS:
            self.values = {**self.values, name: value}

    @requires(Action.EDIT)
    @event
    async def save(self) -> Any:
        values = dict(self.values)
        saved = await submit(self, lambda caller: settings_admin.save_settings(caller, values))
        if not saved.ok:
            return saved.shown
        self._stored = values
        return rx.toast.success(tr("Maintenance settings saved."))
