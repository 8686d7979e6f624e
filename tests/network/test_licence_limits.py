"""A sub-operator's licence limits every way a charge point gets registered to it: the charge
point form (create, a new owner, more connectors), the registration of an unknown charge
point, `ccms chargepoint register`, the CSV import and moving a station. The N+1th is
refused with a message giving the licence's numbers; nothing is written. Real database."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlmodel import Session, func, select

from ccms_app.accounts.licences import licence_usage, registration_refusal
from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.cli import cli
from ccms_app.core import db
from ccms_app.network import charge_point_admin as admin
from ccms_app.network import stations
from ccms_app.network.assets import AssetError
from ccms_app.network.csv_import import ImportFile, ImportRefusedError, apply_import, check_import
from ccms_app.network.models import ChargePoint, Connector, RegistrationState
from ccms_app.network.provisioning import ProvisioningError, register_charge_point
from ccms_app.network.registration import register_unregistered
from tests.fixtures.settings import SettingsEnv

FULL = "Sub A: The licence allows 2 charge points and 2 are registered."
ONE_CONNECTOR = [{"connector_id": "1", "connector_type": "Type2", "max_power_kw": "22"}]
TWO_CONNECTORS = [*ONE_CONNECTOR, {"connector_id": "2", "connector_type": "Type2"}]


def _details(identity: str) -> dict[str, str]:
    return {"identity": identity, "max_power_kw": "22", "charging_method": "AC", "phases": "3"}


@pytest.fixture
def sub(organisation: Organisation) -> Organisation:
    """A sub-operator licensed for 2 charge points and 3 connectors."""
    with db.session_scope() as s:
        org = Organisation(
            name="Sub A",
            parent_id=organisation.id,
            licence_max_charge_points=2,
            licence_max_connectors=3,
        )
        s.add(org)
        s.flush()
        s.refresh(org)
        return org


@pytest.fixture
def scope(organisation: Organisation, sub: Organisation) -> frozenset[int]:
    """The operator's scope: itself and Sub A."""
    return organisation_scope(organisation.id)


@pytest.fixture
def sub_station(scope, sub: Organisation) -> int:
    return stations.create_station(scope, {"name": "Sub depot"}, sub.id).id


@pytest.fixture
def own_station(scope, organisation: Organisation) -> int:
    return stations.create_station(scope, {"name": "Own depot"}, organisation.id).id


@pytest.fixture
def sub_full(scope, sub_station: int) -> None:
    """Sub A has 2 charge points (1 connector each): its licence is full."""
    for identity in ("SUB-1", "SUB-2"):
        admin.create_charge_point(scope, _details(identity), ONE_CONNECTOR, sub_station)


def _count(session: Session, model: type) -> int:
    session.rollback()
    return session.exec(select(func.count()).select_from(model)).one()


def test_usage_counts_registered_charge_points_and_their_connectors(
    sub: Organisation, sub_full: None, session: Session
) -> None:
    # An unknown charge point that booted (unregistered) counts for nobody.
    session.add(
        ChargePoint(
            identity="STRANGER",
            organisation_id=sub.id,
            registration_state=RegistrationState.UNREGISTERED,
        )
    )
    session.commit()
    assert licence_usage(sub.id) == (2, 2)
    assert registration_refusal(sub.id, 1) == FULL


def test_connector_limit_refuses_before_the_charge_point_limit(
    sub: Organisation, scope, sub_station: int
) -> None:
    admin.create_charge_point(scope, _details("SUB-1"), TWO_CONNECTORS, sub_station)
    assert registration_refusal(sub.id, 1) is None
    assert registration_refusal(sub.id, 2) == (
        "Sub A: The licence allows 3 connectors; this would make 4."
    )


def test_the_charge_point_form_refuses_the_third(
    scope, sub: Organisation, sub_station: int, sub_full: None, session: Session
) -> None:
    with pytest.raises(AssetError) as refused:
        admin.create_charge_point(scope, _details("SUB-3"), ONE_CONNECTOR, sub_station)

    assert str(refused.value) == f"Charge point not saved. {FULL}"
    assert refused.value.errors == {"organisation_id": FULL}
    assert _count(session, ChargePoint) == 2


def test_an_edit_cannot_move_a_charge_point_into_a_full_licence(
    scope, sub: Organisation, own_station: int, sub_full: None, session: Session
) -> None:
    own = admin.create_charge_point(scope, _details("OWN-1"), ONE_CONNECTOR, own_station)

    with pytest.raises(AssetError, match="licence allows 2 charge points and 2 are registered"):
        admin.update_charge_point(
            scope, own.id, _details("OWN-1"), ONE_CONNECTOR, own_station, sub.id
        )

    session.rollback()
    stored = session.get(ChargePoint, own.id)
    assert stored is not None and stored.organisation_id != sub.id


