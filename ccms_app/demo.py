"""Seed a demo network so a fresh install shows something real within minutes.

Idempotent: rows are found by their natural keys and only what is missing is created, so
`ccms run` can seed on every start without undoing what an operator changed in the UI.
The simulated fleet (ocpp_server.simulator) connects as DEMO-CP-0001.. and presents the
DEMO-TAG-001..020 cards seeded here. The last fleet identity is left unregistered on purpose:
it boots as an unknown charge point, which is what an operator sees when a new charger arrives.

The demo admin is the only account CCMS ever creates by itself, and only here (`ccms run`
with CCMS_DEMO_FLEET > 0, or `ccms seed-demo`). Its password is `DEFAULT_ADMIN_PASSWORD`
unless CCMS_ADMIN_PASSWORD is set; a password changed later in the UI is kept across
restarts (only an explicit CCMS_ADMIN_PASSWORD resets it). The login is public knowledge,
so `ccms run` says in its banner that a demo must not face the internet.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlmodel import Session, col, select

from ccms_app.accounts.auth import ensure_admin, find_login_account
from ccms_app.accounts.models import Organisation
from ccms_app.core.config import get_settings
from ccms_app.core.db import session_scope
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.driver_app.demo import seed_demo_driver
from ccms_app.drivers.models import Driver, IdTag, IdTagStatus
from ccms_app.finance.demo_payments import seed_demo_payments
from ccms_app.finance.demo_tariffs import seed_demo_finance
from ccms_app.load_balancing.demo_load_balancing import seed_demo_load_balancing
from ccms_app.maintenance.demo_maintenance import seed_demo_maintenance
from ccms_app.network.models import (
    ChargePoint,
    Connector,
    OperationArea,
    RegistrationState,
    Station,
)

log = logging.getLogger(__name__)
Row = TypeVar("Row")

DEMO_OPERATOR_NAME = "CCMS Demo Operator"
DEMO_SUB_OPERATOR_NAME = "CCMS Demo Partner France"
DEMO_CP_PREFIX = "DEMO-CP-"
DEMO_TAG_COUNT = 20
DEMO_TAG_BLOCKED = "DEMO-TAG-BLOCKED"
DEMO_TAG_EXPIRED = "DEMO-TAG-EXPIRED"
DEFAULT_ADMIN_EMAIL = "admin@ccms.local"
DEFAULT_ADMIN_PASSWORD = "ccms-demo-admin"  # the demo only: public, printed at start-up
CONNECTOR_TYPE = "Type2"
CONNECTOR_POWER_W = 22_000

_AREAS = (("Benelux & Germany", False), ("Ile-de-France", True))  # (name, sub-operator owns)

# name, address, latitude, longitude, time zone, area index
_STATIONS = (
    (
        "Amsterdam Piet Heinkade",
        "Piet Heinkade 23, 1019 BR Amsterdam, Netherlands",
        52.37720,
        4.91370,
        "Europe/Amsterdam",
        0,
    ),
    (
        "Berlin Friedrichstrasse",
        "Friedrichstrasse 50, 10117 Berlin, Germany",
        52.50750,
        13.39030,
        "Europe/Berlin",
        0,
    ),
    (
        "Paris Rue de Rivoli",
        "99 Rue de Rivoli, 75001 Paris, France",
        48.86060,
        2.33760,
        "Europe/Paris",
        1,
    ),
)

_DRIVERS = (
    "Anna de Vries", "Lukas Schmidt", "Camille Martin", "Sem Jansen", "Mia Weber",
    "Louis Bernard", "Emma Bakker", "Felix Wagner", "Chloe Dubois", "Daan Visser",
    "Lena Becker", "Hugo Moreau", "Sophie Smit", "Jonas Hoffmann", "Lea Laurent",
    "Finn Meijer", "Hannah Koch", "Jules Girard", "Julia Mulder", "Noah Richter",
)  # fmt: skip


def demo_identity(index: int) -> str:
    """The OCPP identity of the index-th demo charge point (1-based)."""
    return f"{DEMO_CP_PREFIX}{index:04d}"


def demo_id_tags() -> list[str]:
    """The active demo cards; the simulator presents exactly these."""
    return [f"DEMO-TAG-{n:03d}" for n in range(1, DEMO_TAG_COUNT + 1)]


def demo_admin_credentials() -> tuple[str, str]:
    """(email, password) of the demo admin: CCMS_ADMIN_EMAIL / CCMS_ADMIN_PASSWORD, else the
    demo's own defaults."""
    settings = get_settings()
    return settings.admin_email.strip() or DEFAULT_ADMIN_EMAIL, settings.admin_password or (
        DEFAULT_ADMIN_PASSWORD
    )


def _admin_password_configured() -> bool:
    return bool(get_settings().admin_password)


