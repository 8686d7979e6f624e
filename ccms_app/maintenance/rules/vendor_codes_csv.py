"""The vendor error code table as CSV: what an import file must look like, read row by row.

Pure. Columns (header names, any order, case-insensitive): vendor, model, vendor_error_code,
readable_cause, severity; model and severity may be left out or empty ("" = every model of
the vendor / the rule's severity). Comma or semicolon separated, UTF-8 (a BOM is fine).
Every bad row is reported with its line number (the header is line 1) and the import
writes nothing unless every row is good: an operator fixes the file and imports it again.
A cell the export protected from spreadsheets ("'=..." ) is read back as typed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ccms_app.core.i18n import tr
from ccms_app.maintenance.rules.alarm_rules import SEVERITY_ORDER

COLUMNS = ("vendor", "model", "vendor_error_code", "readable_cause", "severity")
REQUIRED = ("vendor", "vendor_error_code", "readable_cause")
# What the list's own export has beside the import's columns: read past, not refused.
IGNORED = ("code id", "organisation id", "created (utc)")
LIMITS = {"vendor": 50, "model": 50, "vendor_error_code": 50, "readable_cause": 200}
SEVERITIES = SEVERITY_ORDER
MAX_ROWS = 10_000
MAX_BYTES = 2_000_000
MAX_ERRORS = 50  # the first errors are enough to fix a file
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class CodeRow:
    line: int
    vendor: str
    model: str
    vendor_error_code: str
    readable_cause: str
    severity: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.vendor, self.model, self.vendor_error_code


@dataclass(frozen=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return (
            tr("Line {line}: {message}", line=self.line, message=self.message)
            if self.line
            else self.message
        )


class CsvImportError(ValueError):
    """The file cannot be imported; `errors` has each bad line (nothing was written)."""

    def __init__(self, errors: list[LineError]) -> None:
        shown = "; ".join(str(e) for e in errors[:5])
        if len(errors) > 5:
            text = tr(
                "Nothing imported. {errors} (and {more} more)", errors=shown, more=len(errors) - 5
            )
        else:
            text = tr("Nothing imported. {errors}", errors=shown)
        super().__init__(text)
        self.errors = errors


def _unprotected(value: str) -> str:
    """ "'=SUM(A1)" as the export wrote it -> "=SUM(A1)"."""
    if value.startswith("'") and value[1:2] and value[1:].startswith(FORMULA_START):
        return value[1:]
    return value


def _dialect(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _header(names: list[str]) -> tuple[dict[str, int], list[LineError]]:
    found = {name.strip().lower(): index for index, name in enumerate(names)}
    missing = [c for c in REQUIRED if c not in found]
    unknown = [
        n.strip()
        for n in names
        if n.strip() and n.strip().lower() not in COLUMNS and n.strip().lower() not in IGNORED
    ]
    errors = []
    if missing:
        errors.append(LineError(1, tr("missing column(s) {columns}", columns=", ".join(missing))))
    if unknown:
        shown = ", ".join(repr(u[:40]) for u in unknown[:5])
        errors.append(
            LineError(
                1,
                tr(
                    "unknown column(s) {shown}: use {columns}",
                    shown=shown,
                    columns=", ".join(COLUMNS),
                ),
            )
        )
    return found, errors


def _row(line: int, cells: list[str], columns: dict[str, int]) -> CodeRow | LineError:
    def cell(name: str) -> str:
        index = columns.get(name)
        return (
            _unprotected(cells[index].strip()) if index is not None and index < len(cells) else ""
        )

    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        return LineError(
            line,
            tr("{cells} cells, the header has {columns}", cells=len(cells), columns=len(columns)),
        )
    values = {name: cell(name) for name in COLUMNS}
    for name in REQUIRED:
        if not values[name]:
            return LineError(line, tr("{column} is empty", column=name))
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            return LineError(
                line, tr("{column} longer than {limit} characters", column=name, limit=limit)
            )
    severity = values["severity"].lower()
    if severity and severity not in SEVERITIES:
        choices = ", ".join(SEVERITIES)
        return LineError(
            line,
            tr(
                "severity {severity}: use {choices} or leave empty",
                severity=repr(values["severity"][:20]),
                choices=choices,
            ),
        )
    return CodeRow(
        line,
        values["vendor"],
        values["model"],
        values["vendor_error_code"],
        values["readable_cause"],
        severity,
    )


def _too_large() -> str:
    return tr("The file is larger than {limit} bytes.", limit=format(MAX_BYTES, ","))


def read_codes(data: bytes | str) -> list[CodeRow]:
    """Every row of the file, or CsvImportError listing the bad lines (all or nothing)."""
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            raise CsvImportError([LineError(0, _too_large())])
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CsvImportError([LineError(0, tr("The file is not UTF-8 text."))]) from None
    text = data.lstrip("\ufeff")
    if len(text) > MAX_BYTES:
        raise CsvImportError([LineError(0, _too_large())])
    if "\x00" in text:
        raise CsvImportError([LineError(0, tr("The file is not CSV text."))])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(text))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CsvImportError([LineError(1, tr("not CSV ({error})", error=str(exc)))]) from None
    if not header or not any(h.strip() for h in header):
        missing = tr("the header row is missing: {columns}", columns=", ".join(COLUMNS))
        raise CsvImportError([LineError(1, missing)])
    columns, errors = _header(header)
    if errors:
        raise CsvImportError(errors)
    return _rows(reader, columns)


def _rows(reader: Any, columns: dict[str, int]) -> list[CodeRow]:
    rows: list[CodeRow] = []
    errors: list[LineError] = []
    seen: dict[tuple[str, str, str], int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                too_many = tr("more than {limit} rows: split the file", limit=format(MAX_ROWS, ","))
                errors.append(LineError(line, too_many))
                break
            found = _row(line, cells, columns)
            if isinstance(found, LineError):
                errors.append(found)
            elif match_key(*found.key) in seen:
                first = seen[match_key(*found.key)]
                errors.append(LineError(line, tr("the same code as line {line}", line=first)))
            else:
                seen[match_key(*found.key)] = line
                rows.append(found)
            if len(errors) >= MAX_ERRORS:
                break
    except csv.Error as exc:
        errors.append(LineError(reader.line_num, tr("not CSV ({error})", error=str(exc))))
    if errors:
        raise CsvImportError(errors)
    if not rows:
        raise CsvImportError([LineError(2, tr("no rows under the header"))])
    return rows


class CodeFormError(ValueError):
    """One code typed in the form: `errors` names each wrong field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def check_code(form: Mapping[str, str]) -> CodeRow:
    """One code as the form (or the REST body) gives it; CodeFormError naming every field."""
    values = {name: _unprotected(str(form.get(name, "")).strip()) for name in COLUMNS}
    errors: dict[str, str] = {}
    for name in REQUIRED:
        if not values[name]:
            errors[name] = "Required."
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = tr(
                "At most {limit} characters ({count} given).", limit=limit, count=len(values[name])
            )
    severity = values["severity"].lower()
    if severity and severity not in SEVERITIES:
        errors["severity"] = tr(
            "Choose {severities}, or leave it empty.", severities=", ".join(SEVERITIES)
        )
    if errors:
        raise CodeFormError(errors)
    return CodeRow(
        0,
        values["vendor"],
        values["model"],
        values["vendor_error_code"],
        values["readable_cause"],
        severity,
    )


def match_key(vendor: str, model: str, vendor_error_code: str) -> tuple[str, str, str]:
    """Codes are the same entry when vendor and model agree ignoring case (as alarms are
    matched, rules.alarm_rules.pick_vendor_code) and the code agrees exactly."""
    return vendor.strip().casefold(), model.strip().casefold(), vendor_error_code.strip()
