"""A session's live columns (energy, power, ...) are written once per batch from the session
object as it ends up (charging.session_energy.set_live): one batch or many, same outcome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging import transactions
from ccms_app.charging.meter_values import MeterRequest, meter_values
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.network.models import ChargePoint

START = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
SESSION_COLUMNS = (
    "status",
    "energy_wh",
    "power_w",
    "current_a",
    "voltage_v",
    "soc_percent",
    "meter_updated_at",
    "meter_stop_wh",
    "flagged",
    "flag_reason",
)


def _meter(transaction_id: int, minute: int, wh: int, power: str) -> MeterRequest:
    sampled = [
        {"value": str(wh), "unit": "Wh", "measurand": "Energy.Active.Import.Register"},
        {"value": power, "unit": "W", "measurand": "Power.Active.Import"},
        {"value": "40", "unit": "Percent", "measurand": "SoC", "location": "EV"},
    ]
    at = (START + timedelta(minutes=minute)).isoformat()
    return MeterRequest(1, [{"timestamp": at, "sampled_value": sampled}], transaction_id)


def _charge(identity: str, one_batch: bool) -> int:
    """Start, then MeterValues (one replayed late, one register going down) and Stop in one
    batch or one batch each."""
    now = START + timedelta(minutes=30)
    with db.session_scope() as s:
        start = transactions.StartRequest(1, "TAG", 1000, START.isoformat())
        transaction_id, _, _ = transactions.start(s, identity, start, now)
    steps: list[Callable[[Session], Any]] = [
        lambda s: meter_values(s, identity, _meter(transaction_id, 1, 1500, "7000"), now),
        lambda s: meter_values(s, identity, _meter(transaction_id, 3, 2500, "7400"), now),
        lambda s: meter_values(s, identity, _meter(transaction_id, 2, 2000, "9999"), now),
        lambda s: meter_values(s, identity, _meter(transaction_id, 4, 2200, "7100"), now),
        lambda s: meter_values(s, identity, _meter(transaction_id, 5, 2300, "7200"), now),
        lambda s: transactions.stop(
            s,
            identity,
            transactions.StopRequest(
                transaction_id, 2600, (START + timedelta(minutes=6)).isoformat()
            ),
            now,
        ),
    ]
    if one_batch:
        with db.session_scope() as s:
            for step in steps:
                step(s)
    for step in [] if one_batch else steps:
        with db.session_scope() as s:
            step(s)
    return transaction_id


def _stored(transaction_id: int) -> tuple[Any, ...]:
    with db.read_session() as s:
        cs = s.get(ChargingSession, transaction_id)
        assert cs is not None
        return tuple(getattr(cs, name) for name in SESSION_COLUMNS)


def test_one_batch_stores_what_one_batch_per_message_stores(
    engine, session: Session, organisation: Organisation
) -> None:
    for identity in ("CP-ONE", "CP-MANY"):
        session.add(ChargePoint(identity=identity, organisation_id=organisation.id))
    session.commit()
    in_one = _charge("CP-ONE", one_batch=True)
    in_many = _charge("CP-MANY", one_batch=False)
    assert _stored(in_one) == _stored(in_many)
    status, energy, power, *_, meter_stop, flagged, reason = _stored(in_one)
    # The readings add up to 1,900 Wh but the register moved 1,600 (meterStop - meterStart):
    # a stopped session never counts more than that (docs/data-policy.md).
    assert (status, energy, power, meter_stop, flagged) == ("completed", 1600, 0.0, 2600, True)
    assert "went down" in reason and "1600 counted" in reason
