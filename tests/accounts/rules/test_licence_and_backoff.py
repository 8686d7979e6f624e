"""Licence terms and login back-off: pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from ccms_app.accounts.rules.licence import (
    LicenceTerms,
    licence_problem,
    registration_problem,
    validate_terms,
)
from ccms_app.accounts.rules.login_backoff import (
    FREE_FAILURES,
    MAX_DELAY_SECONDS,
    WINDOW_SECONDS,
    delay_after,
    wait_remaining,
)

TERMS = LicenceTerms(
    max_charge_points=2, max_connectors=4, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
)


def test_the_licence_is_in_force_on_its_first_and_last_day_only() -> None:
    assert licence_problem(TERMS, date(2026, 1, 1)) is None
    assert licence_problem(TERMS, date(2026, 12, 31)) is None
    assert "ended on 2026-12-31" in str(licence_problem(TERMS, date(2027, 1, 1)))
    assert "starts on 2026-01-01" in str(licence_problem(TERMS, date(2025, 12, 31)))
    assert licence_problem(LicenceTerms(), date(1999, 1, 1)) is None


def test_registration_past_the_limits_says_which_limit() -> None:
    assert registration_problem(TERMS, charge_points=1, connectors=4) is None
    assert "allows 2 charge points and 2 are registered" in str(
        registration_problem(TERMS, charge_points=2, connectors=3)
    )
    assert "allows 4 connectors; this would make 5" in str(
        registration_problem(TERMS, charge_points=0, connectors=5)
    )


def test_terms_that_contradict_themselves_are_refused() -> None:
    with pytest.raises(ValueError, match="end before it starts"):
        validate_terms(LicenceTerms(valid_from=date(2026, 2, 1), valid_to=date(2026, 1, 1)))
    with pytest.raises(ValueError, match="negative"):
        validate_terms(LicenceTerms(max_charge_points=-1))


def test_backoff_is_free_for_typos_then_doubles_up_to_a_cap() -> None:
    assert [delay_after(n) for n in range(FREE_FAILURES)] == [0.0] * FREE_FAILURES
    assert delay_after(FREE_FAILURES) == 2.0
    assert delay_after(FREE_FAILURES + 1) == 4.0
    assert delay_after(100) == MAX_DELAY_SECONDS


def test_wait_remaining_counts_from_the_last_failure_and_forgets_old_ones() -> None:
    assert wait_remaining(FREE_FAILURES + 1, last_failure_at=100.0, now=101.0) == 3.0
    assert wait_remaining(FREE_FAILURES + 1, last_failure_at=100.0, now=110.0) == 0.0
    assert wait_remaining(50, last_failure_at=0.0, now=WINDOW_SECONDS + 1) == 0.0
