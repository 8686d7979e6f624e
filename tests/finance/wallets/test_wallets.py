"""The wallet use cases: the scoped list (method, balances, filters), a wallet's ledger
with running balances, manual adjustments and paid-out refunds with their reasons."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ccms_app.accounts import audit
from ccms_app.accounts.models import AuditEntry
from ccms_app.core import db, listing
from ccms_app.core.listing import ListQuery, ListQueryError
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.payments.models import PaymentAccount
from ccms_app.finance.wallets.ledger import charge_wallet, credit_wallet
from ccms_app.finance.wallets.listing import WALLET_LIST, export_wallets_csv, shown_wallet
from ccms_app.finance.wallets.models import LedgerKind
from ccms_app.finance.wallets.operations import adjust_wallet, refund_paid_out
from ccms_app.finance.wallets.wallet_view import get_wallet, ledger_page
from tests.finance.wallets.support import WalletWorld

ACTOR = "op@example.com"


def _scope(world: WalletWorld) -> list[int]:
    return [world.organisation_id, world.sub_operator_id]


def _who(world: WalletWorld) -> audit.Actor:
    return audit.Actor(None, world.organisation_id, ACTOR)


def _top_up(world: WalletWorld, kind: str, holder: int, paid: int, bonus: int, ref: str) -> None:
    with db.session_scope() as s:
        credit_wallet(
            s,
            organisation_id=world.organisation_id,
            holder_kind=kind,
            holder_id=holder,
            currency="EUR",
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.TOP_UP,
            reference=ref,
        )


def _charge(world: WalletWorld, holder: int, amount: int, ref: str) -> None:
    with db.session_scope() as s:
        charge_wallet(
            s,
            organisation_id=world.organisation_id,
            holder_kind="driver",
            holder_id=holder,
            currency="EUR",
            amount_minor=amount,
            kind=LedgerKind.SESSION_CHARGE,
            reference=ref,
            session_id=None,
        )


def test_the_list_shows_every_holder_of_the_scope_with_method_and_balance(
    wallet_world: WalletWorld,
) -> None:
    w = wallet_world
    _top_up(w, "driver", w.zoe, 5000, 500, "top_up:1")
    _charge(w, w.zoe, 700, "session:1")
    _top_up(w, "driver", w.jan, 100, 0, "top_up:2")
    _charge(w, w.jan, 300, "session:2")
    with db.session_scope() as s:
        s.add(
            PaymentAccount(
                organisation_id=w.organisation_id,
                holder_kind="driver",
                holder_id=w.zoe,
                method="wallet",
            )
        )
    page = listing.fetch_page(WALLET_LIST, ListQuery(page_size=50), _scope(w))
    rows = {row["id"]: row for row in page.rows}
    assert set(rows) == {
        f"driver:{w.zoe}",
        f"driver:{w.jan}",
        f"driver:{w.ola}",
        f"group:{w.fleet}",
    }
    zoe = rows[f"driver:{w.zoe}"]
    assert (zoe["method"], zoe["paid_minor"], zoe["bonus_minor"], zoe["total_minor"]) == (
        "wallet",
        4800,
        0,
        4800,
    )
    assert zoe["last_movement"] is not None
    fleet = rows[f"group:{w.fleet}"]
    assert (fleet["name"], fleet["method"], fleet["total_minor"]) == (
        "Müller Fleet GmbH",
        "invoice",
        0,
    )
    shown = shown_wallet(zoe, "Europe/Berlin")
    assert (shown["paid"], shown["total"], shown["method"]) == (
        "€48.00",
        "€48.00",
        "prepaid wallet",
    )
    assert shown["url"] == f"/finance/wallets/driver/{w.zoe}"
    assert shown["last_movement"].endswith(("CET", "CEST"))


def test_the_list_filters_and_sorts_in_sql(wallet_world: WalletWorld) -> None:
    w = wallet_world
    _top_up(w, "driver", w.jan, 100, 0, "top_up:2")
    _charge(w, w.jan, 300, "session:2")
    _top_up(w, "group", w.fleet, 1000, 0, "top_up:3")

    def ids(**query) -> list[str]:
        page = listing.fetch_page(WALLET_LIST, ListQuery(**query), _scope(w))
        return [row["id"] for row in page.rows]

    assert ids(filters={"balance": "negative"}) == [f"driver:{w.jan}"]
    assert ids(filters={"balance": "positive"}) == [f"group:{w.fleet}"]
    assert ids(filters={"holder_kind": "group"}) == [f"group:{w.fleet}"]
    assert ids(search="kowal") == [f"driver:{w.jan}"]
    assert ids(sort="total_minor", descending=True)[0] == f"group:{w.fleet}"
    with pytest.raises(ListQueryError, match="balance filter"):
        ids(filters={"balance": "huge"})
    only_sub = listing.fetch_page(WALLET_LIST, ListQuery(), [w.sub_operator_id])
    assert [row["id"] for row in only_sub.rows] == [f"driver:{w.ola}"]
    csv_text = export_wallets_csv(ListQuery(sort="name"), _scope(w), "UTC")
    assert csv_text.splitlines()[0].startswith("Holder,Kind")
    assert (
        "Jan Kowalski,driver,jan@example.com,Test Operator,invoice,-2.00,0.00,-2.00,EUR" in csv_text
    )


def test_a_ledger_shows_each_movement_with_the_balance_after_it(
    wallet_world: WalletWorld,
) -> None:
    w = wallet_world
    _top_up(w, "driver", w.zoe, 1000, 200, "top_up:1")
    _charge(w, w.zoe, 300, "session:1")
    adjust_wallet(
        "driver", w.zoe, {"amount": "-1.50", "bucket": "paid", "reason": "fee"}, _scope(w), _who(w)
    )
    first = ledger_page("driver", w.zoe, _scope(w), page=1, page_size=2)
    assert first.total == 3 and first.pages == 2
    adjustment, charge = first.lines
    assert (adjustment.kind, adjustment.amount_minor, adjustment.balance_after_minor) == (
        "adjustment",
        -150,
        750,
    )
    assert (adjustment.reason, adjustment.created_by) == ("fee", ACTOR)
    assert (charge.paid_minor, charge.bonus_minor, charge.balance_after_minor) == (-100, -200, 900)
    (top_up,) = ledger_page("driver", w.zoe, _scope(w), page=2, page_size=2).lines
    assert (top_up.paid_after_minor, top_up.bonus_after_minor) == (1000, 200)
    wallet = get_wallet("driver", w.zoe, _scope(w))
    assert (wallet.balance.total_minor, wallet.method, wallet.holder.name) == (
        750,
        "invoice",
        "Zoë Müller",
    )
    with pytest.raises(FinanceNotFound):
        get_wallet("driver", w.stranger, _scope(w))
    with pytest.raises(FinanceNotFound):
        ledger_page("driver", w.zoe, [w.other_organisation_id])


def test_an_adjustment_needs_a_reason_and_never_takes_a_bucket_below_zero(
    wallet_world: WalletWorld,
) -> None:
    w = wallet_world
    with pytest.raises(FinanceError) as missing:
        adjust_wallet(
            "driver", w.zoe, {"amount": "x", "bucket": "gold", "reason": " "}, _scope(w), _who(w)
        )
    assert set(missing.value.errors) == {"amount", "bucket", "reason"}
    with pytest.raises(FinanceError) as below:
        adjust_wallet(
            "driver",
            w.zoe,
            {"amount": "-1", "bucket": "bonus", "reason": "oops"},
            _scope(w),
            _who(w),
        )
    assert "below zero" in below.value.errors["amount"]
    posted = adjust_wallet(
        "driver",
        w.zoe,
        {"amount": "+2,50", "bucket": "bonus", "reason": "goodwill"},
        _scope(w),
        _who(w),
        request_id="req-1",
    )
    again = adjust_wallet(
        "driver",
        w.zoe,
        {"amount": "+2,50", "bucket": "bonus", "reason": "goodwill"},
        _scope(w),
        _who(w),
        request_id="req-1",
    )
    assert again.id == posted.id
    assert get_wallet("driver", w.zoe, _scope(w)).balance.bonus_minor == 250
    with db.read_session() as s:
        entries = (
            s.execute(select(AuditEntry).where(AuditEntry.action == "wallet.adjustment"))
            .scalars()
            .all()
        )
    assert [e.detail for e in entries] == ["2.50 EUR bonus; reason: goodwill"]
    assert entries[0].object_id == f"driver:{w.zoe}"


def test_a_paid_out_refund_returns_paid_money_only(wallet_world: WalletWorld) -> None:
    w = wallet_world
    _top_up(w, "group", w.fleet, 1000, 500, "top_up:1")
    with pytest.raises(FinanceError) as too_much:
        refund_paid_out(
            "group", w.fleet, {"amount": "10.01", "reason": "closing"}, _scope(w), _who(w)
        )
    assert "paid money only" in too_much.value.errors["amount"]
    with pytest.raises(FinanceError) as no_reason:
        refund_paid_out("group", w.fleet, {"amount": "1", "reason": ""}, _scope(w), _who(w))
    assert set(no_reason.value.errors) == {"reason"}
    done = refund_paid_out(
        "group", w.fleet, {"amount": "10", "reason": "bank transfer 2026-03-02"}, _scope(w), _who(w)
    )
    assert done.kind == "refund" and done.reason == "bank transfer 2026-03-02"
    wallet = get_wallet("group", w.fleet, _scope(w))
    assert (wallet.balance.paid_minor, wallet.balance.bonus_minor) == (0, 500)
    with pytest.raises(FinanceNotFound):
        refund_paid_out("driver", w.stranger, {"amount": "1", "reason": "x"}, _scope(w), _who(w))
