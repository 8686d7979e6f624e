"""Batch import of stations and charge points on a real database: all or nothing, per-cell
errors, re-import as update, and the organisation scope."""

from __future__ import annotations

import pytest
from sqlmodel import Session, func, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.network.csv_import import (
    ImportFile,
    ImportRefusedError,
    apply_import,
    check_import,
    discard,
    stage,
    staged,
    template,
)
from ccms_app.network.models import ChargePoint, Connector, RegistrationState, Station

STATIONS_CSV = (
    "\ufeffname;address;latitude;longitude;timezone;opening_hours\r\n"
    "Depot North;Harbour Road 1;52.3791;4.9003;Europe/Amsterdam;Mo-Fr 07:00-20:00\r\n"
    'Depot South;"Ring 5, Utrecht";;;;\r\n'
)
CHARGE_POINTS_CSV = (
    "identity,station,vendor,model,charging_method,phases,max_power_kw,enabled,connectors\n"
    "CP-N1,Depot North,ABB,Terra AC,AC,3,22,yes,1:Type2:22|2:Type2:22\n"
    "CP-N2,Depot North,ABB,Terra DC,DC,,150,no,1:CCS2:150|2:CHAdeMO:50\n"
    "CP-S1,Depot South,Alfen,Eve,,1,7.4,,1:type2\n"
)


def _files(stations: str | None = STATIONS_CSV, charge_points: str | None = CHARGE_POINTS_CSV):
    files = []
    if stations is not None:
        files.append(ImportFile("stations.csv", stations.encode()))
    if charge_points is not None:
        files.append(ImportFile("charge_points.csv", charge_points.encode()))
    return files


def _counts(session: Session) -> tuple[int, int, int]:
    session.rollback()
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Station, ChargePoint, Connector)
    )


def _errors(report) -> list[tuple[str, int, str]]:
    return [(e.file, e.row, e.column) for e in report.errors]


def test_a_valid_import_creates_stations_charge_points_and_connectors(
    session: Session, organisation: Organisation
) -> None:
    checked = check_import(_files(), organisation.id)
    assert checked.ok and not checked.applied
    assert _counts(session) == (0, 0, 0)  # the check writes nothing

    report = apply_import(_files(), organisation.id)
    assert report.ok and report.applied
    assert [(s.kind, s.rows, s.created, s.updated, s.unchanged) for s in report.summaries] == [
        ("stations", 2, 2, 0, 0),
        ("charge_points", 3, 3, 0, 0),
    ]
    assert _counts(session) == (2, 3, 5)
    north = session.exec(select(Station).where(Station.name == "Depot North")).one()
    assert (north.organisation_id, north.latitude, north.timezone, north.opening_hours) == (
        organisation.id,
        52.3791,
        "Europe/Amsterdam",
        "Mo-Fr 07:00-20:00",
    )
    south = session.exec(select(Station).where(Station.name == "Depot South")).one()
    assert (south.address, south.timezone, south.opening_hours) == (
        "Ring 5, Utrecht",
        "UTC",
        "24/7",
    )
    dc = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-N2")).one()
    assert (dc.station_id, dc.charging_method, dc.phases, dc.max_power_w, dc.enabled) == (
        north.id,
        "DC",
        None,
        150_000,
        False,
    )
    assert dc.registration_state == RegistrationState.REGISTERED
    connectors = session.exec(
        select(Connector.connector_id, Connector.connector_type, Connector.max_power_w)
        .where(Connector.charge_point_id == dc.id)
        .order_by(Connector.connector_id)
    ).all()
    assert connectors == [(1, "CCS2", 150_000), (2, "CHAdeMO", 50_000)]
    s1 = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-S1")).one()
    assert (s1.max_power_w, s1.phases, s1.enabled, s1.charging_method) == (7400, 1, True, "AC")
    type2 = session.exec(select(Connector).where(Connector.charge_point_id == s1.id)).one()
    assert (type2.connector_type, type2.max_power_w, type2.organisation_id) == (
        "Type2",
        None,
        organisation.id,
    )