@dataclass(frozen=True)
class DemoSummary:
    """What seed_demo found and created."""

    operator: str
    sub_operator: str
    registered: tuple[str, ...]
    unregistered_identity: str | None
    admin_email: str
    admin_created: bool
    created: dict[str, int] = field(default_factory=dict)
    admin_password_reset: bool = False  # an existing admin got CCMS_ADMIN_PASSWORD

    def lines(self) -> list[str]:
        """Human-readable report, one fact per line."""
        made = ", ".join(f"{n} {kind}" for kind, n in self.created.items() if n) or "nothing"
        lines = [
            f"demo operator {self.operator!r} with sub-operator {self.sub_operator!r}",
            f"created: {made}",
            f"registered demo charge points: {len(self.registered)}"
            + (f" ({self.registered[0]} .. {self.registered[-1]})" if self.registered else ""),
        ]
        if self.unregistered_identity:
            lines.append(
                f"{self.unregistered_identity} is left unregistered: it shows up as a new "
                "charge point when it boots"
            )
        if self.admin_created:
            state = "created"
        elif self.admin_password_reset:
            state = "present (password set from CCMS_ADMIN_PASSWORD)"
        else:
            state = "present (its password left as it is)"
        lines.append(f"admin account {self.admin_email} {state}")
        return lines


def seed_demo(fleet_size: int, connectors: int = 2) -> DemoSummary:
    """Create the demo network for `fleet_size` simulated charge points (idempotent)."""
    if fleet_size < 0:
        raise ValueError(f"fleet size must be 0 or more, got {fleet_size}")
    if not 1 <= connectors <= 10:
        raise ValueError(f"connectors per charge point must be 1..10, got {connectors}")
    created: Counter[str] = Counter()
    with session_scope() as session:
        operator, sub_operator = _organisations(session, created)
        stations = _stations(session, operator, sub_operator, created)
        count = _registered_count(fleet_size)
        registered = _charge_points(session, stations, count, connectors, created)
        _drivers_and_tags(session, operator, created)
        left_out = _still_unregistered(session, fleet_size)
        names = (operator.name, sub_operator.name)
        organisations = [
            (stored_id(operator.id), operator.name),
            (stored_id(sub_operator.id), sub_operator.name),
        ]
    if finance_rows := seed_demo_finance(organisations):
        created["finance rows"] += finance_rows
    if payment_rows := seed_demo_payments(organisations[0][0]):
        created["payment rows"] += payment_rows
    if app_accounts := seed_demo_driver():
        created["driver app accounts"] += app_accounts
    email, password = demo_admin_credentials()
    if maintenance_rows := seed_demo_maintenance(organisations[0][0], password):
        created["maintenance rows"] += maintenance_rows
    if load_rows := seed_demo_load_balancing(organisations[0][0]):
        created["load balancing rows"] += load_rows
    account = find_login_account(email)
    admin_created = account is None
    reset = not admin_created and _admin_password_configured()
    if account is None or reset:
        # Created with the demo password; an existing admin's password is reset only to a
        # CCMS_ADMIN_PASSWORD the operator chose, never back to the public default.
        account, _ = ensure_admin(email, password)
    summary = DemoSummary(
        operator=names[0],
        sub_operator=names[1],
        registered=registered,
        unregistered_identity=left_out,
        admin_email=account.email,
        admin_created=admin_created,
        created=dict(created),
        admin_password_reset=reset,
    )
    log.info("demo seeded", extra={"fleet": fleet_size, "rows_created": dict(created)})
    return summary


def _still_unregistered(session: Session, fleet_size: int) -> str | None:
    """The fleet's last identity, left out of the seed, until an operator registers it: the
    start-up report must not call a registered charge point new."""
    if fleet_size <= 1:
        return None
    identity = demo_identity(fleet_size)
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
    if cp is not None and cp.registration_state == RegistrationState.REGISTERED:
        return None
    return identity


def _registered_count(fleet_size: int) -> int:
    return fleet_size if fleet_size <= 1 else fleet_size - 1


def _organisations(session: Session, created: Counter[str]) -> tuple[Organisation, Organisation]:
    operator = session.exec(
        select(Organisation)
        .where(col(Organisation.parent_id).is_(None))
        .order_by(col(Organisation.id))
    ).first()
    if operator is None:
        name = get_settings().operator_name.strip() or DEMO_OPERATOR_NAME
        operator = _add(session, Organisation(name=name), created, "organisations")
    sub = session.exec(
        select(Organisation).where(Organisation.name == DEMO_SUB_OPERATOR_NAME)
    ).first()
    if sub is None:
        sub = _add(
            session,
            Organisation(name=DEMO_SUB_OPERATOR_NAME, parent_id=operator.id),
            created,
            "organisations",
        )
    return operator, sub


