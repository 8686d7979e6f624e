"""Batch import of stations and charge points from CSV: check every row, then all or nothing.

An operator uploads a stations file, a charge points file, or both at once (a charge point may
name a station that the stations file creates). `check_import` validates every row (the
field rules of ccms_app.network.rules.asset_validation, the same as the forms) and every reference
(station in the file or in the operator's scope; identity not owned by another organisation;
duplicates within the file) and says what an import would create, update or leave unchanged.
`apply_import` does the same inside one write transaction and writes only when there is no
error at all, so a file is never half imported.

Keys: a station is found by name (in the operator's own organisation first, then in its
sub-operators'), a charge point by identity. Re-importing a file updates what changed.
A column left out of the file keeps what CCMS has; an empty cell clears the field (or sets
its default). New stations belong to the operator; a charge point belongs to its station's
organisation.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.rules import asset_validation as rules
from ccms_app.network.rules.csv_import import (
    CHARGE_POINTS,
    LAYOUTS,
    STATIONS,
    CellError,
    CsvRow,
    ParsedCsv,
    detect_kind,
    parse_connectors,
    parse_csv,
    parse_flag,
    template_csv,
)

log = logging.getLogger(__name__)

MAX_REPORTED_ERRORS = 500
STAGED_FOR_SECONDS = 24 * 3600
_STAGING = Path(tempfile.gettempdir()) / "ccms-imports"
_IN_CHUNK = 500  # values per SQL IN (...): well under SQLite's variable limit
STATION_FIELDS = ("name", "address", "latitude", "longitude", "timezone", "opening_hours")
CHARGE_POINT_FIELDS = (
    "vendor",
    "model",
    "serial_number",
    "firmware_version",
    "min_power_w",
    "max_power_w",
    "min_voltage_v",
    "max_voltage_v",
    "phases",
    "charging_method",
)


class ImportRefusedError(ValueError):
    """The files were not imported; `report` holds every error."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{report.error_count} errors; nothing was imported")
        self.report = report


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


def stage(files: Sequence[ImportFile]) -> str:
    """Keep uploaded files between the check and the import; returns their token.

    The files wait in the temp directory, not in the browser tab's state (which Reflex
    serialises on every event); stale ones (a closed tab) are pruned on the next upload.
    """
    _prune_staged()
    token = secrets.token_urlsafe(16)
    folder = _STAGING / token
    folder.mkdir(parents=True)
    for number, upload in enumerate(files):
        kind = upload.kind or ""
        (folder / f"{number}.{kind}.csv").write_bytes(upload.data)
        (folder / f"{number}.name").write_text(upload.name, encoding="utf-8")
    return token


def staged(token: str) -> list[ImportFile]:
    """The files staged under `token`; [] when unknown or pruned."""
    folder = _staging_folder(token)
    if folder is None:
        return []
    files = []
    for data_path in sorted(folder.glob("*.csv")):
        number, kind, _ = data_path.name.split(".", 2)
        name = (folder / f"{number}.name").read_text(encoding="utf-8")
        files.append(ImportFile(name, data_path.read_bytes(), kind or None))
    return files


def discard(token: str) -> None:
    folder = _staging_folder(token)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _staging_folder(token: str) -> Path | None:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _STAGING / token
    return folder if folder.is_dir() else None


def _prune_staged() -> None:
    if not _STAGING.is_dir():
        return
    cutoff = time.time() - STAGED_FOR_SECONDS
    for folder in _STAGING.iterdir():
        if folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


def template(kind: str) -> str:
    """The downloadable template: header, a commented example row, a legend."""
    return template_csv(LAYOUTS[kind])


def check_import(files: Sequence[ImportFile], organisation_id: int) -> ImportReport:
    """Validate the files and count what an import would create / update; writes nothing."""
    scope = organisation_scope(organisation_id)
    with read_session() as session:
        plan = _plan(session, files, organisation_id, scope)
    return plan.report(applied=False)


