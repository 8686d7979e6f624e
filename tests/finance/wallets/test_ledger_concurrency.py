"""The issue's "Done when": 1,000 concurrent random wallet operations, then proof that every
balance is its ledger and no voucher was over-redeemed.

16 threads run top-ups (paid + bonus, some references shared between threads so they race
for the same posting), session charges, paid refunds and redemptions of a few vouchers with
small limits, over 20 wallets (16 drivers, 4 group accounts) of a real database (SQLite,
whose writers queue for the whole database, and PostgreSQL, where they queue for the wallet's
row lock), each operation in its own transaction as the product runs them. Each thread keeps
what succeeded; afterwards the database must agree with the threads exactly.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.drivers.models import Driver, UserGroup, UserGroupMember
from ccms_app.finance.models import BillingProfile
from ccms_app.finance.wallets.ledger import (
    LedgerError,
    balance,
    charge_wallet,
    credit_wallet,
    locked_wallet,
    refund_paid,
)
from ccms_app.finance.wallets.models import (
    AccountKind,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    LedgerTransaction,
    Voucher,
    VoucherEligibility,
    VoucherRedemption,
)
from ccms_app.finance.wallets.vouchers import VoucherRefused, redeem

THREADS = 16
OPERATIONS = 1000
SHARED_TOP_UPS = 12  # references every thread may try: each must post exactly once

Holder = tuple[str, int]


@dataclass(frozen=True)
class Network:
    organisation_id: int
    holders: list[Holder]
    fleet: int  # the group the percent voucher is limited to


@dataclass(frozen=True)
class VoucherPlan:
    code: str
    kind: str
    value_minor: int
    max_redemptions: int | None
    per_holder_limit: int


VOUCHERS = (
    VoucherPlan("WELCOME5", "value", 500, 5, 1),
    VoucherPlan("TWICE", "value", 100, 12, 2),
    VoucherPlan("FLEET10", "percent", 0, 4, 1),  # limited to the fleet group
    VoucherPlan("OPEN", "value", 50, None, 3),
)


@dataclass
class Tally:
    """What one thread saw succeed (and refused)."""

    deltas: Counter[Holder] = field(default_factory=Counter)
    posted: int = 0  # ledger transactions this thread wrote
    redeemed: Counter[tuple[str, Holder]] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def network(engine, organisation: Organisation) -> Network:
    org = stored_id(organisation.id)
    with db.session_scope() as s:
        s.add(BillingProfile(organisation_id=org, currency="EUR", time_zone="Europe/Berlin"))
        drivers = [Driver(organisation_id=org, name=f"Driver {i}") for i in range(16)]
        groups = [UserGroup(organisation_id=org, name=f"Group {i}") for i in range(4)]
        s.add_all([*drivers, *groups])
        s.flush()
        fleet = stored_id(groups[0].id)
        for i, driver in enumerate(drivers[:8]):  # 6 authorised members, 2 not
            s.add(UserGroupMember(group_id=fleet, driver_id=stored_id(driver.id), authorised=i < 6))
        for plan in VOUCHERS:
            voucher = Voucher(
                organisation_id=org,
                code=plan.code,
                kind=plan.kind,
                value_minor=plan.value_minor,
                percent="10" if plan.kind == "percent" else "",
                currency="EUR",
                max_redemptions=plan.max_redemptions,
                per_holder_limit=plan.per_holder_limit,
            )
            s.add(voucher)
            s.flush()
            # the column's default (1) fills an inserted None: unlimited is set afterwards
            voucher.max_redemptions = plan.max_redemptions
            s.flush()
            if plan.kind == "percent":
                s.add(
                    VoucherEligibility(voucher_id=voucher.id, holder_kind="group", holder_id=fleet)
                )
        holders = [("driver", stored_id(d.id)) for d in drivers]
        holders += [("group", stored_id(g.id)) for g in groups]
    return Network(org, holders, fleet)


def _top_up(net: Network, tally: Tally, rng: random.Random, ref: str) -> None:
    kind, holder_id = rng.choice(net.holders)
    paid, bonus = rng.randint(100, 5000), rng.choice([0, 0, rng.randint(1, 1000)])
    with db.session_scope() as s:
        posted = credit_wallet(
            s,
            organisation_id=net.organisation_id,
            holder_kind=kind,
            holder_id=holder_id,
            currency="EUR",
            paid_minor=paid,
            bonus_minor=bonus,
            kind=LedgerKind.TOP_UP,
            reference=ref,
        )
    if posted is not None:
        tally.deltas[(kind, holder_id)] += paid + bonus
        tally.posted += 1
    else:
        tally.refused["repeat"] += 1


def _charge(net: Network, tally: Tally, rng: random.Random, ref: str) -> None:
    kind, holder_id = rng.choice(net.holders)
    amount = rng.randint(1, 3000)
    with db.session_scope() as s:
        locked_wallet(s, net.organisation_id, kind, holder_id, "EUR")  # as the charge does
        before = balance(s, kind, holder_id, "EUR")
        posted = charge_wallet(
            s,
            organisation_id=net.organisation_id,
            holder_kind=kind,
            holder_id=holder_id,
            currency="EUR",
            amount_minor=amount,
            kind=LedgerKind.SESSION_CHARGE,
            reference=ref,
        )
        after = balance(s, kind, holder_id, "EUR")
    assert posted is not None
    # bonus first, seen inside the transaction that holds the wallet
    spent_bonus = before.bonus_minor - after.bonus_minor
    if spent_bonus != min(amount, before.bonus_minor):
        tally.errors.append(
            f"{ref}: bonus {before.bonus_minor}, charge {amount}, spent {spent_bonus}"
        )
    tally.deltas[(kind, holder_id)] -= amount
    tally.posted += 1


def _refund(net: Network, tally: Tally, rng: random.Random, ref: str) -> None:
    kind, holder_id = rng.choice(net.holders)
    amount = rng.randint(1, 4000)
    try:
        with db.session_scope() as s:
            refund_paid(
                s,
                organisation_id=net.organisation_id,
                holder_kind=kind,
                holder_id=holder_id,
                currency="EUR",
                amount_minor=amount,
                reference=ref,
                reason="test refund",
                created_by="test",
            )
            if balance(s, kind, holder_id, "EUR").paid_minor < 0:
                tally.errors.append(f"{ref}: a refund took the paid balance below zero")
    except LedgerError:
        tally.refused["refund"] += 1
        return
    tally.deltas[(kind, holder_id)] -= amount
    tally.posted += 1


def _redeem(net: Network, tally: Tally, rng: random.Random) -> None:
    plan = rng.choice(VOUCHERS)
    kind, holder_id = rng.choice(net.holders)
    try:
        with db.session_scope() as s:
            redeem(s, code=plan.code.lower(), holder_kind=kind, holder_id=holder_id)
    except VoucherRefused as refused:
        tally.refused[refused.reason] += 1
        return
    tally.redeemed[(plan.code, (kind, holder_id))] += 1
    if plan.kind == "value":
        tally.deltas[(kind, holder_id)] += plan.value_minor
        tally.posted += 1


def _worker(net: Network, index: int, count: int, start: threading.Barrier, tally: Tally) -> None:
    rng = random.Random(1000 + index)
    start.wait()
    for i in range(count):
        ref = f"t{index}:{i}"
        roll = rng.random()
        try:
            if roll < 0.30:
                _top_up(net, tally, rng, f"top_up:{ref}")
            elif roll < 0.36:
                _top_up(net, tally, rng, f"top_up:shared:{rng.randrange(SHARED_TOP_UPS)}")
            elif roll < 0.40 and i > 0:
                _top_up(net, tally, rng, f"top_up:t{index}:{rng.randrange(i)}")  # a retry
            elif roll < 0.70:
                _charge(net, tally, rng, f"session:{ref}")
            elif roll < 0.82:
                _refund(net, tally, rng, f"refund:{ref}")
            else:
                _redeem(net, tally, rng)
        except Exception as exc:  # every failure is reported by the test
            tally.errors.append(f"{ref}: {type(exc).__name__}: {exc}")


def _run(net: Network) -> list[Tally]:
    tallies = [Tally() for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    share = [OPERATIONS // THREADS + (1 if i < OPERATIONS % THREADS else 0) for i in range(THREADS)]
    threads = [
        threading.Thread(target=_worker, args=(net, i, share[i], start, tallies[i]))
        for i in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    assert sum(share) == OPERATIONS
    return tallies


@pytest.mark.timeout(120)
def test_a_thousand_concurrent_operations_keep_every_wallet_equal_to_its_ledger(
    network: Network,
) -> None:
    tallies = _run(network)
    errors = [e for t in tallies for e in t.errors]
    assert errors == []

    expected: Counter[Holder] = Counter()
    redeemed: Counter[tuple[str, Holder]] = Counter()
    for tally in tallies:
        expected.update(tally.deltas)
        redeemed.update(tally.redeemed)
    posted = sum(t.posted for t in tallies)
    refused: Counter[str] = Counter()
    for tally in tallies:
        refused.update(tally.refused)

    with db.read_session() as s:
        _check_wallets(s, network, expected)
        _check_transactions(s, posted)
        _check_vouchers(s, redeemed)
    # the run exercised what it claims to: repeats, refused refunds, used-up codes
    assert refused["repeat"] > 0 and refused["refund"] > 0
    assert refused["used_up"] > 0 and refused["already_redeemed"] > 0
    assert refused["not_eligible"] > 0


def _check_wallets(s, net: Network, expected: Counter[Holder]) -> None:
    for kind, holder_id in net.holders:
        wallet = balance(s, kind, holder_id, "EUR")
        raw = s.execute(
            select(LedgerEntry.bucket, func.sum(LedgerEntry.amount_minor))
            .join(LedgerAccount, col(LedgerAccount.id) == col(LedgerEntry.account_id))
            .where(
                col(LedgerAccount.kind) == AccountKind.WALLET,
                col(LedgerAccount.holder_kind) == kind,
                col(LedgerAccount.holder_id) == holder_id,
            )
            .group_by(col(LedgerEntry.bucket))
        ).all()
        sums = {str(bucket): int(total) for bucket, total in raw}
        assert (wallet.paid_minor, wallet.bonus_minor) == (
            sums.get("paid", 0),
            sums.get("bonus", 0),
        )
        assert wallet.total_minor == expected[(kind, holder_id)], (kind, holder_id)
        assert wallet.bonus_minor >= 0


def _check_transactions(s, posted: int) -> None:
    assert s.execute(select(func.count()).select_from(LedgerTransaction)).scalar_one() == posted
    unbalanced = s.execute(
        select(LedgerEntry.transaction_id, LedgerEntry.bucket)
        .group_by(col(LedgerEntry.transaction_id), col(LedgerEntry.bucket))
        .having(func.sum(LedgerEntry.amount_minor) != 0)
    ).all()
    assert unbalanced == []
    empty = s.execute(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(~col(LedgerTransaction.id).in_(select(LedgerEntry.transaction_id)))
    ).scalar_one()
    assert empty == 0
    shared = s.execute(
        select(func.count())
        .select_from(LedgerTransaction)
        .where(col(LedgerTransaction.reference).like("top_up:shared:%"))
    ).scalar_one()
    assert 0 < shared <= SHARED_TOP_UPS


def _check_vouchers(s, redeemed: Counter[tuple[str, Holder]]) -> None:
    plans = {plan.code: plan for plan in VOUCHERS}
    rows = s.execute(
        select(Voucher.code, VoucherRedemption.holder_kind, VoucherRedemption.holder_id).join(
            Voucher, col(Voucher.id) == col(VoucherRedemption.voucher_id)
        )
    ).all()
    stored = Counter((str(code), (str(kind), int(i))) for code, kind, i in rows)
    assert stored == redeemed
    per_voucher: dict[str, int] = defaultdict(int)
    for (code, _holder), n in stored.items():
        assert n <= plans[code].per_holder_limit
        per_voucher[code] += n
    for voucher in s.execute(select(Voucher)).scalars():
        plan = plans[voucher.code]
        assert voucher.redemption_count == per_voucher[voucher.code]
        if plan.max_redemptions is not None:
            assert voucher.redemption_count <= plan.max_redemptions
    used_up = [p.code for p in VOUCHERS if p.max_redemptions is not None and p.max_redemptions <= 5]
    for code in used_up:  # the small codes were fought over: exactly full, never more
        assert per_voucher[code] == plans[code].max_redemptions
