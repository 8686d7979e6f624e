"""Wallets over the REST API, real HTTP: the list (filters, scope), a balance, the ledger,
adjustments and paid-out refunds with reasons, idempotency keys, and the gate."""

from __future__ import annotations

import httpx

from ccms_app.core import db
from ccms_app.finance.wallets.ledger import charge_wallet, credit_wallet
from ccms_app.finance.wallets.models import LedgerKind
from tests.api.rest import Keys, bearer, keys, rest, served
from tests.finance.wallets.support import WalletWorld, wallet_world

__all__ = ["keys", "rest", "served", "wallet_world"]


def _money(world: WalletWorld) -> None:
    """Zoë: 50.00 paid + 5.00 bonus, then a 7.00 session; Jan: 1.00, then a 3.00 session."""
    with db.session_scope() as s:
        for holder, paid, bonus in ((world.zoe, 5000, 500), (world.jan, 100, 0)):
            credit_wallet(
                s,
                organisation_id=world.organisation_id,
                holder_kind="driver",
                holder_id=holder,
                currency="EUR",
                paid_minor=paid,
                bonus_minor=bonus,
                kind=LedgerKind.TOP_UP,
                reference=f"top_up:{holder}",
            )
        for holder, amount in ((world.zoe, 700), (world.jan, 300)):
            charge_wallet(
                s,
                organisation_id=world.organisation_id,
                holder_kind="driver",
                holder_id=holder,
                currency="EUR",
                amount_minor=amount,
                kind=LedgerKind.SESSION_CHARGE,
                reference=f"session:{holder}",
            )


async def test_the_list_pages_filters_and_stays_in_scope(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    _money(w)
    viewer = bearer(keys.make("Viewer"))
    listed = (await rest.get("/wallets", params={"sort": "name"}, headers=viewer)).json()
    assert listed["total"] == 4
    zoe = next(item for item in listed["items"] if item["id"] == f"driver:{w.zoe}")
    assert (zoe["paid_minor"], zoe["bonus_minor"], zoe["total_minor"]) == (4800, 0, 4800)
    assert (zoe["method"], zoe["currency"], zoe["balance"]) == ("invoice", "EUR", "positive")
    negative = (await rest.get("/wallets", params={"balance": "negative"}, headers=viewer)).json()
    assert [item["name"] for item in negative["items"]] == ["Jan Kowalski"]
    wrong = await rest.get("/wallets", params={"balance": "huge"}, headers=viewer)
    assert wrong.status_code == 400 and "balance filter" in wrong.json()["detail"]
    first = (await rest.get("/wallets", params={"page_size": 3}, headers=viewer)).json()
    rest_of = await rest.get(
        "/wallets", params={"page_size": 3, "cursor": first["next_cursor"]}, headers=viewer
    )
    names = [i["name"] for i in first["items"] + rest_of.json()["items"]]
    assert sorted(names) == sorted(i["name"] for i in listed["items"])
    sub_key = bearer(keys.make("Viewer", organisation_id=w.sub_operator_id))
    theirs = (await rest.get("/wallets", headers=sub_key)).json()
    assert [item["id"] for item in theirs["items"]] == [f"driver:{w.ola}"]
    exported = await rest.get(
        "/wallets/export", params={"format": "csv"}, headers=bearer(keys.make())
    )
    assert exported.status_code == 200 and "Jan Kowalski" in exported.text


async def test_a_balance_and_its_ledger(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    _money(w)
    viewer = bearer(keys.make("Viewer"))
    wallet = (await rest.get(f"/wallets/driver/{w.zoe}", headers=viewer)).json()
    assert wallet == {
        "holder_kind": "driver",
        "holder_id": w.zoe,
        "name": "Zoë Müller",
        "detail": "zoe@example.com",
        "organisation_id": w.organisation_id,
        "method": "invoice",
        "currency": "EUR",
        "paid_minor": 4800,
        "bonus_minor": 0,
        "total_minor": 4800,
    }
    entries = (await rest.get(f"/wallets/driver/{w.zoe}/entries", headers=viewer)).json()
    assert entries["total"] == 2
    charge, top_up = entries["items"]
    assert (charge["kind"], charge["reference"]) == ("session_charge", f"session:{w.zoe}")
    assert (charge["paid_minor"], charge["bonus_minor"], charge["balance_after_minor"]) == (
        -200,
        -500,
        4800,
    )
    assert top_up["balance_after_minor"] == 5500
    for path in (f"/wallets/driver/{w.stranger}", f"/wallets/group/{w.fleet + 999}"):
        missing = await rest.get(path, headers=viewer)
        assert missing.status_code == 404
        assert missing.headers["content-type"].startswith("application/problem+json")
    assert (await rest.get(f"/wallets/robot/{w.zoe}", headers=viewer)).status_code == 422


async def test_adjustments_and_refunds_with_reasons_and_idempotency_keys(
    rest: httpx.AsyncClient, keys: Keys, wallet_world: WalletWorld
) -> None:
    w = wallet_world
    _money(w)
    editor = bearer(keys.make())
    path = f"/wallets/driver/{w.zoe}"
    no_reason = await rest.post(
        f"{path}/adjustments",
        json={"amount_minor": 100, "bucket": "bonus", "reason": ""},
        headers=editor,
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    body = {"amount_minor": 250, "bucket": "bonus", "reason": "goodwill"}
    headers = {**editor, "Idempotency-Key": "adj-1"}
    first = await rest.post(f"{path}/adjustments", json=body, headers=headers)
    again = await rest.post(f"{path}/adjustments", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 201
    assert again.json()["transaction_id"] == first.json()["transaction_id"]
    assert first.json()["wallet"]["bonus_minor"] == 250
    assert first.json()["created_by"] == "API key test Administrator"
    too_much = await rest.post(
        f"{path}/refunds", json={"amount_minor": 4801, "reason": "closing"}, headers=editor
    )
    assert too_much.status_code == 422 and "paid money only" in too_much.json()["detail"]
    refunded = await rest.post(
        f"{path}/refunds", json={"amount_minor": 4800, "reason": "IBAN transfer 42"}, headers=editor
    )
    assert refunded.status_code == 201, refunded.text
    assert refunded.json()["kind"] == "refund"
    assert (refunded.json()["wallet"]["paid_minor"], refunded.json()["wallet"]["bonus_minor"]) == (
        0,
        250,
    )
    viewer = bearer(keys.make("Viewer"))
    refused = await rest.post(
        f"{path}/refunds", json={"amount_minor": 1, "reason": "x"}, headers=viewer
    )
    assert refused.status_code == 403
    foreign = await rest.post(
        f"/wallets/driver/{w.stranger}/adjustments",
        json={"amount_minor": 100, "bucket": "paid", "reason": "x"},
        headers=editor,
    )
    assert foreign.status_code == 404
    unknown_field = await rest.post(
        f"{path}/refunds", json={"amount_minor": 1, "reason": "x", "bonus": True}, headers=editor
    )
    assert unknown_field.status_code == 422
