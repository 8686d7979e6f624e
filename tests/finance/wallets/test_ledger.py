"""The wallet ledger on the real database: balanced transactions, balances as sums, bonus
first, refunds of paid money only, idempotent references."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ccms_app.core import db
from ccms_app.finance.wallets.ledger import (
    LedgerError,
    Posting,
    balance,
    charge_wallet,
    credit_wallet,
    house_account,
    post,
    refund_paid,
    wallet_account,
)
from ccms_app.finance.wallets.models import (
    AccountKind,
    Bucket,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
)
from tests.finance.wallets.support import WalletWorld


def _credit(world: WalletWorld, reference: str, paid: int, bonus: int = 0, holder: int = 0):
    with db.session_scope() as s:
        return credit_wallet(
            s,
            organisation_id=world.organisation_id,
            holder_kind="driver",
            holder_id=holder or world.zoe,
            currency="EUR",
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.TOP_UP,
            reference=reference,
        )


def _charge(world: WalletWorld, reference: str, amount: int):
    with db.session_scope() as s:
        return charge_wallet(
            s,
            organisation_id=world.organisation_id,
            holder_kind="driver",
            holder_id=world.zoe,
            currency="EUR",
            amount_minor=amount,
            kind=LedgerKind.SESSION_CHARGE,
            reference=reference,
        )


def _balance(world: WalletWorld, holder: int = 0):
    with db.read_session() as s:
        return balance(s, "driver", holder or world.zoe, "EUR")


def test_a_top_up_with_bonus_raises_both_buckets(wallet_world: WalletWorld) -> None:
    posted = _credit(wallet_world, "top_up:1", 5000, 500)
    assert posted is not None and posted.kind == LedgerKind.TOP_UP
    now = _balance(wallet_world)
    assert (now.paid_minor, now.bonus_minor, now.total_minor) == (5000, 500, 5500)
    with db.read_session() as s:
        entries = s.exec(select(LedgerEntry).where(LedgerEntry.transaction_id == posted.id)).all()
        amounts = sorted(e[0].amount_minor for e in entries)
        clearing = house_account(
            s, wallet_world.organisation_id, AccountKind.STRIPE_CLEARING, "EUR"
        )
        assert balance(s, "driver", wallet_world.jan, "EUR").total_minor == 0
    assert amounts == [-5000, -500, 500, 5000]
    assert clearing.holder_kind == "" and clearing.holder_id == 0


def test_a_reference_posts_once(wallet_world: WalletWorld) -> None:
    assert _credit(wallet_world, "top_up:7", 1000) is not None
    assert _credit(wallet_world, "top_up:7", 1000) is None
    assert _charge(wallet_world, "session:1", 300) is not None
    assert _charge(wallet_world, "session:1", 300) is None
    assert _balance(wallet_world).total_minor == 700
    with db.read_session() as s:
        assert s.execute(select(func.count()).select_from(LedgerTransaction)).scalar_one() == 2


def test_a_charge_spends_bonus_first_and_may_overdraw_paid(wallet_world: WalletWorld) -> None:
    _credit(wallet_world, "top_up:1", 1000, 200)
    _charge(wallet_world, "session:1", 150)
    assert (_balance(wallet_world).paid_minor, _balance(wallet_world).bonus_minor) == (1000, 50)
    _charge(wallet_world, "session:2", 1100)
    after = _balance(wallet_world)
    assert (after.paid_minor, after.bonus_minor) == (-50, 0)
    with db.read_session() as s:
        revenue = house_account(
            s, wallet_world.organisation_id, AccountKind.CHARGING_REVENUE, "EUR"
        )
        total = s.execute(
            select(func.sum(LedgerEntry.amount_minor)).where(LedgerEntry.account_id == revenue.id)
        ).scalar_one()
    assert total == 1250


def test_a_zero_charge_posts_nothing(wallet_world: WalletWorld) -> None:
    assert _charge(wallet_world, "session:9", 0) is None
    with pytest.raises(LedgerError, match="not negative"):
        _charge(wallet_world, "session:9", -1)


def test_a_refund_returns_paid_money_only(wallet_world: WalletWorld) -> None:
    _credit(wallet_world, "top_up:1", 1000, 500)
    with pytest.raises(LedgerError, match="paid money only") as refused, db.session_scope() as s:
        refund_paid(
            s,
            organisation_id=wallet_world.organisation_id,
            holder_kind="driver",
            holder_id=wallet_world.zoe,
            currency="EUR",
            amount_minor=1001,
            reference="refund:1",
            reason="closing the account",
            created_by="op@example.com",
        )
    assert "amount" in refused.value.errors
    with db.session_scope() as s:
        done = refund_paid(
            s,
            organisation_id=wallet_world.organisation_id,
            holder_kind="driver",
            holder_id=wallet_world.zoe,
            currency="EUR",
            amount_minor=1000,
            reference="refund:1",
            reason="closing the account",
            created_by="op@example.com",
        )
    assert done is not None and done.reason == "closing the account"
    assert done.created_by == "op@example.com"
    after = _balance(wallet_world)
    assert (after.paid_minor, after.bonus_minor) == (0, 500)


def test_unbalanced_postings_are_refused(wallet_world: WalletWorld) -> None:
    with pytest.raises(LedgerError, match="Unbalanced"), db.session_scope() as s:
        wallet = wallet_account(s, wallet_world.organisation_id, "driver", wallet_world.zoe, "EUR")
        house = house_account(s, wallet_world.organisation_id, AccountKind.ADJUSTMENTS, "EUR")
        post(
            s,
            organisation_id=wallet_world.organisation_id,
            kind=LedgerKind.ADJUSTMENT,
            reference="adj:1",
            postings=[Posting(wallet, 100, Bucket.BONUS), Posting(house, -99, Bucket.BONUS)],
        )
    with db.read_session() as s:
        assert s.execute(select(func.count()).select_from(LedgerTransaction)).scalar_one() == 0


def test_an_account_of_another_currency_does_not_balance(wallet_world: WalletWorld) -> None:
    with pytest.raises(LedgerError, match="EUR, PLN"), db.session_scope() as s:
        wallet = wallet_account(s, wallet_world.organisation_id, "driver", wallet_world.zoe, "EUR")
        house = house_account(s, wallet_world.organisation_id, AccountKind.ADJUSTMENTS, "PLN")
        post(
            s,
            organisation_id=wallet_world.organisation_id,
            kind=LedgerKind.ADJUSTMENT,
            reference="adj:1",
            postings=[Posting(wallet, 100), Posting(house, -100)],
        )


def test_unknown_or_foreign_holders_have_no_wallet(wallet_world: WalletWorld) -> None:
    with db.session_scope() as s:
        org = wallet_world.organisation_id
        with pytest.raises(LedgerError, match="No driver 9999"):
            wallet_account(s, org, "driver", 9999, "EUR")
        with pytest.raises(LedgerError):
            wallet_account(s, org, "driver", wallet_world.stranger, "EUR")
        with pytest.raises(LedgerError):
            wallet_account(s, org, "robot", wallet_world.zoe, "EUR")
        group = wallet_account(s, org, "group", wallet_world.fleet, "eur")
        assert group.currency == "EUR" and group.kind == AccountKind.WALLET
        assert wallet_account(s, org, "group", wallet_world.fleet, "EUR").id == group.id
        count = s.execute(select(func.count()).select_from(LedgerAccount)).scalar_one()
    assert count == 1
