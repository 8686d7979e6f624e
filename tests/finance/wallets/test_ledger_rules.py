"""Properties of the pure ledger rules (finance/rules/ledger.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ccms_app.finance.rules import ledger as rules

amounts = st.integers(min_value=0, max_value=10**9)
balances = st.integers(min_value=-(10**9), max_value=10**9)


@given(amounts, balances)
def test_a_charge_is_split_exactly_bonus_first(amount: int, bonus: int) -> None:
    split = rules.split_charge(amount, bonus)
    assert split.from_bonus + split.from_paid == amount
    assert 0 <= split.from_bonus <= max(bonus, 0)
    assert split.from_paid >= 0
    # paid money is touched only once the bonus is used up
    assert split.from_paid == 0 or split.from_bonus == max(bonus, 0)


@given(st.lists(st.tuples(st.sampled_from(["EUR", "PLN"]), balances), max_size=12))
def test_postings_with_their_counter_entries_always_balance(
    postings: list[tuple[str, int]],
) -> None:
    mirrored = postings + [(currency, -amount) for currency, amount in postings]
    assert rules.unbalanced_currencies(mirrored) == []


@given(st.lists(balances, min_size=1, max_size=12), balances)
def test_an_extra_amount_unbalances_exactly_its_currency(amounts: list[int], extra: int) -> None:
    postings = [("EUR", a) for a in amounts] + [("EUR", -sum(amounts) + extra), ("PLN", 0)]
    assert rules.unbalanced_currencies(postings) == ([] if extra == 0 else ["EUR"])


@given(st.integers(min_value=-(10**6), max_value=10**6), balances)
def test_a_refund_never_exceeds_the_paid_balance(amount: int, paid: int) -> None:
    problem = rules.refund_problem(amount, paid)
    assert (problem is None) == (0 < amount <= paid)


@given(st.integers(min_value=-(10**6), max_value=10**6), amounts, st.sampled_from(rules.BUCKETS))
def test_an_adjustment_never_takes_a_bucket_below_zero(
    amount: int, current: int, bucket: str
) -> None:
    problem = rules.adjustment_problem(amount, bucket, current)
    assert (problem is None) == (amount != 0 and current + amount >= 0)


def test_an_adjustment_names_its_bucket() -> None:
    assert rules.adjustment_problem(100, "gold", 0) == "Choose the bucket: paid or bonus."


def test_a_reason_is_mandatory_and_bounded() -> None:
    assert rules.reason_problem("  ") is not None
    assert rules.reason_problem("x" * 501) == "At most 500 characters."
    assert rules.reason_problem("bank transfer 2026-03-01") is None


@given(st.lists(balances, max_size=20), balances)
def test_running_balances_end_at_the_sum(amounts: list[int], opening: int) -> None:
    running = rules.running_balances(amounts, opening)
    assert len(running) == len(amounts)
    assert (running[-1] if running else opening) == opening + sum(amounts)