def _stations(
    session: Session, operator: Organisation, sub: Organisation, created: Counter[str]
) -> list[Station]:
    areas = [
        _area(session, (sub if by_sub else operator).id, name, created) for name, by_sub in _AREAS
    ]
    stations = []
    for name, address, lat, lon, tz, area_index in _STATIONS:
        area = areas[area_index]
        station = session.exec(
            select(Station).where(
                Station.organisation_id == area.organisation_id, Station.name == name
            )
        ).first()
        if station is None:
            station = _add(
                session,
                Station(
                    organisation_id=area.organisation_id,
                    area_id=area.id,
                    name=name,
                    address=address,
                    latitude=lat,
                    longitude=lon,
                    timezone=tz,
                ),
                created,
                "stations",
            )
        stations.append(station)
    return stations


def _area(
    session: Session, organisation_id: int | None, name: str, created: Counter[str]
) -> OperationArea:
    assert organisation_id is not None
    area = session.exec(
        select(OperationArea).where(
            OperationArea.organisation_id == organisation_id, OperationArea.name == name
        )
    ).first()
    if area is None:
        area = _add(
            session,
            OperationArea(organisation_id=organisation_id, name=name),
            created,
            "operation areas",
        )
    return area


def _charge_points(
    session: Session,
    stations: list[Station],
    count: int,
    connectors: int,
    created: Counter[str],
) -> tuple[str, ...]:
    identities = []
    for index in range(1, count + 1):
        station = stations[(index - 1) % len(stations)]
        cp = _charge_point(session, demo_identity(index), station, connectors, created)
        for connector_id in range(1, connectors + 1):
            _connector(session, cp, connector_id, created)
        identities.append(cp.identity)
    return tuple(identities)


def _charge_point(
    session: Session, identity: str, station: Station, connectors: int, created: Counter[str]
) -> ChargePoint:
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == identity)).first()
    if cp is None:
        return _add(
            session,
            ChargePoint(
                identity=identity,
                organisation_id=station.organisation_id,
                station_id=station.id,
                max_power_w=CONNECTOR_POWER_W * connectors,
                registration_state=RegistrationState.REGISTERED,
            ),
            created,
            "charge points",
        )
    if cp.registration_state == RegistrationState.UNREGISTERED and cp.station_id is None:
        # It booted before it was part of the seeded fleet (a smaller fleet earlier).
        cp.registration_state = RegistrationState.REGISTERED
        cp.station_id = station.id
        cp.organisation_id = station.organisation_id
        session.add(cp)
        session.flush()
        created["registrations"] += 1
    return cp


def _connector(session: Session, cp: ChargePoint, connector_id: int, created: Counter[str]) -> None:
    cp_id = stored_id(cp.id)
    exists = session.exec(
        select(Connector.id).where(
            col(Connector.charge_point_id) == cp_id, col(Connector.connector_id) == connector_id
        )
    ).first()
    if exists is None:
        _add(
            session,
            Connector(
                organisation_id=cp.organisation_id,
                charge_point_id=cp_id,
                connector_id=connector_id,
                connector_type=CONNECTOR_TYPE,
                max_power_w=CONNECTOR_POWER_W,
            ),
            created,
            "connectors",
        )


def _drivers_and_tags(session: Session, operator: Organisation, created: Counter[str]) -> None:
    operator_id = stored_id(operator.id)
    for name, tag in zip(_DRIVERS, demo_id_tags(), strict=True):
        driver = _driver(session, operator_id, name, created)
        _tag(session, operator_id, tag, created, driver_id=driver.id, description=f"{name}'s card")
    blocked, expired = IdTagStatus.BLOCKED, utc_now() - timedelta(days=1)
    _tag(session, operator_id, DEMO_TAG_BLOCKED, created, status=blocked, description="Lost card")
    _tag(session, operator_id, DEMO_TAG_EXPIRED, created, expiry=expired, description="Expired")


def _driver(session: Session, organisation_id: int, name: str, created: Counter[str]) -> Driver:
    email = f"{name.lower().replace(' ', '.')}@example.com"
    driver = session.exec(
        select(Driver).where(Driver.organisation_id == organisation_id, Driver.email == email)
    ).first()
    if driver is None:
        driver = _add(
            session,
            Driver(organisation_id=organisation_id, name=name, email=email),
            created,
            "drivers",
        )
    return driver


def _tag(
    session: Session,
    organisation_id: int,
    id_tag: str,
    created: Counter[str],
    status: str = IdTagStatus.ACTIVE,
    expiry: datetime | None = None,
    driver_id: int | None = None,
    description: str = "",
) -> None:
    if session.exec(select(IdTag.id).where(IdTag.id_tag == id_tag)).first() is not None:
        return
    _add(
        session,
        IdTag(
            organisation_id=organisation_id,
            id_tag=id_tag,
            status=status,
            expiry_date=expiry,
            driver_id=driver_id,
            description=description,
        ),
        created,
        "id tags",
    )


def _add(session: Session, row: Row, created: Counter[str], kind: str) -> Row:
    session.add(row)
    session.flush()
    created[kind] += 1
    return row
