"""Provisioning use cases: register charge points and add id tags (RFID cards) by script.

Operators provision hundreds of charge points and thousands of cards with loops over the CLI,
so every call is idempotent (re-running with the same arguments changes nothing and says so)
and reports what it did. Bad input raises ProvisioningError with a message fit for a terminal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal, TypeVar

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts import licences
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import root_organisation
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.identifiers import FieldError, validate_id_tag, validate_identity
from ccms_app.core.local_time import wall_time_to_utc
from ccms_app.core.rows import stored_id
from ccms_app.drivers.id_tag_lookup import find_id_tag
from ccms_app.drivers.models import IdTag, IdTagStatus
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station

log = logging.getLogger(__name__)

Action = Literal["created", "updated", "unchanged"]
T = TypeVar("T")

STATION_NAME_MAX_LENGTH = 200


class ProvisioningError(FieldError):
    """Bad provisioning input. `field` names the offending argument (for CLI hints)."""


@dataclass(frozen=True)
class ChargePointResult:
    """What register_charge_point did, and the charge point as it is now."""

    action: Action
    identity: str
    charge_point_id: int
    station: str
    station_id: int
    station_created: bool
    organisation_id: int
    registration_state: str
    changes: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a terminal or a log."""
        text = f"charge point {self.identity} {self.action} at station {self.station!r}"
        if self.changes:
            text += f" ({', '.join(self.changes)})"
        if self.station_created:
            text += "; station created"
        return text


