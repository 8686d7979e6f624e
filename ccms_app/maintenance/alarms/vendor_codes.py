"""The vendor error code table: a vendor's codes in words an operator understands, per
organisation. Listed, added, changed, deleted one by one, imported from CSV and exported.

Seeing needs maintenance:view (the gate), changing maintenance:edit (checked here again, a
refusal audited). A code is one entry per organisation + vendor + model + code; vendor and
model compare ignoring case, as alarms match them (`rules.alarm_rules.pick_vendor_code`).

An import (`rules.vendor_codes_csv.read_codes`) is all or nothing: a bad line is reported
with its number and nothing is written; otherwise known codes are updated and new ones
added, in one transaction. The export has the import's columns, so a file exported, edited
in a spreadsheet and imported again changes exactly what was edited. New readable causes
reach alarms raised from then on (an open alarm keeps the words it was raised with).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.roles import Caller, InputError, NotFoundError, not_found, require
from ccms_app.accounts.rules.permissions import Action, Module, permission
from ccms_app.core import listing
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.listing import ListColumn, ListQuery, ListSpec
from ccms_app.core.rows import stored_id
from ccms_app.maintenance.alarms.models import VendorErrorCode
from ccms_app.maintenance.alarms.scoped import scoped_row
from ccms_app.maintenance.rules.vendor_codes_csv import (
    COLUMNS,
    CodeFormError,
    CodeRow,
    CsvImportError,
    LineError,
    check_code,
    match_key,
    read_codes,
)

EDIT_PERMISSION = permission(Module.MAINTENANCE, Action.EDIT)
OBJECT = "vendor_error_code"
WHAT = "vendor error code"
__all__ = ["CsvImportError", "LineError"]

# The import's column names are the labels, so the list's CSV export (and the API's) is a
# file the import reads (it ignores the id, organisation and creation time beside them).
VENDOR_CODE_LIST = ListSpec(
    name="vendor error codes",
    base=lambda: select(VendorErrorCode),
    columns=(
        ListColumn("id", "Code id", VendorErrorCode.id),
        ListColumn("vendor", "vendor", VendorErrorCode.vendor, searchable=True, filterable=True),
        ListColumn("model", "model", VendorErrorCode.model, searchable=True, filterable=True),
        ListColumn(
            "vendor_error_code",
            "vendor_error_code",
            VendorErrorCode.vendor_error_code,
            searchable=True,
            filterable=True,
        ),
        ListColumn(
            "readable_cause", "readable_cause", VendorErrorCode.readable_cause, searchable=True
        ),
        ListColumn("severity", "severity", VendorErrorCode.severity, filterable=True),
        ListColumn(
            "organisation_id",
            "Organisation id",
            VendorErrorCode.organisation_id,
            filterable=True,
            sortable=False,
        ),
        ListColumn("created_at", "Created (UTC)", VendorErrorCode.created_at),
    ),
    organisation_column=VendorErrorCode.organisation_id,
    id_column=VendorErrorCode.id,
    default_sort="vendor",
)
# The export is what an import reads: its columns only, by their import names.
EXPORT_COLUMNS = [(name, name) for name in COLUMNS]


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int

    @property
    def text(self) -> str:
        return tr(
            "{added} added, {updated} updated, {unchanged} unchanged.",
            added=self.added,
            updated=self.updated,
            unchanged=self.unchanged,
        )


def _checked(form: Mapping[str, str]) -> CodeRow:
    try:
        return check_code(form)
    except CodeFormError as exc:
        raise InputError(exc.errors) from None


def _existing(
    session: Session, organisation_id: int
) -> dict[tuple[str, str, str], VendorErrorCode]:
    rows = session.exec(
        select(VendorErrorCode).where(col(VendorErrorCode.organisation_id) == organisation_id)
    ).all()
    return {match_key(r.vendor, r.model, r.vendor_error_code): r for r in rows}


def _taken(session: Session, organisation_id: int, code: CodeRow, own_id: int = 0) -> None:
    found = _existing(session, organisation_id).get(match_key(*code.key))
    if found is not None and found.id != own_id:
        model = code.model or tr("(every model)")
        message = tr(
            "{vendor} {model} {code} exists already (code id {id}).",
            vendor=code.vendor,
            model=model,
            code=code.vendor_error_code,
            id=found.id,
        )
        raise InputError({"vendor_error_code": message})


@contextmanager
def _saved_alone() -> Iterator[None]:
    """The same vendor, model and code saved by another request between our check and our
    commit: the table's unique constraint refuses it; said like the check says it."""
    try:
        yield
    except IntegrityError as exc:
        message = tr("That vendor, model and code was saved meanwhile: reload and try again.")
        raise InputError({"vendor_error_code": message}) from exc


