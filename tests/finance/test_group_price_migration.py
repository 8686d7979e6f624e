"""Revision 0018 turns each group price of before tariffs into a tariff assigned to its group,
so the members of a fleet keep paying what they paid: a real SQLite database upgraded from
0017, then the tariff resolution of a session on that organisation's charger."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session, select

from ccms_app.core.db import make_engine
from ccms_app.core.migrations import upgrade_database
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, IdTag, UserGroupMember
from ccms_app.finance.models import AssignmentTarget, Tariff, TariffAssignment, TariffVersion
from ccms_app.finance.rules.tariff_types import Dimension
from ccms_app.finance.tariff_assignments import resolve
from ccms_app.finance.tariffs import load_definition
from ccms_app.network.models import ChargePoint

BEFORE_TARIFFS = "0017_webhooks"
CREATED = "2026-01-05 09:00:00.000000"  # how SQLite stores a UTC datetime (core.types)
SESSION_START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class OldGroups:
    """The ids of the groups stored before revision 0018."""

    organisation: int
    fleet: int  # EUR 0.29 per kWh
    yen: int  # JPY 150 per kWh
    standard: int  # no group price: the standard tariff applied


def _insert_group(conn: Connection, org: int, name: str, minor: int | None, currency: str) -> int:
    return conn.execute(
        text(
            "INSERT INTO user_group (organisation_id, name, account_name, billing_email, "
            "price_per_kwh_minor, currency, created_at) "
            "VALUES (:org, :name, '', '', :minor, :currency, :at) RETURNING id"
        ),
        {"org": org, "name": name, "minor": minor, "currency": currency, "at": CREATED},
    ).scalar_one()


@pytest.fixture
def upgraded(tmp_path: Path) -> Iterator[tuple[Engine, OldGroups]]:
    """A database at 0017 holding group prices, then upgraded to the newest revision."""
    url = f"sqlite:///{tmp_path / 'group_prices.db'}"
    upgrade_database(url, BEFORE_TARIFFS)
    engine = make_engine(url)
    with engine.begin() as conn:
        org = conn.execute(
            text("INSERT INTO organisation (name, created_at) VALUES ('Op', :at) RETURNING id"),
            {"at": CREATED},
        ).scalar_one()
        groups = OldGroups(
            organisation=org,
            fleet=_insert_group(conn, org, "ACME fleet", 29, "EUR"),
            yen=_insert_group(conn, org, "Tokyo fleet", 150, "JPY"),
            standard=_insert_group(conn, org, "Neighbours", None, "EUR"),
        )
    upgrade_database(url)
    yield engine, groups
    engine.dispose()


def _group_tariff(session: Session, group_id: int) -> Tariff:
    assignment = session.exec(
        select(TariffAssignment).where(
            TariffAssignment.target_kind == AssignmentTarget.GROUP.value,
            TariffAssignment.target_id == group_id,
        )
    ).one()
    tariff = session.get(Tariff, assignment.tariff_id)
    assert tariff is not None
    return tariff


def _energy_price(session: Session, tariff: Tariff) -> tuple[str, Decimal]:
    version = session.exec(select(TariffVersion).where(TariffVersion.tariff_id == tariff.id)).one()
    definition = load_definition(version.definition)
    (element,) = definition.elements
    (component,) = element.price_components
    assert component.type is Dimension.ENERGY
    return definition.currency, component.price


def test_each_group_price_becomes_a_tariff_assigned_to_its_group(
    upgraded: tuple[Engine, OldGroups],
) -> None:
    engine, groups = upgraded
    with Session(engine) as session:
        fleet = _group_tariff(session, groups.fleet)
        yen = _group_tariff(session, groups.yen)
        assert (fleet.name, fleet.currency, fleet.organisation_id) == (
            f"Group price: ACME fleet #{groups.fleet}",
            "EUR",
            groups.organisation,
        )
        assert (yen.name, yen.currency) == (f"Group price: Tokyo fleet #{groups.yen}", "JPY")
        assert _energy_price(session, fleet) == ("EUR", Decimal("0.29"))
        assert _energy_price(session, yen) == ("JPY", Decimal("150"))
        assert len(session.exec(select(Tariff)).all()) == 2  # no price, no tariff
        standard = session.exec(
            select(TariffAssignment).where(TariffAssignment.target_id == groups.standard)
        ).all()
        assert standard == []


def _charger_and_member_card(session: Session, groups: OldGroups) -> tuple[int, str, str]:
    """A charge point of the organisation, a member's own card (the member of ACME fleet)
    and a fleet card of the JPY group."""
    charger = ChargePoint(organisation_id=groups.organisation, identity="CP-MIGRATED")
    driver = Driver(organisation_id=groups.organisation, name="Ada")
    session.add_all([charger, driver])
    session.flush()
    session.add_all(
        [
            UserGroupMember(group_id=groups.fleet, driver_id=stored_id(driver.id)),
            IdTag(organisation_id=groups.organisation, id_tag="ADA-1", driver_id=driver.id),
            IdTag(organisation_id=groups.organisation, id_tag="TOKYO-1", group_id=groups.yen),
        ]
    )
    session.commit()
    return stored_id(charger.id), "ADA-1", "TOKYO-1"


def test_a_members_session_is_priced_with_the_groups_tariff(
    upgraded: tuple[Engine, OldGroups],
) -> None:
    engine, groups = upgraded
    with Session(engine) as session:
        charger, member_card, fleet_card = _charger_and_member_card(session, groups)
        by_member = resolve(session, charger, 1, member_card, SESSION_START)
        by_fleet_card = resolve(session, charger, 1, fleet_card, SESSION_START)
        assert by_member is not None and by_fleet_card is not None
        assert (by_member.tariff_id, by_member.target) == (
            _group_tariff(session, groups.fleet).id,
            AssignmentTarget.GROUP,
        )
        assert "group ACME fleet" in by_member.reason
        assert by_fleet_card.tariff_id == _group_tariff(session, groups.yen).id
        assert resolve(session, charger, 1, "STRANGER", SESSION_START) is None
