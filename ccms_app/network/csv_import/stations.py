"""Planning the rows of a stations file; the stations an import can refer to by name."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from ccms_app.core.i18n import tr
from ccms_app.network.csv_import.plan import Plan, StationRow, chunks, differences
from ccms_app.network.models import Station
from ccms_app.network.rules import asset_validation as rules
from ccms_app.network.rules.csv_import import STATIONS, ParsedCsv

STATION_FIELDS = ("name", "address", "latitude", "longitude", "timezone", "opening_hours")


class StationIndex:
    """Stations by name: those in the operator's scope (loaded on demand) and the file's."""

    def __init__(self, session: Session, organisation_id: int, scope: frozenset[int]) -> None:
        self.session = session
        self.organisation_id = organisation_id
        self.scope = scope
        self.in_db: dict[str, list[Station]] = {}
        self.in_file: dict[str, StationRow] = {}
        self.invalid_in_file: set[str] = set()

    def load(self, names: Iterable[str]) -> None:
        wanted = {n for n in names if n and n not in self.in_db}
        for name in wanted:
            self.in_db[name] = []
        for chunk in chunks(wanted):
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
            return None, tr(
                "{count} sub-operators have a station named \u201c{name}\u201d; "
                "rename one of them first.",
                count=len(matches),
                name=name,
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
    """A station's current values as the text a file would hold (for partial files)."""
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


def plan_stations(plan: Plan, parsed: ParsedCsv, index: StationIndex) -> None:
    """Validate every row of the stations file into the plan (and the index, for references)."""
    index.load(row.values.get("name", "").strip() for row in parsed.rows)
    seen: dict[str, int] = {}
    for row in parsed.rows:
        name = row.values.get("name", "")
        existing, problem = index.existing(name)
        fields, errors = rules.validate_station({**_station_input(existing), **row.values})
        for key, message in errors.items():
            plan.add_error(STATIONS, row.line, parsed.column_name(key), message)
        if problem:
            plan.add_error(STATIONS, row.line, parsed.column_name("name"), problem)
        twin = seen.setdefault(name.casefold(), row.line)
        if name and twin != row.line:
            plan.add_error(
                STATIONS,
                row.line,
                parsed.column_name("name"),
                tr("The station \u201c{name}\u201d is also on line {line}.", name=name, line=twin),
            )
        if errors or problem or twin != row.line:
            index.invalid_in_file.add(name)
            continue
        wanted = {key: getattr(fields, key) for key in STATION_FIELDS}
        changes = differences(existing, wanted) if existing else wanted
        station_row = StationRow(row.line, fields, existing, changes)
        plan.stations.append(station_row)
        index.in_file[fields.name] = station_row
