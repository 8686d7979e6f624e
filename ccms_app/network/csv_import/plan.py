"""The plan of an import: every valid row with what it changes, and every error found.

Checking and applying build the same plan (`importer.build_plan`); applying writes it
only when it holds no error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ccms_app.network.csv_import.report import MAX_REPORTED_ERRORS, ImportReport, KindSummary
from ccms_app.network.models import ChargePoint, Connector, Station
from ccms_app.network.rules import asset_validation as rules
from ccms_app.network.rules.csv_import import CHARGE_POINTS, STATIONS, CellError

T = TypeVar("T")

IN_CHUNK = 500  # values per SQL IN (...): well under SQLite's variable limit


@dataclass
class StationRow:
    line: int
    fields: rules.StationFields
    existing: Station | None
    changes: dict[str, Any]


@dataclass
class ChargePointRow:
    line: int
    identity: str
    station_name: str
    values: dict[str, Any]  # ChargePoint columns to set (all of them for a new one)
    existing: ChargePoint | None
    changes: dict[str, Any]
    connectors: list[rules.ConnectorFields] = field(default_factory=list)
    connector_changes: list[rules.ConnectorFields] = field(default_factory=list)
    current_connectors: dict[int, Connector] = field(default_factory=dict)


@dataclass
class Plan:
    organisation_id: int
    errors: list[CellError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # kind -> file name
    row_counts: dict[str, int] = field(default_factory=dict)  # kind -> data rows in the file
    column_order: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> header
    stations: list[StationRow] = field(default_factory=list)
    charge_points: list[ChargePointRow] = field(default_factory=list)

    def add_error(self, kind: str, line: int, column: str, message: str) -> None:
        """A problem in the file of that kind (its name goes into the error)."""
        self.errors.append(CellError(line, column, message, self.files.get(kind, "")))

    def _summary(
        self, kind: str, rows: Sequence[StationRow] | Sequence[ChargePointRow]
    ) -> KindSummary:
        """Counts over the valid rows (all rows when the import is possible)."""
        created = sum(1 for r in rows if r.existing is None)
        updated = sum(1 for r in rows if r.existing is not None and changed(r))
        unchanged = len(rows) - created - updated
        total = self.row_counts.get(kind, 0)
        return KindSummary(kind, self.files[kind], total, created, updated, unchanged)

    def _position(self, error: CellError) -> tuple[str, int, int]:
        """Errors in file order: by line, then by the column's place in the header."""
        return (error.file, error.row, self.column_order.get(error.file, {}).get(error.column, -1))

    def report(self, applied: bool) -> ImportReport:
        summaries = []
        if STATIONS in self.files:
            summaries.append(self._summary(STATIONS, self.stations))
        if CHARGE_POINTS in self.files:
            summaries.append(self._summary(CHARGE_POINTS, self.charge_points))
        ordered = sorted(self.errors, key=self._position)
        return ImportReport(
            summaries=tuple(summaries),
            errors=tuple(ordered[:MAX_REPORTED_ERRORS]),
            error_count=len(self.errors),
            applied=applied,
        )


def changed(row: StationRow | ChargePointRow) -> bool:
    if isinstance(row, ChargePointRow):
        return bool(row.changes or row.connector_changes)
    return bool(row.changes)


def differences(current: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    """The wanted values that differ from the current row's."""
    return {key: value for key, value in wanted.items() if getattr(current, key) != value}


def chunks(values: Iterable[T]) -> Iterable[list[T]]:
    """The values in slices of IN_CHUNK, for `IN (...)` queries."""
    items = list(values)
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]
