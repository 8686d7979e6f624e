"""Vouchers over the REST API, real HTTP: create, read, change, deactivate, redeem (with
every refusal's reason), redemptions, scope and the gate."""

from __future__ import annotations

import httpx

from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.wallets.support import WalletWorld, wallet_world

__all__ = ["keys", "rest", "served", "wallet_world"]


async def _create(rest: httpx.AsyncClient, key: str, **body) -> httpx.Response:
    return await rest.post("/vouchers", json=body, headers=bearer(key))


async def test_create_read_list_and_change_a_voucher(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    key = keys.make()
    created = await _create(
        rest,
        key,
        code="spring-5",
        value_minor=500,
        max_redemptions=None,
        per_holder_limit=2,
        valid_until="2030-01-01T00:00:00Z",
        eligible=[{"holder_kind": "group", "holder_id": w.fleet}],
    )
    assert created.status_code == 201, created.text
    voucher = created.json()
    assert created.headers["location"] == f"/api/v1/vouchers/{voucher['id']}"
    assert (voucher["code"], voucher["value_minor"], voucher["currency"]) == (
        "SPRING-5",
        500,
        "EUR",
    )
    assert voucher["max_redemptions"] is None and voucher["per_holder_limit"] == 2
    assert voucher["valid_until"].startswith("2030-01-01T00:00:00")
    assert voucher["eligible"] == [
        {"holder_kind": "group", "holder_id": w.fleet, "name": "Müller Fleet GmbH"}
    ]
    viewer = bearer(keys.make("Viewer"))
    assert (await rest.get(f"/vouchers/{voucher['id']}", headers=viewer)).json() == voucher
    listed = (await rest.get("/vouchers", params={"q": "spring"}, headers=viewer)).json()
    assert [item["code"] for item in listed["items"]] == ["SPRING-5"]

    changed = await rest.patch(
        f"/vouchers/{voucher['id']}",
        json={"description": "Spring", "max_redemptions": 10, "eligible": []},
        headers=bearer(key),
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["description"], changed.json()["max_redemptions"]) == ("Spring", 10)
    assert changed.json()["eligible"] == [] and changed.json()["value_minor"] == 500

    duplicate = await _create(rest, key, code="SPRING-5", value_minor=100)
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"] == [
        {"location": "body", "field": "code", "detail": "The code SPRING-5 exists already."}
    ]
    wrong = await _create(rest, key, code="x", kind="percent", percent="0")
    assert {e["field"] for e in wrong.json()["errors"]} == {"code", "percent"}
    no_value = await _create(rest, key, code="NOVALUE")
    assert [e["field"] for e in no_value.json()["errors"]] == ["value_minor"]


async def test_redeeming_says_why_a_code_is_refused(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    key = keys.make()
    voucher = (await _create(rest, key, code="ONCE", value_minor=300)).json()
    redeem = {"code": "once", "holder_kind": "driver", "holder_id": w.zoe}
    done = await rest.post("/vouchers/redeem", json=redeem, headers=bearer(key))
    assert done.status_code == 201, done.text
    assert (done.json()["state"], done.json()["amount_minor"], done.json()["code"]) == (
        "credited",
        300,
        "ONCE",
    )
    wallet = (await rest.get(f"/wallets/driver/{w.zoe}", headers=bearer(key))).json()
    assert wallet["bonus_minor"] == 300
    again = await rest.post("/vouchers/redeem", json=redeem, headers=bearer(key))
    assert again.status_code == 422
    assert again.json()["detail"] == "Already redeemed: ONCE may be redeemed once per holder."
    used_up = await rest.post(
        "/vouchers/redeem", json={**redeem, "holder_id": w.jan}, headers=bearer(key)
    )
    assert used_up.json()["detail"] == "The voucher ONCE is used up."
    unknown = await rest.post(
        "/vouchers/redeem", json={**redeem, "code": "NOPE"}, headers=bearer(key)
    )
    assert unknown.json()["detail"] == "No voucher with the code NOPE."
    foreign = await rest.post(
        "/vouchers/redeem", json={**redeem, "holder_id": w.stranger}, headers=bearer(key)
    )
    assert foreign.status_code == 404

    redemptions = (
        await rest.get(f"/vouchers/{voucher['id']}/redemptions", headers=bearer(key))
    ).json()
    assert redemptions["total"] == 1
    (row,) = redemptions["items"]
    assert (row["holder_kind"], row["holder_id"], row["holder"]) == ("driver", w.zoe, "Zoë Müller")

    deactivated = await rest.post(f"/vouchers/{voucher['id']}/deactivate", headers=bearer(key))
    assert deactivated.json()["active"] is False
    fixed = await rest.patch(
        f"/vouchers/{voucher['id']}", json={"value_minor": 900, "active": True}, headers=bearer(key)
    )
    assert fixed.status_code == 422
    assert fixed.json()["errors"][0]["field"] == "value_minor"


async def test_the_gate_and_the_scope(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    key = keys.make()
    voucher = (await _create(rest, key, code="MINE", value_minor=100)).json()
    viewer = bearer(keys.make("Viewer"))
    assert (await _create(rest, keys.make("Viewer"), code="NOPE", value_minor=1)).status_code == 403
    assert (
        await rest.post(f"/vouchers/{voucher['id']}/deactivate", headers=viewer)
    ).status_code == 403
    other = bearer(keys.make(organisation_id=w.other_organisation_id))
    assert (await rest.get(f"/vouchers/{voucher['id']}", headers=other)).status_code == 404
    assert (
        await rest.get(f"/vouchers/{voucher['id']}/redemptions", headers=other)
    ).status_code == 404
    assert (await rest.get("/vouchers", headers=other)).json()["total"] == 0
    assert (await rest.get("/vouchers")).status_code == 401