def apply_import(files: Sequence[ImportFile], organisation_id: int) -> ImportReport:
    """Validate and write in one transaction; ImportRefusedError (nothing written) on errors."""
    scope = organisation_scope(organisation_id)
    with session_scope() as session:
        plan = _plan(session, files, organisation_id, scope)
        if plan.errors:
            raise ImportRefusedError(plan.report(applied=False))
        _write(session, plan)
    report = plan.report(applied=True)
    log.info(
        "asset import applied",
        extra={
            "organisation_id": organisation_id,
            **{
                f"{s.kind}_{what}": getattr(s, what)
                for s in report.summaries
                for what in ("created", "updated", "unchanged")
            },
        },
    )
    return report


# ---- the plan: every row validated, what to write ------------------------------------------


@dataclass
class _StationRow:
    line: int
    fields: rules.StationFields
    existing: Station | None
    changes: dict[str, Any]


@dataclass
class _ChargePointRow:
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
class _Plan:
    organisation_id: int
    errors: list[CellError] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # kind -> file name
    row_counts: dict[str, int] = field(default_factory=dict)  # kind -> data rows in the file
    column_order: dict[str, dict[str, int]] = field(default_factory=dict)  # file -> header
    stations: list[_StationRow] = field(default_factory=list)
    charge_points: list[_ChargePointRow] = field(default_factory=list)

    def _summary(
        self, kind: str, rows: Sequence[_StationRow] | Sequence[_ChargePointRow]
    ) -> KindSummary:
        """Counts over the valid rows (all rows when the import is possible)."""
        created = sum(1 for r in rows if r.existing is None)
        updated = sum(1 for r in rows if r.existing is not None and _changed(r))
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


def _changed(row: _StationRow | _ChargePointRow) -> bool:
    if isinstance(row, _ChargePointRow):
        return bool(row.changes or row.connector_changes)
    return bool(row.changes)


def _plan(
    session: Session, files: Sequence[ImportFile], organisation_id: int, scope: frozenset[int]
) -> _Plan:
    plan = _Plan(organisation_id)
    parsed: dict[str, ParsedCsv] = {}
    for upload in files:
        kind = upload.kind or detect_kind(upload.data)
        if kind in parsed:
            plan.errors.append(
                CellError(0, "", f"Two {kind.replace('_', ' ')} files: import one at a time.")
            )
            continue
        result = parse_csv(upload.data, LAYOUTS[kind])
        plan.files[kind] = upload.name
        plan.row_counts[kind] = len(result.rows)
        plan.column_order[upload.name] = {name: i for i, name in enumerate(result.headers.values())}
        plan.errors += [_in_file(e, upload.name) for e in result.errors]
        parsed[kind] = result
    if not parsed:
        plan.errors.append(CellError(0, "", "Choose a CSV file to import."))
        return plan
    stations = _StationIndex(session, organisation_id, scope)
    if STATIONS in parsed and parsed[STATIONS].header_ok:
        _plan_stations(plan, parsed[STATIONS], stations)
    if CHARGE_POINTS in parsed and parsed[CHARGE_POINTS].header_ok:
        _plan_charge_points(session, plan, parsed[CHARGE_POINTS], stations, scope)
    return plan


def _in_file(error: CellError, name: str) -> CellError:
    return CellError(error.row, error.column, error.message, name)


def _error(plan: _Plan, kind: str, line: int, column: str, message: str) -> None:
    plan.errors.append(CellError(line, column, message, plan.files.get(kind, "")))


def _chunks(values: Iterable[str]) -> Iterable[list[str]]:
    items = list(values)
    for start in range(0, len(items), _IN_CHUNK):
        yield items[start : start + _IN_CHUNK]


# ---- stations ------------------------------------------------------------------------------


