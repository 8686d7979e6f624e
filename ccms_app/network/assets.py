"""What the asset use cases (areas, stations, charge points) share: errors, scope, events.

Every use case takes the operator's `scope` (accounts.organisations.organisation_scope: the
operator's organisation and its sub-operators). A row outside the scope does not exist for
the operator (AssetNotFound, never "forbidden": that would confirm it exists), and a row can
only be given to an organisation inside the scope, so a sub-operator can neither create rows
for, nor move its rows to, another organisation.

Use-case modules: network.areas, network.stations, network.charge_point_admin,
network.registration; the list specs are in network.asset_lists.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, SQLModel, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session
from ccms_app.core.events import NetworkEvent, get_event_bus
from ccms_app.core.i18n import N_, tr
from ccms_app.core.rows import stored_id
from ccms_app.network.models import ChargePoint, Connector, Station

T = TypeVar("T", bound=SQLModel)


class AssetError(ValueError):
    """The operator must correct something. `errors` maps form fields to messages (all of
    them at once); the message alone is for problems that belong to no field."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.errors: dict[str, str] = dict(errors or {})


class AssetNotFound(LookupError):
    """No such row in the operator's scope."""


class AssetInUse(AssetError):
    """A delete refused because other data depends on the row; `alternative` says what to
    do instead (e.g. "disable")."""

    def __init__(self, message: str, alternative: str = "") -> None:
        super().__init__(message)
        self.alternative = alternative


# "<what> not saved: ..." for one field and for several, by the English `what` invalid() gets.
_NOT_SAVED: dict[str, tuple[str, str]] = {
    "Area": (
        N_("Area not saved: 1 field needs correcting"),
        N_("Area not saved: {count} fields need correcting"),
    ),
    "Station": (
        N_("Station not saved: 1 field needs correcting"),
        N_("Station not saved: {count} fields need correcting"),
    ),
    "Charge point": (
        N_("Charge point not saved: 1 field needs correcting"),
        N_("Charge point not saved: {count} fields need correcting"),
    ),
    "Connectors": (
        N_("Connectors not saved: 1 field needs correcting"),
        N_("Connectors not saved: {count} fields need correcting"),
    ),
    "Registration": (
        N_("Registration not saved: 1 field needs correcting"),
        N_("Registration not saved: {count} fields need correcting"),
    ),
}


def invalid(errors: Mapping[str, str], what: str) -> AssetError:
    """The form's refusal: `what` (English: "Area", "Station", ...) not saved, how many fields
    need correcting, in the reader's language."""
    count = len(errors)
    one, several = _NOT_SAVED.get(what, ("", ""))
    if one:
        return AssetError(tr(one) if count == 1 else tr(several, count=count), errors)
    noun = "field needs" if count == 1 else "fields need"
    return AssetError(f"{what} not saved: {count} {noun} correcting", errors)


def get_scoped(session: Session, model: type[T], row_id: int, scope: Collection[int]) -> T:
    """The row, if it exists and belongs to an organisation in scope."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "organisation_id", None) not in scope:
        raise AssetNotFound(_does_not_exist(model, row_id))
    return row


def owner_in_scope(
    session: Session, organisation_id: int | None, scope: Collection[int], field: str
) -> int:
    """The owner organisation chosen for a row: it must exist and be one the operator runs."""
    if organisation_id is None or organisation_id not in scope:
        raise AssetError(
            tr("Not saved: choose an owner organisation you manage"),
            {field: tr("Choose an organisation you manage")},
        )
    if session.get(Organisation, organisation_id) is None:
        raise AssetError(tr("Not saved: that organisation does not exist"), {field: tr("Unknown")})
    return organisation_id


def parse_id(raw: str | int | None) -> int | None:
    """A select's value ("" / "none" = nothing chosen) as an id."""
    if raw is None or isinstance(raw, int):
        return raw
    text = str(raw).strip()
    return int(text) if text.isdigit() else None