def test_more_connectors_than_licensed_are_refused(
    scope, sub: Organisation, sub_station: int, sub_full: None
) -> None:
    first = admin.find_by_identity(scope, "SUB-1")
    admin.set_connectors(scope, first.id, TWO_CONNECTORS)  # 3 connectors: still allowed
    three = [*TWO_CONNECTORS, {"connector_id": "3", "connector_type": "Type2"}]

    with pytest.raises(AssetError) as refused:
        admin.set_connectors(scope, first.id, three)

    assert str(refused.value) == (
        "Connectors not saved. Sub A: The licence allows 3 connectors; this would make 4."
    )
    assert len(admin.get_charge_point(scope, first.id).connectors) == 2


def test_provisioning_refuses_the_third_and_keeps_the_owner_free(
    sub: Organisation, organisation: Organisation, sub_full: None, session: Session
) -> None:
    with pytest.raises(ProvisioningError) as refused:
        register_charge_point("SUB-3", "Sub depot", sub.id)
    assert str(refused.value) == FULL and refused.value.field == "organisation"
    assert _count(session, ChargePoint) == 2

    # Re-registering one it already has takes no new place; the operator has no licence.
    assert register_charge_point("SUB-1", "Sub depot", sub.id).action == "unchanged"
    assert register_charge_point("OWN-9", "Own depot", organisation.id).action == "created"


def test_the_cli_says_why(
    sub: Organisation,
    sub_full: None,
    settings_env: SettingsEnv,
    database_url: str,
) -> None:
    settings_env.setenv("CCMS_DATABASE_URL", database_url)
    result = CliRunner().invoke(
        cli, ["chargepoint", "register", "SUB-3", "--station", "Sub depot", "--org", str(sub.id)]
    )
    assert result.exit_code == 2
    assert "'--org'" in result.output and "allows 2 charge points and 2 are" in result.output


async def test_registering_an_unknown_charge_point_is_refused_when_full(
    scope, sub: Organisation, sub_station: int, sub_full: None, organisation: Organisation
) -> None:
    with db.session_scope() as s:
        stranger = ChargePoint(identity="STRANGER", organisation_id=organisation.id)
        s.add(stranger)
        s.flush()
        stranger_id = stranger.id
        s.add(
            Connector(charge_point_id=stranger_id, organisation_id=organisation.id, connector_id=1)
        )
    assert stranger_id is not None

    with pytest.raises(AssetError) as refused:
        await register_unregistered(scope, stranger_id, sub_station, "ops@example.com")

    assert str(refused.value) == f"Not registered: {FULL}"
    assert refused.value.errors == {"station_id": FULL}
    with db.read_session() as s:
        kept = s.get(ChargePoint, stranger_id)
        assert kept is not None
        assert (kept.registration_state, kept.organisation_id) == ("unregistered", organisation.id)


def test_moving_a_station_to_a_full_sub_operator_is_refused(
    scope, sub: Organisation, own_station: int, sub_station: int
) -> None:
    admin.create_charge_point(scope, _details("SUB-1"), ONE_CONNECTOR, sub_station)
    for identity in ("OWN-1", "OWN-2"):
        admin.create_charge_point(scope, _details(identity), ONE_CONNECTOR, own_station)

    with pytest.raises(AssetError) as refused:
        stations.update_station(scope, own_station, {"name": "Own depot"}, sub.id)

    assert str(refused.value) == (
        "Station not saved. Sub A: The licence allows 2 charge points; 1 are registered "
        "and this would add 2."
    )
    assert stations.get_station(scope, own_station).organisation_id != sub.id


def test_the_import_refuses_the_rows_past_the_licence_and_writes_nothing(
    organisation: Organisation, sub: Organisation, sub_station: int, session: Session
) -> None:
    rows = "".join(f"IMP-{n},Sub depot,AC,3,22,1:Type2:22\n" for n in (1, 2, 3, 4))
    files = [
        ImportFile(
            "charge_points.csv",
            ("identity,station,charging_method,phases,max_power_kw,connectors\n" + rows).encode(),
        )
    ]

    report = check_import(files, organisation.id)

    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (
            4,
            "station",
            "Sub A: The licence allows 2 charge points and 2 are registered "
            "(counting 2 earlier in this file).",
        ),
        (
            5,
            "station",
            "Sub A: The licence allows 2 charge points and 3 are registered "
            "(counting 3 earlier in this file).",
        ),
    ]
    with pytest.raises(ImportRefusedError):
        apply_import(files, organisation.id)
    assert _count(session, ChargePoint) == 0

    # Two fit: the same file without its last two rows is imported.
    fitting = [ImportFile("charge_points.csv", b"".join(files[0].data.splitlines(True)[:3]))]
    assert apply_import(fitting, organisation.id).ok
    assert licence_usage(sub.id) == (2, 2)