class _StationIndex:
    """Stations by name: those in the operator's scope (loaded on demand) and the file's."""

    def __init__(self, session: Session, organisation_id: int, scope: frozenset[int]) -> None:
        self.session = session
        self.organisation_id = organisation_id
        self.scope = scope
        self.in_db: dict[str, list[Station]] = {}
        self.in_file: dict[str, _StationRow] = {}
        self.invalid_in_file: set[str] = set()

    def load(self, names: Iterable[str]) -> None:
        wanted = {n for n in names if n and n not in self.in_db}
        for name in wanted:
            self.in_db[name] = []
        for chunk in _chunks(wanted):
            found = self.session.exec(
                select(Station).where(
                    col(Station.name).in_(chunk), col(Station.organisation_id).in_(self.scope)
                )
            ).all()
            for station in found:
                self.in_db[station.name].append(station)

    def existing(self, name: str) -> tuple[Station | None, str]:
        """The operator's own station of that name, else the only one in scope; or why not."""
        matches = self.in_db.get(name, [])
        own = [s for s in matches if s.organisation_id == self.organisation_id]
        if own:
            return own[0], ""
        if len(matches) > 1:
            return None, (
                f"{len(matches)} sub-operators have a station named \u201c{name}\u201d; "
                "rename one of them first."
            )
        return (matches[0] if matches else None), ""

    def similar(self, name: str) -> str:
        """A station in scope whose name differs only in case (for a helpful message)."""
        found = self.session.exec(
            select(Station.name)
            .where(
                func.lower(Station.name) == name.lower(),
                col(Station.organisation_id).in_(self.scope),
            )
            .limit(1)
        ).first()
        return found or ""


def _station_input(station: Station | None) -> dict[str, str]:
    if station is None:
        return {}
    return {
        "name": station.name,
        "address": station.address,
        "latitude": "" if station.latitude is None else repr(station.latitude),
        "longitude": "" if station.longitude is None else repr(station.longitude),
        "timezone": station.timezone,
        "opening_hours": station.opening_hours,
    }


def _plan_stations(plan: _Plan, parsed: ParsedCsv, index: _StationIndex) -> None:
    index.load(row.values.get("name", "").strip() for row in parsed.rows)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        name = row.values.get("name", "")
        existing, problem = index.existing(name)
        fields, errors = rules.validate_station({**_station_input(existing), **row.values})
        for key, message in errors.items():
            _error(plan, STATIONS, row.line, parsed.column_name(key), message)
        if problem:
            _error(plan, STATIONS, row.line, parsed.column_name("name"), problem)
        twin = seen.setdefault(name.casefold(), row.line)
        if name and twin != row.line:
            _error(
                plan,
                STATIONS,
                row.line,
                parsed.column_name("name"),
                f"The station \u201c{name}\u201d is also on line {twin}.",
            )
        if errors or problem or twin != row.line:
            index.invalid_in_file.add(name)
            continue
        wanted = {key: getattr(fields, key) for key in STATION_FIELDS}
        changes = _differences(existing, wanted) if existing else wanted
        station_row = _StationRow(row.line, fields, existing, changes)
        plan.stations.append(station_row)
        index.in_file[fields.name] = station_row


def _differences(current: Any, wanted: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in wanted.items() if getattr(current, key) != value}


# ---- charge points -------------------------------------------------------------------------


@dataclass
class _Existing:
    charge_points: dict[str, ChargePoint]
    connectors: dict[int, dict[int, Connector]]  # charge point id -> connector id -> row


def _load_charge_points(session: Session, identities: Iterable[str]) -> _Existing:
    found: dict[str, ChargePoint] = {}
    for chunk in _chunks(set(identities)):
        for cp in session.exec(
            select(ChargePoint).where(col(ChargePoint.identity).in_(chunk))
        ).all():
            found[cp.identity] = cp
    connectors: dict[int, dict[int, Connector]] = {}
    ids = [cp.id for cp in found.values() if cp.id is not None]
    for start in range(0, len(ids), _IN_CHUNK):
        for connector in session.exec(
            select(Connector).where(col(Connector.charge_point_id).in_(ids[start : start + 500]))
        ).all():
            connectors.setdefault(connector.charge_point_id, {})[connector.connector_id] = connector
    return _Existing(found, connectors)


def _power_kw(watts: int | None) -> str:
    return "" if watts is None else str(Decimal(watts) / 1000)


def _charge_point_input(cp: ChargePoint | None) -> dict[str, str]:
    if cp is None:
        return {}
    numbers = {
        "min_power_kw": _power_kw(cp.min_power_w),
        "max_power_kw": _power_kw(cp.max_power_w),
        "min_voltage_v": "" if cp.min_voltage_v is None else str(cp.min_voltage_v),
        "max_voltage_v": "" if cp.max_voltage_v is None else str(cp.max_voltage_v),
        "phases": "" if cp.phases is None else str(cp.phases),
    }
    texts = {key: getattr(cp, key) for key in ("vendor", "model", "serial_number")}
    return {
        **texts,
        **numbers,
        "identity": cp.identity,
        "firmware_version": cp.firmware_version,
        "charging_method": cp.charging_method,
        "enabled": "yes" if cp.enabled else "no",
    }


