"""The event history over the REST API, real HTTP: status events and charge point events
in one list, filtered by kind, charge point and time range; exported as CSV."""

from __future__ import annotations

from datetime import timedelta

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.types import utc_now
from ccms_app.network.models import ChargePointEvent, StatusEvent
from tests.api.rest import Keys, bearer, keys, rest, served, sub_operator
from tests.maintenance.alarms import seed

__all__ = ["keys", "rest", "served", "sub_operator"]


async def test_history_filters_and_export(
    rest, keys: Keys, organisation: Organisation, sub_operator: Organisation
) -> None:
    org = organisation.id or 0
    cp = seed.charge_point(org)
    now = utc_now()
    with db.session_scope() as session:
        session.add(
            StatusEvent(
                charge_point_id=cp,
                connector_id=1,
                status="Faulted",
                error_code="GroundFailure",
                vendor_error_code="E-17",
                received_at=now - timedelta(hours=2),
            )
        )
        session.add(
            ChargePointEvent(
                charge_point_id=cp, kind="disconnected", detail="ping timeout", occurred_at=now
            )
        )
    key = bearer(keys.make())
    listed = await rest.get(
        "/maintenance-events", params={"sort": "occurred_at", "order": "desc"}, headers=key
    )
    assert listed.status_code == 200, listed.text
    assert [i["kind"] for i in listed.json()["items"]] == ["disconnected", "status"]
    faults = await rest.get(
        "/maintenance-events", params={"error_code": "GroundFailure"}, headers=key
    )
    assert [i["vendor_error_code"] for i in faults.json()["items"]] == ["E-17"]
    since = (now - timedelta(hours=1)).isoformat()
    recent = await rest.get("/maintenance-events", params={"occurred_at_from": since}, headers=key)
    assert [i["kind"] for i in recent.json()["items"]] == ["disconnected"]
    naive = await rest.get(
        "/maintenance-events", params={"occurred_at_from": "2026-01-01T00:00:00"}, headers=key
    )
    assert naive.status_code == 422
    kind = await rest.get("/maintenance-events", params={"kind": "party"}, headers=key)
    assert kind.status_code == 400
    export = await rest.get("/maintenance-events/export", params={"identity": "CP-1"}, headers=key)
    assert export.status_code == 200 and len(export.text.splitlines()) == 3
    sub_key = bearer(keys.make("Administrator", sub_operator.id))
    assert (await rest.get("/maintenance-events", headers=sub_key)).json()["total"] == 0
