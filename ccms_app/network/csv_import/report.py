"""What an import is given (the uploaded files) and what it answers (counts and errors)."""

from __future__ import annotations

from dataclasses import dataclass

from ccms_app.network.rules.csv_import import CellError

MAX_REPORTED_ERRORS = 500


@dataclass(frozen=True)
class ImportFile:
    """An uploaded file. `kind` None: recognised from the header (identity -> charge points)."""

    name: str
    data: bytes
    kind: str | None = None


@dataclass(frozen=True)
class KindSummary:
    kind: str
    file: str
    rows: int
    created: int
    updated: int
    unchanged: int


@dataclass(frozen=True)
class ImportReport:
    """What an import found (errors, at most MAX_REPORTED_ERRORS of them) and would do / did."""

    summaries: tuple[KindSummary, ...] = ()
    errors: tuple[CellError, ...] = ()
    error_count: int = 0
    applied: bool = False

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class ImportRefusedError(ValueError):
    """The files were not imported; `report` holds every error."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.error_count} errors; nothing was imported")
        self.report = report
