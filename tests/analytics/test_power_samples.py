"""Power and state samples: what the running sessions and charge points say at each sample,
the curves read back per network and per station, and their retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.analytics.power_samples import (
    PowerPoint,
    power_curve,
    power_sample_retention,
    take_sample,
)
from ccms_app.charging.models import ChargingSession
from ccms_app.core.db import read_session, session_scope
from ccms_app.network.models import ChargePoint, Connector, ConnectorStatus
from tests.analytics import seed

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def set_power(session_id: int, watts: float) -> None:
    with session_scope() as s:
        row = s.get(ChargingSession, session_id)
        assert row is not None
        row.power_w = watts
        s.add(row)


def test_samples_sum_running_power_and_count_states(
    engine: Engine, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    depot, street = seed.station(org, "Depot"), seed.station(org, "Street")
    cp1, cp2 = seed.charge_point(org, depot, "CP-1"), seed.charge_point(org, depot, "CP-2")
    cp3 = seed.charge_point(org, street, "CP-3")
    with session_scope() as s:
        offline = s.get(ChargePoint, cp3)
        assert offline is not None
        offline.is_online = False
        s.add(offline)
        s.add(
            Connector(
                organisation_id=org,
                charge_point_id=cp2,
                connector_id=1,
                status=ConnectorStatus.FAULTED,
            )
        )
    a = seed.charging_session(org, cp1, T0, None, 100)
    b = seed.charging_session(org, cp2, T0, None, 100, connector_id=2, id_tag="TAG-2")
    seed.charging_session(org, cp3, T0 - timedelta(hours=2), T0 - timedelta(hours=1), 100)
    set_power(a, 7_400.4)
    set_power(b, 11_000.0)

    assert take_sample(T0) == 2  # the depot's row and the organisation's
    set_power(a, 3_000.0)
    take_sample(T0 + timedelta(minutes=5))

    with read_session() as session:
        network = power_curve(session, {org}, T0, T0 + timedelta(hours=1))
        at_depot = power_curve(session, {org}, T0, T0 + timedelta(hours=1), station_id=depot)
        elsewhere = power_curve(session, {org + 1}, T0, T0 + timedelta(hours=1))
    assert network == [
        PowerPoint(T0, 18_400, 2, online=2, offline=1, faulted=1),
        PowerPoint(T0 + timedelta(minutes=5), 14_000, 2, online=2, offline=1, faulted=1),
    ]
    assert [(p.power_w, p.charging) for p in at_depot] == [(18_400, 2), (14_000, 2)]
    assert elsewhere == []
    assert power_curve(session, set(), T0, T0 + timedelta(hours=1)) == []


def test_station_rows_go_after_two_days_network_rows_after_the_retention(
    engine: Engine, organisation: Organisation
) -> None:
    org = int(organisation.id or 0)
    cp = seed.charge_point(org, seed.station(org), "CP-1")
    set_power(seed.charging_session(org, cp, T0, None, 100), 1_000.0)
    for days in (40, 3, 0):
        take_sample(T0 - timedelta(days=days))
    stations, network = power_sample_retention(30)
    now = T0 + timedelta(minutes=1)
    assert (stations.table, network.table) == ("power_sample (stations)", "power_sample")
    assert list(stations.purge(stations.cutoff(now), 100)) == [2]  # 40 and 3 days old
    assert list(network.purge(network.cutoff(now), 100)) == [1]  # 40 days old
    with read_session() as session:
        kept = power_curve(session, {org}, T0 - timedelta(days=50), now)
    assert [p.at for p in kept] == [T0 - timedelta(days=3), T0]
    assert power_sample_retention(0)[0].cutoff(now) is None  # 0 keeps both
