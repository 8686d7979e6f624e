"""docs/data-policy.md, one test per case: ChargerEventService on a real migrated database.

Duplicate message ids are a protocol-layer case: see tests/ocpp_server/test_duplicate_calls.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from ocpp.exceptions import PropertyConstraintViolationError
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.charging import data_issues
from ccms_app.charging.charger_events import ChargerEventService
from ccms_app.charging.models import ChargingSession, MeterSample
from ccms_app.drivers.models import IdTag
from ccms_app.network.models import ChargePoint, Connector, StatusEvent
from ocpp_server.charger_events import (
    MeterSampled,
    StatusChanged,
    TransactionStarted,
    TransactionStopped,
)

CP = "CP-POLICY"
NOW = datetime.now(UTC).replace(microsecond=0)


def iso(dt: datetime) -> str:
    return dt.isoformat().replace("+00:00", "Z")


def register_group(at: datetime, wh: float, **extra: str) -> dict[str, Any]:
    return {
        "timestamp": iso(at),
        "sampled_value": [
            {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh", **extra}
        ],
    }


@pytest.fixture
def registered(session: Session, organisation: Organisation) -> ChargePoint:
    cp = ChargePoint(identity=CP, organisation_id=organisation.id, registration_state="registered")
    session.add(cp)
    session.add(IdTag(id_tag="GOOD", organisation_id=organisation.id))
    session.commit()
    return cp


def issues(kind: str | None = None) -> list[data_issues.DataIssueView]:
    return data_issues.list_issues(identity=CP, kind=kind)


def transaction(session: Session, transaction_id: int) -> ChargingSession:
    session.rollback()  # end the snapshot: see what the writer committed
    cs = session.get(ChargingSession, transaction_id)
    assert cs is not None
    session.refresh(cs)
    return cs


async def start(
    service: ChargerEventService, at: datetime, meter_start_wh: int = 1000, connector_id: int = 1
) -> int:
    started = await service.start_transaction(
        CP,
        TransactionStarted(
            connector_id=connector_id,
            id_tag="GOOD",
            meter_start_wh=meter_start_wh,
            timestamp=iso(at),
        ),
    )
    return started.transaction_id


async def meter(
    service: ChargerEventService, transaction_id: int | None, *groups: dict[str, Any]
) -> None:
    await service.meter_values(
        CP,
        MeterSampled(connector_id=1, transaction_id=transaction_id, meter_values=list(groups)),
    )


async def stop(
    service: ChargerEventService,
    transaction_id: int,
    at: datetime,
    meter_stop: int,
    id_tag: str | None = "GOOD",
    **extra: Any,
) -> Any:
    return await service.stop_transaction(
        CP,
        TransactionStopped(
            transaction_id=transaction_id,
            meter_stop_wh=meter_stop,
            timestamp=iso(at),
            id_tag=id_tag,
            **extra,
        ),
    )


# --- StopTransaction with transaction id 0, -1 or unknown ---------------------------------


@pytest.mark.parametrize("transaction_id", [0, -1, 424242])
async def test_stop_for_no_or_unknown_transaction_is_answered_and_kept(
    service, registered, session, transaction_id: int
) -> None:
    running = await start(service, NOW - timedelta(minutes=30))
    data = [register_group(NOW - timedelta(minutes=1), 4200)]
    info = await stop(service, transaction_id, NOW, 4200, meter_values=data)
    assert info is not None and info.status == "Accepted"  # IdTagInfo: the charger stops
    assert await stop(service, transaction_id, NOW, 4200, id_tag=None) is None  # no idTag

    (issue,) = issues(data_issues.STOP_UNKNOWN_TRANSACTION)  # the retry adds no second one
    expected = "never got a transaction id" if transaction_id <= 0 else "unknown transaction"
    assert expected in issue.detail and str(transaction_id) in issue.detail
    assert json.loads(issue.payload)["meter_stop"] == 4200
    sample = session.exec(select(MeterSample)).one()  # its meter data is kept, unattached
    assert (sample.session_id, sample.value) == (None, 4200.0)
    assert transaction(session, running).status == "active"  # no other session is touched


async def test_stop_of_another_charge_points_transaction_is_not_applied(
    service, registered, session, organisation
) -> None:
    session.add(ChargePoint(identity="CP-OTHER", organisation_id=organisation.id))
    session.commit()
    theirs = await service.start_transaction(
        "CP-OTHER",
        TransactionStarted(connector_id=1, id_tag="GOOD", meter_start_wh=0, timestamp=iso(NOW)),
    )
    await stop(service, theirs.transaction_id, NOW, 500)
    assert transaction(session, theirs.transaction_id).stop_time is None  # still open
    assert len(issues(data_issues.STOP_UNKNOWN_TRANSACTION)) == 1


# --- meterStop below meterStart --------------------------------------------------------------


async def test_meter_stop_below_meter_start_counts_no_energy_and_is_flagged(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(minutes=10), meter_start_wh=5000)
    await stop(service, tx, NOW, 100)
    cs = transaction(session, tx)
    assert (cs.status, cs.meter_stop_wh, cs.energy_wh) == ("completed", 100, 0)
    assert cs.flagged and "meterStop 100 below meterStart 5000" in cs.flag_reason
    (issue,) = issues(data_issues.ENERGY_REGISTER_BREAK)
    assert f"transaction {tx}" in issue.detail


# --- a second StopTransaction ------------------------------------------------------------------


async def test_repeated_stop_gets_the_same_answer_and_changes_nothing(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(minutes=10))
    first = await stop(service, tx, NOW, 3000, reason="EVDisconnected")
    again = await stop(service, tx, NOW, 3000, reason="EVDisconnected")
    assert again == first
    assert issues() == []  # an identical retry is not an issue
    different = await stop(service, tx, NOW + timedelta(minutes=5), 9999)
    assert different == first
    cs = transaction(session, tx)
    assert (cs.meter_stop_wh, cs.energy_wh, cs.stop_reason, cs.stop_time) == (
        3000,
        2000,
        "EVDisconnected",
        NOW,
    )
    (issue,) = issues(data_issues.STOP_REPEATED_DIFFERENT)
    assert "meterStop 9999 vs 3000" in issue.detail
    assert json.loads(issue.payload)["meter_stop"] == 9999


# --- MeterValues for an unknown or finished transaction ----------------------------------------


async def test_meter_values_for_unknown_transaction_are_kept_without_a_session(
    service, registered, session
) -> None:
    for minute in (1, 2):
        await meter(service, 999, register_group(NOW - timedelta(minutes=minute), 10))
    await meter(service, None, register_group(NOW, 11))  # no transaction: normal, no issue
    samples = session.exec(select(MeterSample)).all()
    assert [(s.session_id, s.value) for s in samples] == [(None, 10.0), (None, 10.0), (None, 11.0)]
    (issue,) = issues()
    assert issue.kind == data_issues.METER_VALUES_UNKNOWN_TRANSACTION
    assert "999" in issue.detail


async def test_meter_values_for_finished_transaction_are_kept_with_it(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(hours=1))
    await stop(service, tx, NOW - timedelta(minutes=10), 6000)
    await meter(service, tx, register_group(NOW, 9000))  # after its stop
    cs = transaction(session, tx)
    assert (cs.energy_wh, cs.meter_stop_wh) == (5000, 6000)  # meterStop stays final
    sample = session.exec(select(MeterSample)).one()
    assert (sample.session_id, sample.value) == (tx, 9000.0)
    (issue,) = issues()
    assert issue.kind == data_issues.METER_VALUES_FINISHED_TRANSACTION


# --- sessions replayed after the charger was offline ----------------------------------------


async def test_offline_sessions_replayed_late_keep_their_own_times(
    service, registered, session
) -> None:
    def status(value: str, at: datetime) -> StatusChanged:
        return StatusChanged(connector_id=1, error_code="NoError", status=value, timestamp=iso(at))

    live = await start(service, NOW - timedelta(minutes=5), meter_start_wh=90_000)
    await service.status_notification(CP, status("Charging", NOW - timedelta(minutes=5)))
    # The queue the charger kept while offline arrives now, hours late.
    t0 = NOW - timedelta(hours=5)
    old = await start(service, t0, meter_start_wh=10_000)
    await service.status_notification(CP, status("Finishing", t0 + timedelta(hours=1)))
    await stop(service, old, t0 + timedelta(hours=1), 30_000)
    # ... and one of its MeterValues comes after its stop (out of order).
    await meter(service, old, register_group(t0 + timedelta(minutes=30), 20_000))

    replayed = transaction(session, old)
    assert (replayed.start_time, replayed.stop_time) == (t0, t0 + timedelta(hours=1))
    assert (replayed.status, replayed.energy_wh) == ("completed", 20_000)
    assert not any(i.kind == data_issues.ENERGY_REGISTER_BREAK for i in issues())
    running = transaction(session, live)  # the older start did not close the running session
    assert (running.status, running.flagged) == ("active", False)
    connector = session.exec(select(Connector).where(Connector.connector_id == 1)).one()
    assert connector.status == "Charging"  # the replayed older status is history only
    history = session.exec(select(StatusEvent).order_by(col(StatusEvent.timestamp))).all()
    assert [e.status for e in history] == ["Finishing", "Charging"]


async def test_late_stop_of_a_session_closed_as_abandoned_is_applied(
    service, registered, session
) -> None:
    first = await start(service, NOW - timedelta(hours=3))
    second = await start(service, NOW - timedelta(hours=1), meter_start_wh=8000)
    assert transaction(session, first).status == "completed"  # closed: no stop seen yet
    await stop(service, first, NOW - timedelta(hours=2), 7000)  # the stop arrives late
    cs = transaction(session, first)
    assert (cs.stop_time, cs.meter_stop_wh, cs.energy_wh) == (NOW - timedelta(hours=2), 7000, 6000)
    assert transaction(session, second).status == "active"


async def test_meter_values_out_of_order_count_by_timestamp(service, registered, session) -> None:
    tx = await start(service, NOW - timedelta(hours=1), meter_start_wh=0)
    at = [NOW - timedelta(minutes=m) for m in (50, 40, 30)]
    await meter(service, tx, register_group(at[2], 3000), register_group(at[0], 1000))
    await meter(service, tx, register_group(at[1], 2000))  # an older group, arriving last
    cs = transaction(session, tx)
    assert (cs.energy_wh, cs.meter_updated_at, cs.flagged) == (3000, at[2], False)
    assert issues() == []


# --- energy registers that reset, wrap or jump ----------------------------------------------


async def test_register_reset_keeps_energy_before_and_continues_after(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(hours=1), meter_start_wh=1000)
    for minutes, wh in ((50, 5000), (40, 7000), (30, 100), (20, 600)):
        await meter(service, tx, register_group(NOW - timedelta(minutes=minutes), wh))
        assert transaction(session, tx).energy_wh >= 0
    assert transaction(session, tx).energy_wh == 6000 + 500
    await stop(service, tx, NOW, 900)
    cs = transaction(session, tx)
    assert cs.energy_wh == 6000 + 800
    assert cs.flagged and "went down from 7000 to 100" in cs.flag_reason
    (issue,) = issues(data_issues.ENERGY_REGISTER_BREAK)
    assert "counting continues from the new value" in issue.detail


async def test_samples_in_rounded_kwh_and_a_meter_stop_in_wh_are_not_a_break(
    service, registered, session
) -> None:
    """The usual charger: samples in kWh with two decimals (rounded), meterStop in whole Wh
    (truncated), so the last sample can be a few Wh above meterStop. That is one register at
    two precisions: no break, no data issue, no flag, and meterStop's figure is billed."""
    tx = await start(service, NOW - timedelta(hours=1), meter_start_wh=10_000)
    for minutes, kwh in ((40, "11.00"), (20, "12.35")):
        group = register_group(NOW - timedelta(minutes=minutes), 0)
        group["sampled_value"][0].update(value=kwh, unit="kWh")
        await meter(service, tx, group)
    assert transaction(session, tx).energy_wh == 2_350
    await stop(service, tx, NOW, 12_347)
    cs = transaction(session, tx)
    assert (cs.energy_wh, cs.flagged, cs.flag_reason) == (2_347, False, "")
    assert issues() == []