def publish_change(kind: str, charge_point_id: int | None = None, identity: str = "") -> None:
    """Tell the live publisher the network changed, so open pages (map, lists) refresh."""
    get_event_bus().publish(
        NetworkEvent(
            kind="charge_point" if charge_point_id else "asset",
            charge_point_id=charge_point_id,
            identity=identity,
            data={"change": kind},
        )
    )


def _does_not_exist(model: type[SQLModel], row_id: int) -> str:
    """ "Station 12 does not exist", in the reader's language."""
    if model.__name__ == "OperationArea":
        return tr("Operation area {row_id} does not exist", row_id=row_id)
    if model.__name__ == "ChargePoint":
        return tr("Charge point {row_id} does not exist", row_id=row_id)
    if model.__name__ == "Station":
        return tr("Station {row_id} does not exist", row_id=row_id)
    return f"{model.__name__} {row_id} does not exist"


def organisation_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the organisations the operator manages: the owner select's options."""
    with read_session() as session:
        rows = session.exec(
            select(col(Organisation.id), Organisation.name)
            .where(col(Organisation.id).in_(list(scope)))
            .order_by(Organisation.name)
        ).all()
    return [(stored_id(i), n) for i, n in rows]


@dataclass(frozen=True)
class ChargePointFacts:
    """What an operator picks charge points by for a firmware campaign."""

    id: int
    identity: str
    station: str
    model: str  # "vendor model", as the charger reported it at boot
    firmware_version: str


def charge_point_facts(scope: Collection[int]) -> list[ChargePointFacts]:
    """Every charge point the operator manages, with its station, model and firmware."""
    with read_session() as session:
        rows = session.exec(
            select(ChargePoint, Station.name)
            .outerjoin(Station, col(Station.id) == ChargePoint.station_id)
            .where(col(ChargePoint.organisation_id).in_(list(scope)))
            .order_by(ChargePoint.identity)
        ).all()
        return [
            ChargePointFacts(
                stored_id(cp.id),
                cp.identity,
                station or "",
                f"{cp.vendor} {cp.model}".strip(),
                cp.firmware_version,
            )
            for cp, station in rows
        ]


def charge_point_search(scope: Collection[int], term: str, limit: int) -> list[tuple[int, str]]:
    """(id, identity) of up to `limit` charge points in scope whose identity contains `term`
    (any case), by identity: pickers over networks of thousands."""
    query = select(col(ChargePoint.id), ChargePoint.identity).where(
        col(ChargePoint.organisation_id).in_(list(scope))
    )
    if term.strip():
        query = query.where(col(ChargePoint.identity).icontains(term.strip(), autoescape=True))
    with read_session() as session:
        rows = session.exec(query.order_by(ChargePoint.identity).limit(limit)).all()
    return [(stored_id(i), n) for i, n in rows]


def connector_search(scope: Collection[int], term: str, limit: int) -> list[tuple[int, str]]:
    """(connector row id, "CP-1 · connector 2") of up to `limit` connectors of charge points
    in scope whose identity contains `term`: the picker of per-connector settings."""
    query = (
        select(col(Connector.id), ChargePoint.identity, Connector.connector_id)
        .join(ChargePoint, col(ChargePoint.id) == Connector.charge_point_id)
        .where(col(ChargePoint.organisation_id).in_(list(scope)))
    )
    if term.strip():
        query = query.where(col(ChargePoint.identity).icontains(term.strip(), autoescape=True))
    query = query.order_by(col(ChargePoint.identity), col(Connector.connector_id)).limit(limit)
    with read_session() as session:
        rows = session.exec(query).all()
    return [(stored_id(i), f"{identity} · connector {number}") for i, identity, number in rows]


def charge_point_identities(ids: Collection[int], scope: Collection[int]) -> dict[int, str]:
    """id -> identity of those of `ids` the operator manages (others are left out)."""
    with read_session() as session:
        rows = session.exec(
            select(col(ChargePoint.id), ChargePoint.identity).where(
                col(ChargePoint.id).in_(list(ids)),
                col(ChargePoint.organisation_id).in_(list(scope)),
            )
        ).all()
    return {stored_id(i): n for i, n in rows}