@dataclass(frozen=True)
class IdTagResult:
    """What add_id_tag did, and the id tag as it is now."""

    action: Action
    id_tag: str
    id_tag_pk: int
    status: str
    expiry_date: datetime | None
    parent_id_tag: str | None
    organisation_id: int
    changes: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line for a terminal or a log."""
        expiry = self.expiry_date.isoformat() if self.expiry_date else "never"
        text = f"id tag {self.id_tag} {self.action}: {self.status}, expires {expiry}"
        if self.parent_id_tag:
            text += f", parent {self.parent_id_tag}"
        if self.changes:
            text += f" ({', '.join(self.changes)})"
        return text


# --- validation -------------------------------------------------------------------------


def validate_station_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ProvisioningError(tr("station name is empty"), "station")
    if len(name) > STATION_NAME_MAX_LENGTH:
        raise ProvisioningError(
            tr(
                "station name is {count} characters long; at most "
                "{station_name_max_length} are allowed",
                count=len(name),
                station_name_max_length=STATION_NAME_MAX_LENGTH,
            ),
            "station",
        )
    return name


def expiry_to_utc(expires: date | datetime | None, zone: str = "UTC") -> datetime | None:
    """A date means the end of that day in `zone` (its last second: the second before the
    next local midnight; UTC unless the caller says whose day it is, e.g. the operator's);
    a datetime must carry its time zone."""
    if expires is None:
        return None
    if isinstance(expires, datetime):
        if expires.tzinfo is None:
            raise ProvisioningError(
                tr(
                    "expiry {isoformat} has no time zone; give a date or a timezone-aware time",
                    isoformat=expires.isoformat(),
                ),
                "expires",
            )
        return expires.astimezone(UTC).replace(microsecond=0)
    next_midnight = wall_time_to_utc((expires + timedelta(days=1)).isoformat(), zone)
    assert next_midnight is not None  # a date's text is never empty
    return next_midnight - timedelta(seconds=1)


# --- use cases --------------------------------------------------------------------------


def register_charge_point(
    identity: str, station_name: str, organisation_id: int | None = None
) -> ChargePointResult:
    """Register `identity` at the station named `station_name`, creating what is missing.

    The owner is `organisation_id`; when None, an existing charge point keeps its owner and a
    new one belongs to the root operator. The station is looked up by name within the owner
    and created (time zone UTC) if missing. An unregistered or disabled charge point becomes
    registered; one at another station is moved. A charge point new to the owner past its
    licence's limit is refused (ProvisioningError naming the licence's numbers).
    """
    validate_identity(identity)
    station_name = validate_station_name(station_name)
    result = _retry_on_conflict(
        lambda s: _register_charge_point(s, identity, station_name, organisation_id)
    )
    log.info(
        "charge point provisioned",
        extra={"identity": identity, "action": result.action, "station": result.station},
    )
    return result


def add_id_tag(
    id_tag: str,
    expires: date | datetime | None = None,
    organisation_id: int | None = None,
    parent_id_tag: str | None = None,
    blocked: bool = False,
) -> IdTagResult:
    """Create the id tag or bring it to exactly the given expiry, parent and blocked state.

    Tags are case-insensitive (OCPP CiString): an existing tag with another spelling is the
    same card. `organisation_id` None keeps an existing tag's owner (root operator for new).
    """
    validate_id_tag(id_tag)
    if parent_id_tag is not None:
        validate_id_tag(parent_id_tag, "parent_id_tag")
        if parent_id_tag.lower() == id_tag.lower():
            raise ProvisioningError(tr("an id tag cannot be its own parent"), "parent_id_tag")
    expiry = expiry_to_utc(expires)
    status = IdTagStatus.BLOCKED if blocked else IdTagStatus.ACTIVE
    result = _retry_on_conflict(
        lambda s: _upsert_id_tag(s, id_tag, expiry, organisation_id, parent_id_tag, status)
    )
    log.info("id tag provisioned", extra={"id_tag": result.id_tag, "action": result.action})
    return result


# --- implementation ---------------------------------------------------------------------


def _retry_on_conflict(work: Callable[[Session], T]) -> T:
    """Run `work` in a transaction; retry once if a concurrent writer inserted the same key.

    The OCPP server records unknown charge points as they boot, so a unique-key race with a
    registration is possible; the second attempt then finds the row and updates it.
    """
    try:
        with session_scope() as session:
            return work(session)
    except IntegrityError:
        log.info("provisioning conflict, retrying")
        with session_scope() as session:
            return work(session)


def _owner(session: Session, organisation_id: int | None, current: int | None) -> Organisation:
    if organisation_id is None:
        if current is not None:
            org = session.get(Organisation, current)
            if org is not None:
                return org
        return root_organisation(session)
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise ProvisioningError(
            tr("organisation {organisation_id} does not exist", organisation_id=organisation_id),
            "organisation",
        )
    return org


def _station(session: Session, organisation_id: int, name: str) -> tuple[Station, bool]:
    station = session.exec(
        select(Station).where(Station.organisation_id == organisation_id, Station.name == name)
    ).first()
    if station is not None:
        return station, False
    station = Station(organisation_id=organisation_id, name=name, timezone="UTC")
    session.add(station)
    session.flush()
    return station, True


def _register_charge_point(
    session: Session, identity: str, station_name: str, organisation_id: int | None
) -> ChargePointResult:
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
    org = _owner(session, organisation_id, cp.organisation_id if cp else None)
    org_id = stored_id(org.id)
    _check_licence(session, cp, org_id)
    station, station_created = _station(session, org_id, station_name)
    if cp is None:
        cp = ChargePoint(
            identity=identity,
            organisation_id=org_id,
            station_id=station.id,
            registration_state=RegistrationState.REGISTERED,
        )
        session.add(cp)
        session.flush()
        action: Action = "created"
        changes: tuple[str, ...] = ()
    else:
        changes = _apply_registration(session, cp, org_id, station)
        action = "updated" if changes else "unchanged"
    return ChargePointResult(
        action=action,
        identity=cp.identity,
        charge_point_id=stored_id(cp.id),
        station=station.name,
        station_id=stored_id(station.id),
        station_created=station_created,
        organisation_id=org_id,
        registration_state=cp.registration_state,
        changes=changes,
    )


def _check_licence(session: Session, cp: ChargePoint | None, organisation_id: int) -> None:
    """A charge point new to the owner's licence (new, unregistered, or another owner's)
    takes a place with its connectors; refused past the licence's limit. Checked in the
    registering transaction, so two registrations cannot both take the last place."""
    if (
        cp is not None
        and cp.organisation_id == organisation_id
        and cp.registration_state != RegistrationState.UNREGISTERED
    ):
        return
    connectors = 0
    if cp is not None:
        connectors = session.exec(
            select(func.count(col(Connector.id))).where(Connector.charge_point_id == cp.id)
        ).one()
    refusal = licences.refusal_in(session, organisation_id, 1, connectors)
    if refusal:
        raise ProvisioningError(refusal, "organisation")


def _apply_registration(
    session: Session, cp: ChargePoint, organisation_id: int, station: Station
) -> tuple[str, ...]:
    """Bring an existing charge point to registered at `station`; return what changed."""
    changes: list[str] = []
    if cp.registration_state != RegistrationState.REGISTERED:
        changes.append(f"{cp.registration_state} -> registered")
        cp.registration_state = RegistrationState.REGISTERED
    if cp.station_id != station.id:
        changes.append("moved to station")
        cp.station_id = station.id
    if cp.organisation_id != organisation_id:
        changes.append("new owner")
        cp.organisation_id = organisation_id
        for connector in session.exec(
            select(Connector).where(Connector.charge_point_id == cp.id)
        ).all():
            connector.organisation_id = organisation_id
            session.add(connector)
    if changes:
        session.add(cp)
        session.flush()
    return tuple(changes)


def _upsert_id_tag(
    session: Session,
    id_tag: str,
    expiry: datetime | None,
    organisation_id: int | None,
    parent_id_tag: str | None,
    status: str,
) -> IdTagResult:
    tag = find_id_tag(session, id_tag)
    org = _owner(session, organisation_id, tag.organisation_id if tag else None)
    wanted: dict[str, object] = {
        "status": status,
        "expiry_date": expiry,
        "parent_id_tag": parent_id_tag,
        "organisation_id": stored_id(org.id),
    }
    if tag is None:
        tag = IdTag(
            id_tag=id_tag,
            status=status,
            expiry_date=expiry,
            parent_id_tag=parent_id_tag,
            organisation_id=stored_id(org.id),
        )
        action: Action = "created"
        changes: tuple[str, ...] = ()
    else:
        changes = tuple(name for name, value in wanted.items() if getattr(tag, name) != value)
        for name in changes:
            setattr(tag, name, wanted[name])
        action = "updated" if changes else "unchanged"
    session.add(tag)
    session.flush()
    return IdTagResult(
        action=action,
        id_tag=tag.id_tag,
        id_tag_pk=stored_id(tag.id),
        status=tag.status,
        expiry_date=tag.expiry_date,
        parent_id_tag=tag.parent_id_tag,
        organisation_id=tag.organisation_id,
        changes=changes,
    )