async def test_register_glitch_does_not_make_energy_jump(service, registered, session) -> None:
    lifetime = 48_000_000
    tx = await start(service, NOW - timedelta(hours=1), meter_start_wh=lifetime)
    for minutes, wh in ((50, lifetime + 2000), (40, 0), (30, 2**32 - 1), (20, lifetime + 3000)):
        await meter(service, tx, register_group(NOW - timedelta(minutes=minutes), wh))
    assert transaction(session, tx).energy_wh == 3000
    await stop(service, tx, NOW, lifetime + 3500)
    assert transaction(session, tx).energy_wh == 3500
    assert len(issues(data_issues.ENERGY_REGISTER_BREAK)) == 2


# --- timestamps without a time zone or in the future ----------------------------------------


async def test_timestamp_without_time_zone_is_taken_as_utc(service, registered, session) -> None:
    at = NOW - timedelta(minutes=20)
    naive = at.replace(tzinfo=None).isoformat()
    started = await service.start_transaction(
        CP, TransactionStarted(connector_id=1, id_tag="GOOD", meter_start_wh=0, timestamp=naive)
    )
    await service.meter_values(
        CP,
        MeterSampled(
            connector_id=1,
            transaction_id=started.transaction_id,
            meter_values=[{"timestamp": naive, "sampled_value": [{"value": "100"}]}],
        ),
    )
    cs = transaction(session, started.transaction_id)
    assert cs.start_time == at
    assert cs.flagged and "without time zone" in cs.flag_reason
    (issue,) = issues()  # once per charge point, not once per message
    assert issue.kind == "clock_no_timezone"
    assert json.loads(issue.payload)["timestamp"] == naive


