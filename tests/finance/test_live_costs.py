"""Live costs of running sessions where no tariff applies: a network that charges for free
(or a sub-operator without tariffs) has its running sessions skipped by each refresh, not
resolved one by one every 30 s, until a tariff is assigned; then the next refresh prices
them, a sub-operator's through its parent operator's assignment too."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.finance import live_costs
from ccms_app.finance.models import AssignmentTarget, CostState, SessionCost
from ccms_app.finance.tariff_assignments import assign, pricing_organisations
from ccms_app.finance.tariffs import create_tariff
from ccms_app.network.models import ChargePoint
from tests.finance.test_session_pricing_e2e import ENERGY_ONLY, minutes, start_and_meter
from tests.fixtures.ocpp import connect_charge_point
from tests.ocpp_server.test_integration import add_tag


def _network(session: Session, organisation: Organisation) -> tuple[int, int]:
    """The operator's charge point and a sub-operator's, each with a card."""
    operator_id = stored_id(organisation.id)
    partner = Organisation(name="Free Partner", parent_id=operator_id)
    session.add(partner)
    session.flush()
    for identity, owner in (("CP-FREE-OP", operator_id), ("CP-FREE-SUB", stored_id(partner.id))):
        session.add(
            ChargePoint(identity=identity, organisation_id=owner, registration_state="registered")
        )
    session.commit()
    for card in ("CARD-FREE-OP", "CARD-FREE-SUB"):
        add_tag(session, organisation, card)
    return operator_id, stored_id(partner.id)


async def test_no_tariff_anywhere_skips_resolving_until_one_is_assigned(
    session: Session, organisation: Organisation, ocpp_url: str, monkeypatch: Any
) -> None:
    operator_id, partner_id = _network(session, organisation)
    resolved: list[int] = []
    real_tariff_for = live_costs.tariff_for
    monkeypatch.setattr(
        live_costs,
        "tariff_for",
        lambda s, cs, row: resolved.append(stored_id(cs.id)) or real_tariff_for(s, cs, row),
    )
    transactions = []
    for identity in ("CP-FREE-OP", "CP-FREE-SUB"):
        async with connect_charge_point(ocpp_url, identity) as cp:
            transactions.append(await start_and_meter(cp, identity))

    assert live_costs.refresh_running_costs(now=minutes(20)) == []
    assert resolved == []  # no organisation has a tariff: nothing to resolve

    scope = frozenset({operator_id})
    tariff = create_tariff(
        scope, operator_id, "Energy", ENERGY_ONLY, valid_from=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, operator_id, "now priced")
    with db.read_session() as s:
        assert pricing_organisations(s) == {operator_id, partner_id}

    events = live_costs.refresh_running_costs(now=minutes(20))
    assert sorted(event.data["transaction_id"] for event in events) == sorted(transactions)
    with db.read_session() as s:
        costs = [s.get(SessionCost, transaction_id) for transaction_id in transactions]
    # 10 kWh off-peak at 0.30 = 3.00 excl., 3.57 incl., the sub-operator's by its parent's
    assert [(c.state, c.total_incl_minor) for c in costs if c is not None] == [
        (CostState.RUNNING, 357),
        (CostState.RUNNING, 357),
    ]
