"""Partner settlements over the REST API, real HTTP (the web-port app served by granian) on a
real migrated database: agreements made and changed by the operator's key with every wrong
field named, refused to the partner's own key (which reads them), and the month's
settlement with the hand-computed figures of tests/finance/partners/support.py, the same
for the operator's key and the partner's, as PDF and CSV too; another partner's key finds
nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx

from ccms_app.accounts.models import Role
from ccms_app.accounts.rules.permissions import Action, Module, format_permissions, permission
from ccms_app.core import db
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.partners import test_settlements
from tests.finance.partners.support import MARCH, SUED, Network, network

__all__ = ["keys", "network", "rest", "served"]

PATH = "/revenue-share-agreements"


def _key(keys: Keys, organisation_id: int, permissions: set[str]) -> dict[str, str]:
    with db.session_scope() as session:
        role = Role(
            name=f"Only {sorted(permissions)}",
            organisation_id=organisation_id,
            permissions=format_permissions(permissions),
        )
        session.add(role)
        session.flush()
        name = role.name
    return bearer(keys.make(name, organisation_id))


def _fields(reply: httpx.Response) -> set[str]:
    return {entry["field"] for entry in reply.json().get("errors", [])}


def _new(network: Network, **changes: Any) -> dict[str, Any]:
    return {
        "partner_organisation_id": network.sued_id,
        "name": "Standard",
        "operator_percent": "10",
        "fee_per_session": "0.50",
        "platform_fee": "20.00",
        "valid_from": "2026-01-01T00:00:00+01:00",
        **changes,
    }


async def test_the_operator_makes_and_changes_agreements(
    rest: httpx.AsyncClient, keys: Keys, network: Network
) -> None:
    key = bearer(keys.make("Finance"))

    made = await rest.post(PATH, json=_new(network), headers=key)

    assert made.status_code == 201, made.text
    agreement = made.json()
    assert made.headers["location"] == f"/api/v1{PATH}/{agreement['id']}"
    assert (agreement["partner"], agreement["station"], agreement["currency"]) == (
        SUED,
        None,
        "EUR",  # the partner's sessions' currency when the body names none
    )
    assert (agreement["operator_percent"], agreement["fee_per_session_minor"]) == ("10", 50)
    assert agreement["platform_fee_minor"] == 2000
    assert agreement["valid_from"].startswith("2025-12-31T23:00:00")
    assert agreement["valid_until"] is None

    overlap = await rest.post(PATH, json=_new(network, name="Second"), headers=key)
    assert overlap.status_code == 422 and _fields(overlap) == {"valid_from"}
    wrong = await rest.post(
        PATH,
        json=_new(
            network,
            name="",
            operator_percent="120",
            platform_fee="1.005",
            currency="USD",
            station_id=network.hafen_id,
            valid_from="2026-05-01T00:00:00Z",
        ),
        headers=key,
    )
    assert wrong.status_code == 422
    assert _fields(wrong) == {"name", "operator_percent", "platform_fee", "station_id"}
    naive = await rest.post(PATH, json=_new(network, valid_from="2026-01-01T00:00"), headers=key)
    assert naive.status_code == 422 and _fields(naive) == {"valid_from"}

    changed = await rest.patch(
        f"{PATH}/{agreement['id']}",
        json={"operator_percent": "12.5", "valid_until": "2026-06-30T22:00:00Z"},
        headers=key,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["operator_percent"] == "12.5"
    assert changed.json()["valid_until"].startswith("2026-06-30T22:00:00")
    cleared = await rest.patch(f"{PATH}/{agreement['id']}", json={"name": None}, headers=key)
    assert cleared.status_code == 422 and _fields(cleared) == {"name"}
    station = await rest.post(
        PATH,
        json=_new(network, name="Bahnhof", station_id=network.bahnhof_id, currency="eur"),
        headers=key,
    )
    assert station.status_code == 201 and station.json()["station"] == "Bahnhof"

    page = (await rest.get(PATH, params={"station_id": network.bahnhof_id}, headers=key)).json()
    assert [item["name"] for item in page["items"]] == ["Bahnhof"]
    assert (await rest.get(f"{PATH}/987654", headers=key)).status_code == 404


async def test_the_partner_reads_its_agreements_and_changes_none(
    rest: httpx.AsyncClient, keys: Keys, network: Network
) -> None:
    operator = bearer(keys.make("Finance"))
    made = (await rest.post(PATH, json=_new(network), headers=operator)).json()
    partner = bearer(keys.make("Finance", network.sued_id))
    nord = bearer(keys.make("Finance", network.nord_id))

    listed = (await rest.get(PATH, headers=partner)).json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]
    assert (await rest.get(PATH, headers=nord)).json()["total"] == 0
    assert (await rest.get(f"{PATH}/{made['id']}", headers=nord)).status_code == 404

    refused = await rest.post(PATH, json=_new(network, name="Mine"), headers=partner)
    assert refused.status_code == 403
    assert "operator above" in refused.json()["detail"]
    patched = await rest.patch(
        f"{PATH}/{made['id']}", json={"operator_percent": "0"}, headers=partner
    )
    assert patched.status_code == 403
    assert (await rest.get(f"{PATH}/{made['id']}", headers=partner)).json()[
        "operator_percent"
    ] == "10"


async def test_the_settlement_is_the_same_for_operator_and_partner(
    rest: httpx.AsyncClient, keys: Keys, network: Network
) -> None:
    ids = test_settlements.march(network)
    url = f"/settlements/{network.sued_id}/{MARCH}"
    operator = bearer(keys.make("Finance"))

    reply = await rest.get(url, headers=operator)

    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert (body["partner_name"], body["time_zone"], body["currency"]) == (
        SUED,
        "Europe/Berlin",
        "EUR",
    )
    assert body["period_start"].startswith("2026-02-28T23:00:00")
    assert body["period_end"].startswith("2026-03-31T22:00:00")
    assert body["totals"] == {
        "sessions": 4,
        "energy_wh": 43_350,
        "income_excl_minor": 4339,
        "vat_minor": 825,
        "income_incl_minor": 5164,
        "commission_minor": 509,
        "session_fees_minor": 150,
        "platform_fee_minor": 2500,
        "due_minor": 1180,
    }
    assert body["commission_exact"] == "509"
    assert [(a["name"], a["figures"]["due_minor"]) for a in body["agreements"]] == [
        ("Standard", -899),
        ("Bahnhof deal", 2079),
    ]
    assert [s["session_id"] for s in body["sessions"]] == [
        ids["s1"],
        ids["s2"],
        ids["s3"],
        ids["s4"],
    ]
    assert body["sessions"][3]["stopped_local"] == "2026-03-31 23:59"

    partner = bearer(keys.make("Finance", network.sued_id))
    assert (await rest.get(url, headers=partner)).json() == body
    nord = bearer(keys.make("Finance", network.nord_id))
    assert (await rest.get(url, headers=nord)).status_code == 404
    bad = await rest.get(f"/settlements/{network.sued_id}/2026-13", headers=operator)
    assert bad.status_code == 422 and _fields(bad) == {"month"}

    pdf = await rest.get(body["pdf"].removeprefix("/api/v1"), headers=partner)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    table = await rest.get(body["csv"].removeprefix("/api/v1"), headers=operator)
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert rows[-1]["record"] == "total" and rows[-1]["due_to_partner"] == "11.80"
    viewer = _key(keys, network.operator_id, {permission(Module.FINANCE, Action.VIEW)})
    assert (await rest.get(url, headers=viewer)).status_code == 200
    assert (await rest.get(f"{url}/pdf", headers=viewer)).status_code == 403
