"""Batch import of stations and charge points from CSV: check every row, then all or nothing.

An operator uploads a stations file, a charge points file, or both at once (a charge point may
name a station that the stations file creates). `check_import` validates every row (the
field rules of ccms_app.network.rules.asset_validation, the same as the forms) and every
reference (station in the file or in the operator's scope; identity not owned by another
organisation; duplicates within the file) and says what an import would create, update or
leave unchanged. `apply_import` does the same inside one write transaction and writes only
when there is no error at all, so a file is never half imported.

Keys: a station is found by name (in the operator's own organisation first, then in its
sub-operators'), a charge point by identity. Re-importing a file updates what changed.
A column left out of the file keeps what CCMS has; an empty cell clears the field (or sets
its default). New stations belong to the operator; a charge point belongs to its station's
organisation.

Charge points the file registers to an organisation must fit its licence, as when
registered by hand (`licence`: the rows past the limit get the error).

The parsing of the files is pure (ccms_app.network.rules.csv_import); here: the plan
(`plan`, `stations`, `charge_points`, `licence`), the writing (`write`), the upload
staging (`staging`) and the two entry points (`importer`).
"""

from __future__ import annotations

from ccms_app.network.csv_import.importer import apply_import, check_import, template
from ccms_app.network.csv_import.report import (
    MAX_REPORTED_ERRORS,
    ImportFile,
    ImportRefusedError,
    ImportReport,
    KindSummary,
)
from ccms_app.network.csv_import.staging import STAGED_FOR_SECONDS, discard, stage, staged

__all__ = [
    "MAX_REPORTED_ERRORS",
    "STAGED_FOR_SECONDS",
    "ImportFile",
    "ImportRefusedError",
    "ImportReport",
    "KindSummary",
    "apply_import",
    "check_import",
    "discard",
    "stage",
    "staged",
    "template",
]
