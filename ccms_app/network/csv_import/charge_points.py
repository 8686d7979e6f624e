"""Planning the rows of a charge points file: fields, station, connectors, owner."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, col, select

from ccms_app.core.i18n import tr
from ccms_app.network.csv_import.licence import check_licences
from ccms_app.network.csv_import.plan import ChargePointRow, Plan, chunks, differences
from ccms_app.network.csv_import.stations import StationIndex
from ccms_app.network.models import ChargePoint, Connector, RegistrationState
from ccms_app.network.rules import asset_validation as rules
from ccms_app.network.rules.csv_import import (
    CHARGE_POINTS,
    CsvRow,
    ParsedCsv,
    parse_connectors,
    parse_flag,
)

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


@dataclass
class _Existing:
    charge_points: dict[str, ChargePoint]
    connectors: dict[int, dict[int, Connector]]  # charge point id -> connector id -> row


@dataclass(frozen=True)
class _Context:
    """What every row of one file is checked against."""

    plan: Plan
    parsed: ParsedCsv
    existing: _Existing
    stations: StationIndex
    scope: frozenset[int]


def plan_charge_points(
    session: Session,
    plan: Plan,
    parsed: ParsedCsv,
    stations: StationIndex,
    scope: frozenset[int],
) -> None:
    """Validate every row of the charge points file into the plan, then the licences of
    the organisations it registers charge points to."""
    existing = _load_charge_points(session, (r.values.get("identity", "") for r in parsed.rows))
    stations.load(r.values.get("station", "") for r in parsed.rows)
    context = _Context(plan, parsed, existing, stations, scope)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        planned = _plan_charge_point(context, row, seen)
        if planned is not None:
            plan.charge_points.append(planned)
    check_licences(session, plan, parsed.column_name("station"))


def _load_charge_points(session: Session, identities: Iterable[str]) -> _Existing:
    found: dict[str, ChargePoint] = {}
    for chunk in chunks(set(identities)):
        for cp in session.exec(
            select(ChargePoint).where(col(ChargePoint.identity).in_(chunk))
        ).all():
            found[cp.identity] = cp
    connectors: dict[int, dict[int, Connector]] = {}
    ids = [cp.id for cp in found.values() if cp.id is not None]
    for id_chunk in chunks(ids):
        for connector in session.exec(
            select(Connector).where(col(Connector.charge_point_id).in_(id_chunk))
        ).all():
            connectors.setdefault(connector.charge_point_id, {})[connector.connector_id] = connector
    return _Existing(found, connectors)


def _power_kw(watts: int | None) -> str:
    return "" if watts is None else str(Decimal(watts) / 1000)


def _charge_point_input(cp: ChargePoint | None) -> dict[str, str]:
    """A charge point's current values as the text a file would hold (for partial files)."""
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


def _plan_charge_point(
    context: _Context, row: CsvRow, seen: dict[str, int]
) -> ChargePointRow | None:
    """One row: every problem into the plan's errors; the row to write when it has none."""
    plan, parsed = context.plan, context.parsed

    def fail(key: str, message: str) -> None:
        plan.add_error(CHARGE_POINTS, row.line, parsed.column_name(key), message)

    identity = row.values.get("identity", "")
    current = context.existing.charge_points.get(identity)
    if current is not None and current.organisation_id not in context.scope:
        fail(
            "identity",
            tr(
                "The identity {identity} is already used by another organisation.",
                identity=identity,
            ),
        )
        current = None
    data = {**_charge_point_input(current), **row.values}
    fields, errors = rules.validate_charge_point(data)
    for key, message in errors.items():
        fail(key, message)
    enabled = parse_flag(data.get("enabled", "") or "yes")
    if enabled is None:
        fail("enabled", tr("Enabled must be yes or no, got {value}.", value=repr(data["enabled"])))
    twin = seen.setdefault(identity.casefold(), row.line)
    if identity and twin != row.line:
        fail(
            "identity",
            tr("The charge point {identity} is also on line {line}.", identity=identity, line=twin),
        )
    station_id, station_org, station_problem = _station_for(
        row, context.stations, plan.organisation_id
    )
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
        return ChargePointRow(
            row.line, identity, row.values["station"], values, None, values, connectors, connectors
        )
    return _update_row(context, row, identity, current, values, connectors)


def _update_row(
    context: _Context,
    row: CsvRow,
    identity: str,
    current: ChargePoint,
    values: dict[str, object],
    connectors: list[rules.ConnectorFields],
) -> ChargePointRow:
    """The row for a charge point CCMS has: only what differs is written."""
    new_station = values["station_id"] is None  # the station is new: the charge point moves
    if new_station:
        values.pop("station_id")
    changes = differences(current, values)
    if new_station:
        changes["station_id"] = None
    if current.id is None:
        raise ValueError(f"charge point {current.identity} was loaded without an id")
    have = context.existing.connectors.get(current.id, {})
    connector_changes = [c for c in connectors if _connector_differs(have.get(c.connector_id), c)]
    return ChargePointRow(
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
    row: CsvRow, stations: StationIndex, organisation_id: int
) -> tuple[int | None, int, str]:
    """(station id, or None when this import creates it; owner organisation; problem)."""
    name = row.values.get("station", "")
    if not name:
        return None, organisation_id, tr("Give the name of the charge point's station.")
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
        problem = (
            tr(
                "There is no station \u201c{name}\u201d in this import or in CCMS. "
                "Did you mean \u201c{hint}\u201d?",
                name=name,
                hint=hint,
            )
            if hint
            else tr("There is no station \u201c{name}\u201d in this import or in CCMS.", name=name)
        )
        return None, organisation_id, problem
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
            messages.append(
                tr(
                    "Connector {connector_id}: {problem}",
                    connector_id=specs[index].connector_id or index + 1,
                    problem=message,
                )
            )
        return [], "; ".join(messages) + "."
    return connectors, ""


def _connector_differs(current: Connector | None, wanted: rules.ConnectorFields) -> bool:
    return current is None or (current.connector_type, current.max_power_w) != (
        wanted.connector_type,
        wanted.max_power_w,
    )