def _plan_charge_points(
    session: Session,
    plan: _Plan,
    parsed: ParsedCsv,
    stations: _StationIndex,
    scope: frozenset[int],
) -> None:
    existing = _load_charge_points(session, (r.values.get("identity", "") for r in parsed.rows))
    stations.load(r.values.get("station", "") for r in parsed.rows)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        planned = _plan_charge_point(plan, parsed, row, existing, stations, scope, seen)
        if planned is not None:
            plan.charge_points.append(planned)


def _plan_charge_point(
    plan: _Plan,
    parsed: ParsedCsv,
    row: CsvRow,
    existing: _Existing,
    stations: _StationIndex,
    scope: frozenset[int],
    seen: dict[str, int],
) -> _ChargePointRow | None:
    def fail(key: str, message: str) -> None:
        _error(plan, CHARGE_POINTS, row.line, parsed.column_name(key), message)

    identity = row.values.get("identity", "")
    current = existing.charge_points.get(identity)
    if current is not None and current.organisation_id not in scope:
        fail("identity", f"The identity {identity} is already used by another organisation.")
        current = None
    data = {**_charge_point_input(current), **row.values}
    fields, errors = rules.validate_charge_point(data)
    for key, message in errors.items():
        fail(key, message)
    enabled = parse_flag(data.get("enabled", "") or "yes")
    if enabled is None:
        fail("enabled", f"Enabled must be yes or no, got {data['enabled']!r}.")
    twin = seen.setdefault(identity.casefold(), row.line)
    if identity and twin != row.line:
        fail("identity", f"The charge point {identity} is also on line {twin}.")
    station_id, station_org, station_problem = _station_for(row, stations, plan.organisation_id)
    if station_problem:
        fail("station", station_problem)
    connectors, connector_problem = _connectors(row, fields)
    if connector_problem:
        fail("connectors", connector_problem)
    if errors or enabled is None or twin != row.line or station_problem or connector_problem:
        return None
    values = {key: getattr(fields, key) for key in CHARGE_POINT_FIELDS}
    values.update(
        enabled=enabled,
        station_id=station_id,
        organisation_id=station_org,
        registration_state=RegistrationState.REGISTERED,
    )
    if current is None:
        return _ChargePointRow(
            row.line, identity, row.values["station"], values, None, values, connectors, connectors
        )
    if station_id is None:  # the station is new: the charge point moves there
        values.pop("station_id")
    changes = _differences(current, values)
    if station_id is None:
        changes["station_id"] = None
    assert current.id is not None
    have = existing.connectors.get(current.id, {})
    connector_changes = [c for c in connectors if _connector_differs(have.get(c.connector_id), c)]
    return _ChargePointRow(
        row.line,
        identity,
        row.values["station"],
        values,
        current,
        changes,
        connectors,
        connector_changes,
        have,
    )


def _station_for(
    row: CsvRow, stations: _StationIndex, organisation_id: int
) -> tuple[int | None, int, str]:
    """(station id, or None when this import creates it; owner organisation; problem)."""
    name = row.values.get("station", "")
    if not name:
        return None, organisation_id, "Give the name of the charge point's station."
    in_file = stations.in_file.get(name)
    if in_file is not None:
        if in_file.existing is not None:
            return in_file.existing.id, in_file.existing.organisation_id, ""
        return None, organisation_id, ""
    if name in stations.invalid_in_file:
        return None, organisation_id, ""  # that station's own row already reports the error
    station, problem = stations.existing(name)
    if problem:
        return None, organisation_id, problem
    if station is None:
        hint = stations.similar(name)
        suffix = f" Did you mean \u201c{hint}\u201d?" if hint else ""
        return (
            None,
            organisation_id,
            (f"There is no station \u201c{name}\u201d in this import or in CCMS.{suffix}"),
        )
    return station.id, station.organisation_id, ""