def test_one_bad_row_reports_row_and_column_and_writes_nothing(
    session: Session, organisation: Organisation
) -> None:
    bad = CHARGE_POINTS_CSV.replace("CP-S1,Depot South,Alfen,Eve,,1,7.4", "CP S1,Depot Sud,,,,2,-3")
    bad += "CP-N1,Depot North,,,,,,maybe,1:CCS2:22\n"
    report = check_import(_files(charge_points=bad), organisation.id)
    assert not report.ok
    assert _errors(report) == [
        ("charge_points.csv", 4, "identity"),
        ("charge_points.csv", 4, "station"),
        ("charge_points.csv", 4, "phases"),
        ("charge_points.csv", 4, "max_power_kw"),
        ("charge_points.csv", 5, "identity"),
        ("charge_points.csv", 5, "enabled"),
        ("charge_points.csv", 5, "connectors"),
    ]
    messages = {(e.row, e.column): e.message for e in report.errors}
    assert "contains ' '" in messages[(4, "identity")]
    assert messages[(4, "phases")] == "Phases must be 1 or 3 for AC, got '2'"
    assert messages[(4, "max_power_kw")] == "Maximum power must be more than 0 kW"
    assert "no station \u201cDepot Sud\u201d" in messages[(4, "station")]
    assert messages[(5, "identity")] == "The charge point CP-N1 is also on line 2."
    assert messages[(5, "connectors")].startswith("Connector 1: A CCS2 connector does not fit")

    with pytest.raises(ImportRefusedError) as refused:
        apply_import(_files(charge_points=bad), organisation.id)
    assert refused.value.report.error_count == 7 and not refused.value.report.applied
    assert _counts(session) == (0, 0, 0)  # the valid stations file was not written either


def test_header_problems_name_the_column(session: Session, organisation: Organisation) -> None:
    report = check_import(
        [ImportFile("cp.csv", b"identity;colour\r\nCP-1;red\r\n")], organisation.id
    )
    assert _errors(report) == [("cp.csv", 1, "colour"), ("cp.csv", 1, "station")]


def test_reimport_updates_only_what_changed(session: Session, organisation: Organisation) -> None:
    apply_import(_files(), organisation.id)
    again = apply_import(_files(), organisation.id)
    assert [(s.created, s.updated, s.unchanged) for s in again.summaries] == [(0, 0, 2), (0, 0, 3)]

    changed = CHARGE_POINTS_CSV.replace("1:Type2:22|2:Type2:22", "1:Type2:11|3:Type2:22")
    changed = changed.replace("CP-S1,Depot South", "CP-S1,Depot North")
    report = apply_import(_files(stations=None, charge_points=changed), organisation.id)
    assert [(s.created, s.updated, s.unchanged) for s in report.summaries] == [(0, 2, 1)]
    session.rollback()
    n1 = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-N1")).one()
    connectors = session.exec(
        select(Connector.connector_id, Connector.max_power_w)
        .where(Connector.charge_point_id == n1.id)
        .order_by(Connector.connector_id)
    ).all()
    assert connectors == [(1, 11_000), (2, 22_000), (3, 22_000)]  # 2 is not listed: kept
    moved = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-S1")).one()
    assert moved.station_id == n1.station_id

    # A file with fewer columns changes only those; the others keep their values.
    partial = "identity,station,enabled\nCP-N1,Depot North,no\n"
    report = apply_import(_files(stations=None, charge_points=partial), organisation.id)
    assert [(s.created, s.updated, s.unchanged) for s in report.summaries] == [(0, 1, 0)]
    session.rollback()
    session.refresh(n1)
    assert (n1.enabled, n1.vendor, n1.max_power_w, n1.phases) == (False, "ABB", 22_000, 3)


def test_a_partial_column_set_is_still_validated_against_what_is_stored(
    session: Session, organisation: Organisation
) -> None:
    apply_import(_files(), organisation.id)
    report = check_import(
        _files(
            stations=None, charge_points="identity,station,min_power_kw\nCP-S1,Depot South,11\n"
        ),
        organisation.id,
    )
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "min_power_kw", "Minimum power must not be more than the maximum power")
    ]


def test_an_unknown_charge_point_in_scope_is_registered_by_the_import(
    session: Session, organisation: Organisation
) -> None:
    with db.session_scope() as s:
        s.add(ChargePoint(identity="CP-N1", organisation_id=organisation.id))
    report = apply_import(_files(), organisation.id)
    assert [(s.created, s.updated) for s in report.summaries] == [(2, 0), (2, 1)]
    session.rollback()
    cp = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-N1")).one()
    assert cp.registration_state == RegistrationState.REGISTERED and cp.station_id is not None