@pytest.mark.parametrize(
    ("sent", "kind"),
    [
        (NOW + timedelta(days=400), "clock_ahead"),
        (datetime(1970, 1, 1, tzinfo=UTC), "clock_not_set"),
    ],
)
async def test_implausible_timestamp_is_replaced_by_receive_time(
    service, registered, session, sent: datetime, kind: str
) -> None:
    before = datetime.now(UTC)
    tx = await start(service, sent)
    cs = transaction(session, tx)
    assert before <= cs.start_time <= datetime.now(UTC)
    assert cs.flagged
    (issue,) = issues()
    assert issue.kind == kind and json.loads(issue.payload)["timestamp"] == iso(sent)


# --- numbers out of range ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        TransactionStarted(connector_id=-1, id_tag="GOOD", meter_start_wh=0, timestamp=iso(NOW)),
        TransactionStarted(connector_id=1, id_tag="GOOD", meter_start_wh=2**64, timestamp=iso(NOW)),
        StatusChanged(connector_id=-3, error_code="NoError", status="Available"),
        MeterSampled(connector_id=1, transaction_id=-(2**70), meter_values=[]),
    ],
)
async def test_numbers_no_column_can_hold_are_protocol_errors(
    service, registered, session, request_: Any
) -> None:
    handler = {
        TransactionStarted: service.start_transaction,
        StatusChanged: service.status_notification,
        MeterSampled: service.meter_values,
    }[type(request_)]
    with pytest.raises(PropertyConstraintViolationError):
        await handler(CP, request_)
    session.rollback()
    assert session.exec(select(ChargingSession)).all() == []
    assert session.exec(select(Connector)).all() == []


async def test_transaction_on_connector_0_is_accepted_and_flagged(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(minutes=1), connector_id=0)
    cs = transaction(session, tx)
    assert cs.status == "active" and cs.connector_pk is None
    assert cs.flagged and "connector 0" in cs.flag_reason
    assert session.exec(select(Connector)).all() == []  # no connector row "0"


async def test_a_register_break_is_remembered_even_behind_a_full_flag_reason(
    service, registered, session
) -> None:
    tx = await start(service, NOW - timedelta(hours=1), meter_start_wh=0)
    cs = transaction(session, tx)
    cs.flagged, cs.flag_reason = True, "x" * 200  # earlier reasons filled the column
    session.add(cs)
    session.commit()
    for minutes, wh in ((50, 1000), (40, 2000), (30, 100), (20, 200), (10, 2500)):
        await meter(service, tx, register_group(NOW - timedelta(minutes=minutes), wh))
    cs = transaction(session, tx)
    assert cs.energy_wh == 2000 + 100 + 2300  # counted across the reset, never from 0
    assert len(cs.flag_reason) <= 200 and cs.flag_reason.endswith("from 2000 to 100 Wh")