def _owner(caller: Caller, organisation_id: int | None, action: str) -> int:
    owner = caller.organisation_id if organisation_id is None else organisation_id
    if owner not in caller.scope():
        not_found(caller, action, OBJECT, "", "organisation")
    return owner


def create_code(caller: Caller, form: Mapping[str, str], organisation_id: int | None = None) -> int:
    action = "vendor_error_code.create"
    require(caller, EDIT_PERMISSION, action, OBJECT, "")
    owner = _owner(caller, organisation_id, action)
    code = _checked(form)
    with _saved_alone(), session_scope() as session:
        _taken(session, owner, code)
        row = _new(owner, code)
        session.add(row)
        session.flush()
        return stored_id(row.id)


def _values(code: CodeRow) -> dict[str, str]:
    return {
        "vendor": code.vendor,
        "model": code.model,
        "vendor_error_code": code.vendor_error_code,
        "readable_cause": code.readable_cause,
        "severity": code.severity,
    }


def _new(organisation_id: int, code: CodeRow) -> VendorErrorCode:
    return VendorErrorCode(
        organisation_id=organisation_id,
        vendor=code.vendor,
        model=code.model,
        vendor_error_code=code.vendor_error_code,
        readable_cause=code.readable_cause,
        severity=code.severity,
    )


def get_code(code_id: int, scope: Collection[int]) -> dict[str, Any]:
    row = listing.fetch_one(VENDOR_CODE_LIST, code_id, scope)
    if row is None:
        raise NotFoundError(
            tr("No vendor error code {code_id} in your organisation.", code_id=code_id)
        )
    return row


def update_code(caller: Caller, code_id: int, form: Mapping[str, str]) -> None:
    """Change a code: `form` may hold only the fields to change."""
    action = "vendor_error_code.update"
    require(caller, EDIT_PERMISSION, action, OBJECT, code_id)
    with (
        _saved_alone(),
        scoped_row(caller, VendorErrorCode, code_id, action, OBJECT, WHAT) as (session, row),
    ):
        current = {name: str(getattr(row, name)) for name in COLUMNS}
        code = _checked({**current, **{k: str(v) for k, v in form.items() if k in COLUMNS}})
        _taken(session, row.organisation_id, code, code_id)
        for name, value in _values(code).items():
            setattr(row, name, value)
        session.add(row)


def delete_code(caller: Caller, code_id: int) -> None:
    action = "vendor_error_code.delete"
    require(caller, EDIT_PERMISSION, action, OBJECT, code_id)
    with scoped_row(caller, VendorErrorCode, code_id, action, OBJECT, WHAT) as (session, row):
        session.delete(row)


def import_codes(
    caller: Caller, data: bytes | str, organisation_id: int | None = None
) -> ImportResult:
    """Every row of the CSV, or nothing (CsvImportError lists the bad lines)."""
    action = "vendor_error_code.import"
    require(caller, EDIT_PERMISSION, action, OBJECT, "")
    owner = _owner(caller, organisation_id, action)
    codes = read_codes(data)
    added = updated = unchanged = 0
    with _saved_alone(), session_scope() as session:
        existing = _existing(session, owner)
        for code in codes:
            row = existing.get(match_key(*code.key))
            if row is None:
                session.add(_new(owner, code))
                added += 1
                continue
            changes = {
                name: value for name, value in _values(code).items() if getattr(row, name) != value
            }
            if not changes:
                unchanged += 1
                continue
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            updated += 1
    return ImportResult(added, updated, unchanged)


def export_codes(query: ListQuery, scope: Collection[int]) -> str:
    """The (filtered) table as the CSV an import reads."""
    return listing.to_csv(EXPORT_COLUMNS, listing.iter_rows(VENDOR_CODE_LIST, query, scope))
