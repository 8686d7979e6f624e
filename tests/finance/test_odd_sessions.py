"""Odd sessions are priced by the written policy (finance/rules/pricing_policy.py): priced or
held for review, never silently zero; an operator releases or re-prices them.

Real websocket client -> real OCPP server -> real SQLite, the tariff from the e2e test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from ocpp.v16 import call
from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.charging.session_end import close_stale_sessions
from ccms_app.core import db
from ccms_app.finance.errors import FinanceConflict
from ccms_app.finance.models import AssignmentTarget, CostState, SessionCost
from ccms_app.finance.rules.pricing_policy import SessionEvidence, judge
from ccms_app.finance.session_pricing import release, reprice
from ccms_app.finance.tariff_assignments import assign, assignments, unassign
from tests.finance.test_session_pricing_e2e import CP, T0, iso, minutes, priced_network
from tests.fixtures.ocpp import connect_charge_point

__all__ = ["priced_network"]  # the fixture, used by name


def cost_of(transaction_id: int) -> SessionCost:
    with db.read_session() as s:
        cost = s.get(SessionCost, transaction_id)
    assert cost is not None
    return cost


async def _session(ocpp_url: str, meter_start: int, meter_stop: int | None, **kw: object) -> int:
    """A session without meter values; stopped with `meter_stop` (None: never stopped)."""
    async with connect_charge_point(ocpp_url, CP) as cp:
        await cp.call(call.BootNotification(charge_point_model="M", charge_point_vendor="V"))
        started = await cp.call(
            call.StartTransaction(
                connector_id=1, id_tag="CARD-PRICE", meter_start=meter_start, timestamp=iso(T0)
            )
        )
        if meter_stop is not None:
            await cp.call(
                call.StopTransaction(
                    transaction_id=started.transaction_id,
                    meter_stop=meter_stop,
                    timestamp=iso(minutes(30)),
                )
            )
        return started.transaction_id


async def test_without_meter_values_the_energy_is_spread_and_priced(
    priced_network: int, ocpp_url: str
) -> None:
    tx = await _session(ocpp_url, 0, 10000)
    cost = cost_of(tx)
    assert cost.state == CostState.FINAL
    assert "no meter values" in cost.note
    assert (cost.energy_excl_minor, cost.total_incl_minor) == (300, 357)  # 10 kWh x 0.30


async def test_a_meter_that_went_backwards_is_held_for_review_then_released(
    priced_network: int, ocpp_url: str, organisation: Organisation
) -> None:
    tx = await _session(ocpp_url, 5000, 4000)
    cost = cost_of(tx)
    assert cost.state == CostState.REVIEW
    assert "below meterStart" in cost.note
    assert organisation.id is not None
    released = release({organisation.id}, tx, "ops@example.com")
    assert released.state == CostState.FINAL and "released by ops@example.com" in released.note
    with pytest.raises(FinanceConflict):
        release({organisation.id}, tx, "ops@example.com")


async def test_a_session_that_never_stopped_is_priced_and_held(
    priced_network: int, ocpp_url: str
) -> None:
    tx = await _session(ocpp_url, 0, None)
    events = close_stale_sessions(
        T0 + timedelta(days=4), timedelta(minutes=10), timedelta(hours=72)
    )
    assert [e.data["transaction_id"] for e in events] == [tx]
    cost = cost_of(tx)
    assert cost.state == CostState.REVIEW
    assert "no StopTransaction" in cost.note


async def test_without_a_tariff_a_session_is_recorded_as_not_billed_then_repriced(
    priced_network: int, ocpp_url: str, session: Session, organisation: Organisation
) -> None:
    assert organisation.id is not None
    scope = {organisation.id}
    unassign(scope, assignments(scope)[0].id)
    tx = await _session(ocpp_url, 0, 10000)
    cost = cost_of(tx)
    assert cost.state == CostState.UNPRICED and cost.total_incl_minor == 0
    assert "not billed" in cost.note
    assign(scope, priced_network, AssignmentTarget.NETWORK, organisation.id, "test")
    repriced = reprice(scope, tx, "ops@example.com")
    assert (repriced.state, repriced.total_incl_minor) == (CostState.FINAL, 357)


def test_the_policy_in_order() -> None:
    base = SessionEvidence(0, 1000, 5, False, False, "", True)
    assert judge(base).review is False and judge(base).note == ""
    assert judge(SessionEvidence(0, 1000, 5, False, True, "clock ahead", True)).review
    assert judge(SessionEvidence(0, 1000, 5, False, False, "", False)).review
    assert judge(SessionEvidence(0, None, 0, False, False, "", True)).review