def _connectors(
    row: CsvRow, fields: rules.ChargePointFields
) -> tuple[list[rules.ConnectorFields], str]:
    """The row's connector list, validated against the charge point; [] when the cell is empty."""
    specs, problem = parse_connectors(row.values.get("connectors", ""))
    if problem or not specs:
        return [], problem
    inputs = [
        {
            "connector_id": s.connector_id,
            "connector_type": s.connector_type,
            "max_power_kw": s.max_power_kw,
        }
        for s in specs
    ]
    connectors, errors = rules.validate_connectors(
        inputs, fields.max_power_w, fields.charging_method
    )
    if errors:
        messages = []
        for key, message in errors.items():
            index = int(key.split(".")[1])
            messages.append(f"Connector {specs[index].connector_id or index + 1}: {message}")
        return [], "; ".join(messages) + "."
    return connectors, ""


def _connector_differs(current: Connector | None, wanted: rules.ConnectorFields) -> bool:
    return current is None or (current.connector_type, current.max_power_w) != (
        wanted.connector_type,
        wanted.max_power_w,
    )


# ---- writing -------------------------------------------------------------------------------


def _write(session: Session, plan: _Plan) -> None:
    """Write the plan (inside the caller's transaction). Creations go in bulk inserts."""
    created_stations = _write_stations(session, plan)
    _write_charge_points(session, plan, created_stations)


def _write_stations(session: Session, plan: _Plan) -> dict[str, int]:
    """Create and update stations; the ids of the created ones by name."""
    now = utc_now()
    new = [r for r in plan.stations if r.existing is None]
    created: dict[str, int] = {}
    if new:
        rows = [
            {**r.changes, "organisation_id": plan.organisation_id, "created_at": now} for r in new
        ]
        result = session.execute(insert(Station).returning(Station.id, Station.name), rows)
        created = {name: station_id for station_id, name in result.all()}
    for row in plan.stations:
        if row.existing is not None and row.changes:
            for key, value in row.changes.items():
                setattr(row.existing, key, value)
            session.add(row.existing)
    session.flush()
    return created


def _write_charge_points(session: Session, plan: _Plan, created_stations: dict[str, int]) -> None:
    now = utc_now()
    new = [r for r in plan.charge_points if r.existing is None]
    ids: dict[str, int] = {}
    if new:
        rows = [
            {
                **r.values,
                "identity": r.identity,
                "station_id": r.values["station_id"] or created_stations[r.station_name],
                "created_at": now,
            }
            for r in new
        ]
        result = session.execute(
            insert(ChargePoint).returning(ChargePoint.id, ChargePoint.identity), rows
        )
        ids = {identity: cp_id for cp_id, identity in result.all()}
    for row in plan.charge_points:
        if row.existing is not None and row.changes:
            _update_charge_point(session, row, created_stations)
    session.flush()
    _write_connectors(session, plan, ids)


def _update_charge_point(
    session: Session, row: _ChargePointRow, created_stations: dict[str, int]
) -> None:
    cp = row.existing
    assert cp is not None
    changes = dict(row.changes)
    if "station_id" in changes and changes["station_id"] is None:
        changes["station_id"] = created_stations[row.station_name]
    for key, value in changes.items():
        setattr(cp, key, value)
    session.add(cp)
    if "organisation_id" in changes:
        for connector in row.current_connectors.values():
            connector.organisation_id = cp.organisation_id
            session.add(connector)


def _write_connectors(session: Session, plan: _Plan, new_ids: dict[str, int]) -> None:
    inserts: list[dict[str, Any]] = []
    for row in plan.charge_points:
        if not row.connector_changes:
            continue
        cp_id = row.existing.id if row.existing is not None else new_ids[row.identity]
        owner = (
            row.existing.organisation_id
            if row.existing is not None
            else row.values["organisation_id"]
        )
        for wanted in row.connector_changes:
            connector = row.current_connectors.get(wanted.connector_id)
            if connector is None:
                inserts.append(
                    {
                        "organisation_id": owner,
                        "charge_point_id": cp_id,
                        "connector_id": wanted.connector_id,
                        "connector_type": wanted.connector_type,
                        "max_power_w": wanted.max_power_w,
                    }
                )
            else:
                connector.connector_type = wanted.connector_type
                connector.max_power_w = wanted.max_power_w
                session.add(connector)
    if inserts:
        session.execute(insert(Connector), inserts)