def test_scope_other_organisations_stations_and_identities_are_refused(
    session: Session, organisation: Organisation
) -> None:
    with db.session_scope() as s:
        stranger = Organisation(name="Competitor")
        partner = Organisation(name="Partner", parent_id=organisation.id)
        s.add_all([stranger, partner])
        s.flush()
        s.add(Station(organisation_id=stranger.id, name="Their Depot"))
        s.add(Station(organisation_id=partner.id, name="Partner Depot"))
        s.add(ChargePoint(identity="THEIRS-1", organisation_id=stranger.id))
        partner_id = partner.id
    csv_text = (
        "identity,station\n"
        "CP-A,Their Depot\n"  # exists, but not in the operator's scope
        "THEIRS-1,Depot North\n"  # identity owned by another organisation
        "CP-B,Partner Depot\n"  # a sub-operator's station: allowed, owned by the partner
        "CP-C,depot north\n"  # case differs from the station in the file
    )
    report = check_import(_files(charge_points=csv_text), organisation.id)
    messages = [(e.row, e.column, e.message) for e in report.errors]
    assert messages == [
        (2, "station", "There is no station \u201cTheir Depot\u201d in this import or in CCMS."),
        (3, "identity", "The identity THEIRS-1 is already used by another organisation."),
        (5, "station", "There is no station \u201cdepot north\u201d in this import or in CCMS."),
    ]
    fixed = csv_text.replace("CP-A,Their Depot\n", "").replace("THEIRS-1,", "CP-D,")
    fixed = fixed.replace("depot north", "Depot North")
    apply_import(_files(charge_points=fixed), organisation.id)
    session.rollback()
    cp_b = session.exec(select(ChargePoint).where(ChargePoint.identity == "CP-B")).one()
    assert cp_b.organisation_id == partner_id
    # The sub-operator itself sees its own station but not the operator's.
    report = check_import(
        _files(stations=None, charge_points="identity,station\nCP-E,Depot North\n"), partner_id
    )
    assert [e.column for e in report.errors] == ["station"]


def test_a_station_in_scope_with_a_case_typo_gets_a_hint(
    session: Session, organisation: Organisation
) -> None:
    apply_import(_files(charge_points=None), organisation.id)
    report = check_import(
        _files(stations=None, charge_points="identity,station\nCP-1,DEPOT NORTH\n"), organisation.id
    )
    assert report.errors[0].message.endswith("Did you mean \u201cDepot North\u201d?")


def test_duplicate_stations_in_a_file(session: Session, organisation: Organisation) -> None:
    text = STATIONS_CSV + "depot north;Elsewhere;;;;\r\n"
    report = check_import(_files(stations=text, charge_points=None), organisation.id)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (4, "name", "The station \u201cdepot north\u201d is also on line 2.")
    ]


def test_two_files_of_one_kind_and_no_file_at_all(organisation: Organisation) -> None:
    report = check_import(_files(charge_points=STATIONS_CSV), organisation.id)
    assert [e.message for e in report.errors] == ["Two stations files: import one at a time."]
    assert [e.message for e in check_import([], organisation.id).errors] == [
        "Choose a CSV file to import."
    ]


def test_templates_are_refused_until_filled_in(organisation: Organisation) -> None:
    for kind in ("stations", "charge_points"):
        report = check_import([ImportFile("t.csv", template(kind).encode(), kind)], organisation.id)
        assert [e.message for e in report.errors] == [
            "The file has a header but no rows to import."
        ]


def test_staged_files_survive_until_discarded() -> None:
    token = stage([ImportFile("a b.csv", b"name\nX\n", "stations"), ImportFile("c.csv", b"i")])
    assert staged(token) == [
        ImportFile("a b.csv", b"name\nX\n", "stations"),
        ImportFile("c.csv", b"i", None),
    ]
    discard(token)
    assert staged(token) == [] and staged("../../etc") == [] and staged("") == []


def test_the_apply_checks_again_and_refuses_what_changed_since_the_check(
    session: Session, organisation: Organisation
) -> None:
    assert check_import(_files(), organisation.id).ok
    with db.session_scope() as s:  # meanwhile another operator takes an identity
        other = Organisation(name="Other")
        s.add(other)
        s.flush()
        s.add(ChargePoint(identity="CP-N2", organisation_id=other.id))
    with pytest.raises(ImportRefusedError) as refused:
        apply_import(_files(), organisation.id)
    assert [(e.row, e.column) for e in refused.value.report.errors] == [(3, "identity")]
    assert _counts(session) == (0, 1, 0)
