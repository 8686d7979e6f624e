"""Provisioning use cases against a real migrated database."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.identifiers import FieldError
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station
from ccms_app.network.provisioning import ProvisioningError, add_id_tag, register_charge_point


@pytest.fixture(autouse=True)
def _info_logging(caplog: pytest.LogCaptureFixture) -> None:
    """Build every INFO record, so a bad `extra` key fails here and not in production."""
    caplog.set_level(logging.INFO)


def _count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- charge points ----------------------------------------------------------------------


def test_register_creates_station_and_charge_point_under_root(session: Session) -> None:
    result = register_charge_point("CP-001", "Depot North")

    assert result.action == "created"
    assert result.station_created
    cp = session.get(ChargePoint, result.charge_point_id)
    station = session.get(Station, result.station_id)
    assert cp is not None and station is not None
    assert cp.identity == "CP-001"
    assert cp.registration_state == RegistrationState.REGISTERED
    assert cp.station_id == station.id
    assert station.name == "Depot North" and station.timezone == "UTC"
    root = session.get(Organisation, cp.organisation_id)
    assert root is not None and root.parent_id is None
    assert station.organisation_id == root.id


def test_register_twice_is_unchanged_and_creates_nothing(session: Session) -> None:
    first = register_charge_point("CP-001", "Depot North")
    second = register_charge_point("CP-001", "Depot North")

    assert second.action == "unchanged"
    assert not second.station_created
    assert second.changes == ()
    assert second.charge_point_id == first.charge_point_id
    assert _count(session, ChargePoint) == 1
    assert _count(session, Station) == 1
    assert "unchanged" in second.describe()


def test_register_moves_an_unregistered_charge_point(
    session: Session, organisation: Organisation
) -> None:
    unknown = ChargePoint(identity="BOOTED-UNKNOWN", organisation_id=organisation.id)
    session.add(unknown)
    session.flush()
    session.add(
        Connector(organisation_id=organisation.id, charge_point_id=unknown.id, connector_id=1)
    )
    session.commit()

    result = register_charge_point("BOOTED-UNKNOWN", "Depot South")

    assert result.action == "updated"
    assert "unregistered -> registered" in result.changes
    assert result.charge_point_id == unknown.id
    assert result.organisation_id == organisation.id  # no --org: the owner is kept
    session.rollback()  # end the read snapshot: see what the use case committed
    cp = session.get(ChargePoint, unknown.id)
    assert cp is not None and cp.registration_state == RegistrationState.REGISTERED
    assert cp.station_id == result.station_id


def test_register_moves_between_stations_and_owners(
    session: Session, organisation: Organisation
) -> None:
    sub = Organisation(name="Partner", parent_id=organisation.id)
    session.add(sub)
    session.commit()
    first = register_charge_point("CP-9", "Old Site", organisation.id)
    connector = Connector(
        organisation_id=organisation.id, charge_point_id=first.charge_point_id, connector_id=1
    )
    session.add(connector)
    session.commit()

    moved = register_charge_point("CP-9", "New Site", sub.id)

    assert moved.action == "updated"
    assert set(moved.changes) == {"moved to station", "new owner"}
    assert moved.station_created and moved.organisation_id == sub.id
    session.rollback()  # end the read snapshot: see what the use case committed
    assert session.get(Connector, connector.id).organisation_id == sub.id  # type: ignore[union-attr]
    assert register_charge_point("CP-9", "New Site", sub.id).action == "unchanged"


def test_register_re_enables_a_disabled_charge_point(session: Session) -> None:
    created = register_charge_point("CP-D", "Depot")
    cp = session.get(ChargePoint, created.charge_point_id)
    assert cp is not None
    cp.registration_state = RegistrationState.DISABLED
    session.add(cp)
    session.commit()

    result = register_charge_point("CP-D", "Depot")

    assert result.action == "updated"
    assert result.changes == ("disabled -> registered",)


@pytest.mark.parametrize(
    ("identity", "message"),
    [
        ("", "identity is empty"),
        ("X" * 49, "49 characters long; at most 48"),
        ("CP 001", "contains ' '"),
        ("CP/001", "contains '/'"),
        ("CP-é", "contains 'é'"),
        ("..", "not a usable URL segment"),
    ],
)
def test_register_rejects_bad_identities(
    engine: Engine, session: Session, identity: str, message: str
) -> None:
    # Identifier rules live in core.identifiers; ProvisioningError is a FieldError too.
    with pytest.raises(FieldError, match=message) as caught:
        register_charge_point(identity, "Depot")
    assert caught.value.field == "identity"
    assert isinstance(caught.value, ValueError)
    assert _count(session, ChargePoint) == 0


def test_register_accepts_every_allowed_character(engine: Engine) -> None:
    identity = "Az09-_.:" + "x" * 40
    assert register_charge_point(identity, "Depot").identity == identity


def test_register_rejects_blank_station_and_unknown_organisation(
    engine: Engine, session: Session
) -> None:
    with pytest.raises(ProvisioningError, match="station name is empty"):
        register_charge_point("CP-1", "   ")
    with pytest.raises(ProvisioningError, match="organisation 999 does not exist"):
        register_charge_point("CP-1", "Depot", 999)
    assert _count(session, Station) == 0


# --- id tags ----------------------------------------------------------------------------


def test_add_id_tag_creates_active_tag_with_end_of_day_expiry(session: Session) -> None:
    result = add_id_tag("04A1B2C3D4", expires=date(2030, 1, 31))

    assert result.action == "created"
    tag = session.get(IdTag, result.id_tag_pk)
    assert tag is not None
    assert tag.status == "active"
    assert tag.expiry_date == datetime(2030, 1, 31, 23, 59, 59, tzinfo=UTC)
    root = session.get(Organisation, tag.organisation_id)
    assert root is not None and root.parent_id is None


def test_add_id_tag_is_idempotent_and_updates_to_what_is_asked(session: Session) -> None:
    add_id_tag("CARD-1", expires=date(2030, 1, 31))
    assert add_id_tag("CARD-1", expires=date(2030, 1, 31)).action == "unchanged"

    updated = add_id_tag("CARD-1", expires=date(2031, 6, 30), parent_id_tag="FLEET", blocked=True)

    assert updated.action == "updated"
    assert set(updated.changes) == {"expiry_date", "parent_id_tag", "status"}
    cleared = add_id_tag("CARD-1")
    assert cleared.expiry_date is None and cleared.status == "active"
    assert cleared.parent_id_tag is None
    assert _count(session, IdTag) == 1


def test_add_id_tag_is_case_insensitive(session: Session) -> None:
    created = add_id_tag("abc123")
    again = add_id_tag("ABC123")

    assert again.action == "unchanged"
    assert again.id_tag_pk == created.id_tag_pk
    assert again.id_tag == "abc123"
    assert _count(session, IdTag) == 1


def test_add_id_tag_converts_aware_expiry_to_utc(engine: Engine) -> None:
    cet = timezone(timedelta(hours=1))
    result = add_id_tag("CARD-TZ", expires=datetime(2030, 1, 1, 12, 0, tzinfo=cet))
    assert result.expiry_date == datetime(2030, 1, 1, 11, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"id_tag": ""}, "id_tag", "id_tag is empty"),
        ({"id_tag": "X" * 21}, "id_tag", "21 characters long; OCPP allows at most 20"),
        ({"id_tag": "CARD\t1"}, "id_tag", "printable ASCII only"),
        ({"id_tag": " CARD"}, "id_tag", "starts or ends with a space"),
        ({"id_tag": "CARD", "parent_id_tag": "card"}, "parent_id_tag", "its own parent"),
        ({"id_tag": "CARD", "parent_id_tag": "P" * 21}, "parent_id_tag", "at most 20"),
        ({"id_tag": "CARD", "expires": datetime(2030, 1, 1)}, "expires", "no time zone"),
        ({"id_tag": "CARD", "organisation_id": 999}, "organisation", "does not exist"),
    ],
)
def test_add_id_tag_rejects_bad_input(
    engine: Engine, session: Session, kwargs: dict, field: str, message: str
) -> None:
    with pytest.raises(FieldError, match=message) as caught:
        add_id_tag(**kwargs)
    assert caught.value.field == field
    assert _count(session, IdTag) == 0
