"""The pure work order rules: status moves and who may make them, SLA due times, plan dates
and coverage, the plan form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ccms_app.maintenance.rules.plans import add_months, covers, next_due, read_plan_form
from ccms_app.maintenance.rules.sla import SlaHours, due_at, is_overdue
from ccms_app.maintenance.rules.work_order_status import (
    MOVES,
    TransitionError,
    WorkAction,
    available_actions,
    can_move,
    decide,
)
from ccms_app.maintenance.work_orders.models import WorkOrderStatus as S

ME, YOU = 7, 8


def test_the_status_chain_and_reopen() -> None:
    assert can_move(S.OPEN, S.ASSIGNED) and can_move(S.ASSIGNED, S.IN_PROGRESS)
    assert can_move(S.IN_PROGRESS, S.ON_HOLD) and can_move(S.ON_HOLD, S.IN_PROGRESS)
    assert can_move(S.IN_PROGRESS, S.RESOLVED) and can_move(S.RESOLVED, S.CLOSED)
    assert can_move(S.RESOLVED, S.IN_PROGRESS) and can_move(S.CLOSED, S.IN_PROGRESS)
    assert not can_move(S.OPEN, S.RESOLVED) and not can_move(S.CLOSED, S.RESOLVED)
    assert not can_move(S.ON_HOLD, S.RESOLVED)
    assert set(MOVES) == set(S)


def test_every_decision_is_a_move_the_chain_allows() -> None:
    for status in S:
        for assignee in (None, ME, YOU):
            for action in WorkAction:
                try:
                    move = decide(action, status, assignee, ME)
                except TransitionError:
                    continue
                assert move.to_status == status or can_move(status, move.to_status), (
                    action,
                    status,
                )


def test_claim_assigns_to_me_and_only_the_assignee_works_the_order() -> None:
    assert decide(WorkAction.CLAIM, S.OPEN, None, ME) == decide(WorkAction.CLAIM, S.OPEN, None, ME)
    move = decide(WorkAction.CLAIM, S.OPEN, None, ME)
    assert (move.to_status, move.assignee_account_id) == (S.ASSIGNED, ME)
    taken = decide(WorkAction.CLAIM, S.IN_PROGRESS, YOU, ME)
    assert (taken.to_status, taken.assignee_account_id) == (S.IN_PROGRESS, ME)
    with pytest.raises(TransitionError, match="already yours"):
        decide(WorkAction.CLAIM, S.ASSIGNED, ME, ME)
    with pytest.raises(TransitionError, match="claim it first"):
        decide(WorkAction.RESOLVE, S.IN_PROGRESS, YOU, ME)
    with pytest.raises(TransitionError, match="claim it first"):
        decide(WorkAction.START, S.ASSIGNED, YOU, ME)
    with pytest.raises(TransitionError, match="not an API key"):
        decide(WorkAction.CLAIM, S.OPEN, None, 0)
    started = decide(WorkAction.START, S.OPEN, None, ME)
    assert (started.to_status, started.assignee_account_id) == (S.IN_PROGRESS, ME)


def test_wrong_moves_say_why_and_reopen_goes_back_to_work() -> None:
    with pytest.raises(TransitionError, match="open cannot be resolved"):
        decide(WorkAction.RESOLVE, S.OPEN, None, ME)
    assert decide(WorkAction.REOPEN, S.CLOSED, ME, YOU).to_status == S.IN_PROGRESS
    assert decide(WorkAction.REOPEN, S.RESOLVED, None, YOU).to_status == S.OPEN
    assert decide(WorkAction.CLOSE, S.RESOLVED, YOU, ME).to_status == S.CLOSED
    assert available_actions(S.IN_PROGRESS, ME, ME) == ["hold", "resolve", "close"]
    assert available_actions(S.IN_PROGRESS, YOU, ME) == ["claim", "close"]
    assert available_actions(S.OPEN, None, ME) == ["claim", "start", "close"]


def test_sla_due_time_per_priority_and_overdue() -> None:
    created = datetime(2025, 1, 10, 8, 0, tzinfo=UTC)
    hours = SlaHours(critical=2, high=8, medium=48, low=100)
    assert due_at("critical", created, hours) == datetime(2025, 1, 10, 10, 0, tzinfo=UTC)
    assert due_at("medium", created, hours) == datetime(2025, 1, 12, 8, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="unknown work order priority"):
        due_at("urgent", created, hours)
    later = datetime(2025, 1, 11, tzinfo=UTC)
    assert is_overdue(created, True, later) and not is_overdue(created, False, later)
    assert not is_overdue(None, True, later)


def test_months_clamp_to_the_month_end() -> None:
    jan31 = datetime(2024, 1, 31, 6, 0, tzinfo=UTC)
    assert add_months(jan31, 1) == datetime(2024, 2, 29, 6, 0, tzinfo=UTC)  # leap year
    assert add_months(jan31, 13) == datetime(2025, 2, 28, 6, 0, tzinfo=UTC)
    assert add_months(jan31, 3) == datetime(2024, 4, 30, 6, 0, tzinfo=UTC)
    assert add_months(datetime(2024, 11, 15, tzinfo=UTC), 2) == datetime(2025, 1, 15, tzinfo=UTC)


def test_next_due_skips_missed_periods_without_drift() -> None:
    due = datetime(2024, 1, 31, tzinfo=UTC)
    assert next_due(due, 1, datetime(2024, 1, 31, 1, tzinfo=UTC)) == datetime(
        2024, 2, 29, tzinfo=UTC
    )
    # Down from February to mid-May: the next one is May 31, counted from Jan 31.
    assert next_due(due, 1, datetime(2024, 5, 15, tzinfo=UTC)) == datetime(2024, 5, 31, tzinfo=UTC)
    assert next_due(due, 6, due) == datetime(2024, 7, 31, tzinfo=UTC)


def test_plan_coverage_by_charge_point_or_vendor_and_model() -> None:
    assert covers(5, "", "", 5, "ACME", "X") and not covers(5, "", "", 6, "ACME", "X")
    assert covers(None, "acme ", "", 6, "ACME", "Anything")
    assert covers(None, "ACME", "wallbox 22", 6, "ACME", "Wallbox 22")
    assert not covers(None, "ACME", "Wallbox 11", 6, "ACME", "Wallbox 22")
    assert not covers(None, "", "", 6, "ACME", "X")


def test_the_plan_form_names_every_wrong_field() -> None:
    checked, errors = read_plan_form({"every_months": "0", "model": "X", "priority": "urgent"})
    assert checked is None
    assert set(errors) == {
        "name",
        "charge_point_id",
        "vendor",
        "every_months",
        "priority",
        "next_due_at",
    }
    checked, errors = read_plan_form(
        {"name": "Yearly", "vendor": "ACME", "every_months": "12", "next_due_at": "2025-03-31"}
    )
    assert errors == {} and checked is not None
    assert checked.next_due_at == datetime(2025, 3, 31, tzinfo=UTC) and checked.priority == "low"
