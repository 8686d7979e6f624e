"""The demo network's finance: a billing profile and a network default tariff per demo
organisation, so the demo's sessions are priced, receipted and invoiced like a real network's.

Idempotent: an organisation that has a billing profile or a network default already keeps it
(an operator who changed the demo's prices keeps their prices across restarts).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from ccms_app.core.db import read_session
from ccms_app.finance.billing_profiles import save_profile
from ccms_app.finance.models import AssignmentTarget, BillingProfile, TariffAssignment
from ccms_app.finance.tariff_assignments import assign
from ccms_app.finance.tariffs import create_tariff

DEMO_ACTOR = "demo"
VALID_FROM = datetime(2020, 1, 1, tzinfo=UTC)
# Start fee, cheaper energy outside the weekday evening peak, an idle fee after 30 minutes.
STANDARD_TARIFF: dict[str, Any] = {
    "currency": "EUR",
    "idle_grace_minutes": 30,
    "idle_fee_cap": "15.00",
    "elements": [
        {
            "fee": "start",
            "price_components": [{"type": "FLAT", "price": "0.50", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.49", "vat": "19", "step_size": 1}],
            "restrictions": {
                "start_time": "17:00",
                "end_time": "21:00",
                "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
            },
        },
        {
            "fee": "energy",
            "price_components": [{"type": "ENERGY", "price": "0.39", "vat": "19", "step_size": 1}],
        },
        {
            "fee": "idle",
            "price_components": [
                {"type": "PARKING_TIME", "price": "6.00", "vat": "19", "step_size": 60}
            ],
        },
    ],
}


def seed_demo_finance(organisations: list[tuple[int, str]]) -> int:
    """Profile + "Standard" network default for each (id, name); how many rows it created."""
    created = 0
    for organisation_id, name in organisations:
        created += _profile(organisation_id, name)
        created += _network_default(organisation_id)
    return created


def _profile(organisation_id: int, name: str) -> int:
    with read_session() as session:
        if session.get(BillingProfile, organisation_id) is not None:
            return 0
    form = {
        "currency": "EUR",
        "vat_percent": "19",
        "rounding": "half_up",
        "time_zone": "Europe/Berlin",
        "seller_name": name,
        "seller_address": "Friedrichstrasse 50, 10117 Berlin, Germany",
        "seller_vat_id": "DE123456789",
        "seller_email": "billing@example.com",
    }
    save_profile(organisation_id, form, DEMO_ACTOR)
    return 1


def _network_default(organisation_id: int) -> int:
    with read_session() as session:
        existing = session.exec(
            select(TariffAssignment.id).where(
                TariffAssignment.organisation_id == organisation_id,
                TariffAssignment.target_kind == AssignmentTarget.NETWORK.value,
            )
        ).first()
    if existing is not None:
        return 0
    scope = frozenset({organisation_id})
    tariff = create_tariff(
        scope,
        organisation_id,
        "Standard",
        STANDARD_TARIFF,
        description="Demo: start fee, evening peak on weekdays, idle fee after 30 minutes",
        actor=DEMO_ACTOR,
        valid_from=VALID_FROM,
    )
    assign(scope, tariff.id, AssignmentTarget.NETWORK, organisation_id, DEMO_ACTOR)
    return 2
