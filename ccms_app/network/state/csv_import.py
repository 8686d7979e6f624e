"""The CSV import dialog of the Assets lists: template, upload, preview, import.

Choosing (or dropping) files uploads them at once and runs the check (network.csv_import):
the dialog shows every error by file, line and column, or what the import would create,
update and leave unchanged. "Import" is offered only for a clean check and validates again
inside the write transaction, so a file changed in between can never be half imported.
The uploaded bytes wait in the service's staging area, not in this state.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from typing import Any

import reflex as rx

from ccms_app.accounts.gate_marks import guarded, requires
from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.accounts.state import AuthState
from ccms_app.core.i18n import N_, tr
from ccms_app.network import csv_import
from ccms_app.network.rules.csv_import import (
    CHARGE_POINTS,
    MAX_BYTES,
    STATIONS,
    detect_kind,
    human_size,
    whole_number,
)
from ccms_app.network.state.lists import ChargePointListState, StationListState
from ccms_app.ui.events import event

log = logging.getLogger(__name__)

UPLOAD_ID = "asset-import-upload"
MAX_FILES = 2
SHOWN_ERRORS = 200
KIND_LABELS = {STATIONS: N_("Stations"), CHARGE_POINTS: N_("Charge points")}


@dataclasses.dataclass
class ErrorRow:
    key: str = ""
    file: str = ""
    line: str = ""
    column: str = ""
    message: str = ""


@dataclasses.dataclass
class SummaryRow:
    kind: str = ""
    label: str = ""
    file: str = ""
    rows: str = ""
    created: str = ""
    updated: str = ""
    unchanged: str = ""


def error_rows(report: csv_import.ImportReport) -> list[ErrorRow]:
    return [
        ErrorRow(
            key=f"{e.file}:{e.row}:{e.column}:{n}",
            file=e.file,
            line=str(e.row) if e.row else "\u2013",
            column=e.column or "\u2013",
            message=e.message,
        )
        for n, e in enumerate(report.errors[:SHOWN_ERRORS])
    ]


def summary_rows(report: csv_import.ImportReport) -> list[SummaryRow]:
    return [
        SummaryRow(
            kind=s.kind,
            label=KIND_LABELS.get(s.kind, s.kind),
            file=s.file,
            rows=whole_number(s.rows),
            created=whole_number(s.created),
            updated=whole_number(s.updated),
            unchanged=whole_number(s.unchanged),
        )
        for s in report.summaries
    ]


@guarded(Module.ASSETS)
class AssetImportState(rx.State):
    """One import dialog per tab; `kind` is the list it was opened from."""

    is_open: bool = False
    kind: str = STATIONS
    phase: str = "choose"  # choose | checking | checked | importing | done
    file_names: list[str] = []
    errors: list[ErrorRow] = []
    error_count: int = 0
    summaries: list[SummaryRow] = []
    message: str = ""
    _token: str = ""

    @rx.var
    def ok(self) -> bool:
        return self.phase == "checked" and self.error_count == 0 and bool(self.summaries)

    @rx.var
    def more_errors(self) -> int:
        return max(0, self.error_count - len(self.errors))

    @event
    def open_for(self, kind: str) -> None:
        self.kind = kind if kind in KIND_LABELS else STATIONS
        self._reset()
        self.is_open = True

    @event
    def set_is_open(self, is_open: bool) -> None:
        if self.phase in ("checking", "importing"):
            return
        self.is_open = is_open
        if not is_open:
            self._reset()

    @event
    def start_over(self):
        self._reset()
        return rx.clear_selected_files(UPLOAD_ID)

    @event
    def download_template(self, kind: str):
        name = f"ccms-{kind.replace('_', '-')}-template.csv"
        return rx.download(data=csv_import.template(kind), filename=name, mime_type="text/csv")

    @event
    def files_rejected(self, rejections: list[dict[str, Any]]):
        """The browser refused a file (too big, not CSV, too many): say which and why."""
        problems = []
        for rejection in rejections:
            name = str((rejection.get("file") or {}).get("path") or "").lstrip("./")
            codes = {str(e.get("code", "")) for e in rejection.get("errors") or []}
            if "file-too-large" in codes:
                problems.append(
                    tr(
                        "{name} is larger than {limit}: split it.",
                        name=name,
                        limit=human_size(MAX_BYTES),
                    )
                    if name
                    else tr("A file is larger than {limit}: split it.", limit=human_size(MAX_BYTES))
                )
            elif "too-many-files" in codes:
                problems.append(tr("Choose at most {count} files.", count=MAX_FILES))
            else:
                problems.append(
                    tr("{name} is not a CSV file.", name=name)
                    if name
                    else tr("A file is not a CSV file.")
                )
        return rx.toast.error(" ".join(dict.fromkeys(problems)) or tr("The file was refused."))

    @requires(Action.EDIT)
    @event
    async def check_files(self, files: list[rx.UploadFile]):
        """Upload -> stage -> check; the preview shows errors or what would change."""
        organisation_id = await self._organisation()
        if not organisation_id:
            yield rx.toast.error(tr("Your session has ended. Log in again."))
            return
        if not files:
            return
        self._discard()
        uploads = []
        for upload in files[:MAX_FILES]:
            data = await upload.read(MAX_BYTES + 1)
            uploads.append(csv_import.ImportFile(upload.name or "import.csv", data))
        uploads = [dataclasses.replace(u, kind=detect_kind(u.data, self.kind)) for u in uploads]
        self.file_names = [u.name for u in uploads]
        self.phase = "checking"
        self.message = ""
        yield
        self._token = await asyncio.to_thread(csv_import.stage, uploads)
        report = await asyncio.to_thread(csv_import.check_import, uploads, organisation_id)
        self._show(report)
        self.phase = "checked"

    @requires(Action.EDIT)
    @event
    async def run_import(self):
        organisation_id = await self._organisation()
        if not organisation_id:
            yield rx.toast.error(tr("Your session has ended. Log in again."))
            return
        if not self.ok:
            return
        self.phase = "importing"
        yield
        files = await asyncio.to_thread(csv_import.staged, self._token)
        if not files:
            self.phase = "choose"
            self.message = tr("The uploaded files have expired. Choose them again.")
            return
        try:
            report = await asyncio.to_thread(csv_import.apply_import, files, organisation_id)
        except csv_import.ImportRefusedError as exc:  # the data changed since the check
            self._show(exc.report)
            self.phase = "checked"
            yield rx.toast.error(tr("Nothing was imported: the check found errors this time."))
            return
        self._show(report)
        self._discard()
        self.phase = "done"
        self.message = tr(
            "Imported. {counts}",
            counts="; ".join(
                tr(
                    "{kind}: {created} created, {updated} updated, {unchanged} unchanged",
                    kind=tr(s.label),
                    created=s.created,
                    updated=s.updated,
                    unchanged=s.unchanged,
                )
                for s in self.summaries
            ),
        )
        yield [rx.toast.success(self.message), rx.clear_selected_files(UPLOAD_ID), *_refresh()]

    # --- implementation ------------------------------------------------------------------

    def _show(self, report: csv_import.ImportReport) -> None:
        self.errors = error_rows(report)
        self.error_count = report.error_count
        self.summaries = summary_rows(report)

    def _reset(self) -> None:
        self._discard()
        self.phase = "choose"
        self.file_names = []
        self.errors = []
        self.error_count = 0
        self.summaries = []
        self.message = ""

    def _discard(self) -> None:
        if self._token:
            csv_import.discard(self._token)
            self._token = ""

    async def _organisation(self) -> int:
        """The operator's organisation; 0 when signed out (checked against the DB to write)."""
        auth_state = await self.get_state(AuthState)
        if not auth_state.is_authenticated:
            return 0
        # The gate re-read the session from the database before this event.
        return auth_state._organisation_id


def _refresh() -> list[Any]:
    """The lists that show imported rows reload (the Assets page's states)."""
    return [StationListState.refresh, ChargePointListState.refresh]
