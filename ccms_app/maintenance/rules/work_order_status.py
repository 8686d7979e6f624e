"""Which status moves a work order may make, and who may make them.

open -> assigned -> in_progress -> on_hold -> resolved -> closed. A technician works an order
assigned to them: whoever else wants to work it claims it first (the claim is recorded, so
taking over is visible). Closing and reopening are a supervisor's moves and need no
assignment. CCMS itself closes a resolved order it verified, or sends it back to in_progress
when the fault came back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ccms_app.core.i18n import N_, gettext, reader_language, tr
from ccms_app.maintenance.work_orders.models import WorkOrderStatus as S


class WorkAction(StrEnum):
    CLAIM = "claim"  # assign to me (open -> assigned; a running order keeps its status)
    START = "start"
    HOLD = "hold"
    RESUME = "resume"
    RESOLVE = "resolve"
    CLOSE = "close"
    REOPEN = "reopen"


# Every status move a work order can make (from -> allowed targets).
MOVES: dict[str, frozenset[str]] = {
    S.OPEN: frozenset({S.ASSIGNED, S.IN_PROGRESS, S.CLOSED}),
    S.ASSIGNED: frozenset({S.OPEN, S.IN_PROGRESS, S.CLOSED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.RESOLVED, S.CLOSED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS, S.CLOSED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS, S.OPEN}),
    S.CLOSED: frozenset({S.IN_PROGRESS, S.OPEN}),
}

# Statuses in which someone still has to do something (lists, "my work orders", overdue).
ACTIVE_STATUSES: frozenset[str] = frozenset({S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD})
# Not finished for the fault's sake: resolved waits for CCMS's verification.
UNFINISHED_STATUSES: frozenset[str] = ACTIVE_STATUSES | {S.RESOLVED}

# From which statuses each action may be taken.
_FROM: dict[WorkAction, frozenset[str]] = {
    WorkAction.CLAIM: frozenset({S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD}),
    WorkAction.START: frozenset({S.OPEN, S.ASSIGNED}),
    WorkAction.HOLD: frozenset({S.IN_PROGRESS}),
    WorkAction.RESUME: frozenset({S.ON_HOLD}),
    WorkAction.RESOLVE: frozenset({S.IN_PROGRESS}),
    WorkAction.CLOSE: frozenset({S.OPEN, S.ASSIGNED, S.IN_PROGRESS, S.ON_HOLD, S.RESOLVED}),
    WorkAction.REOPEN: frozenset({S.RESOLVED, S.CLOSED}),
}

# Actions only the assignee takes (anyone else claims the order first).
_ASSIGNEE_ONLY = frozenset({WorkAction.HOLD, WorkAction.RESUME, WorkAction.RESOLVE})

LABELS: dict[str, str] = {
    S.OPEN: N_("Open"),
    S.ASSIGNED: N_("Assigned"),
    S.IN_PROGRESS: N_("In progress"),
    S.ON_HOLD: N_("On hold"),
    S.RESOLVED: N_("Resolved"),
    S.CLOSED: N_("Closed"),
}


class TransitionError(ValueError):
    """The move is not possible now; the message says why in the technician's words."""


@dataclass(frozen=True)
class Move:
    """What an action does: the new status (may equal the old one) and the new assignee."""

    to_status: str
    assignee_account_id: int | None


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in MOVES.get(from_status, frozenset())


def status_label(status: str) -> str:
    return LABELS.get(status, status)


def decide(
    action: WorkAction,
    status: str,
    assignee_account_id: int | None,
    actor_account_id: int,
    *,
    has_assignee: bool = True,
) -> Move:
    """What `action` by the account `actor_account_id` (0 = an API key) does to an order in
    `status` assigned to `assignee_account_id`; TransitionError when it may not.

    `has_assignee` False reopens an order to open rather than in_progress (nobody on it).
    """
    if status not in _FROM[action]:
        raise TransitionError(_refused(action, _status_in_sentence(status)))
    mine = assignee_account_id is not None and assignee_account_id == actor_account_id
    if action in _ASSIGNEE_ONLY and assignee_account_id is not None and not mine:
        raise TransitionError(tr("This work order is assigned to someone else: claim it first."))
    if action is WorkAction.CLAIM:
        if not actor_account_id:
            raise TransitionError(tr("Only a person can claim a work order (not an API key)."))
        if mine:
            raise TransitionError(tr("This work order is already yours."))
        target = S.ASSIGNED if status == S.OPEN else status
        return Move(target, actor_account_id)
    if action is WorkAction.START:
        if assignee_account_id is not None and not mine:
            raise TransitionError(
                tr("This work order is assigned to someone else: claim it first.")
            )
        return Move(S.IN_PROGRESS, assignee_account_id or (actor_account_id or None))
    if action is WorkAction.HOLD:
        return Move(S.ON_HOLD, assignee_account_id)
    if action in (WorkAction.RESUME,):
        return Move(S.IN_PROGRESS, assignee_account_id)
    if action is WorkAction.RESOLVE:
        return Move(S.RESOLVED, assignee_account_id)
    if action is WorkAction.CLOSE:
        return Move(S.CLOSED, assignee_account_id)
    target = S.IN_PROGRESS if (has_assignee and assignee_account_id is not None) else S.OPEN
    return Move(target, assignee_account_id)


def available_actions(
    status: str, assignee_account_id: int | None, actor_account_id: int
) -> list[str]:
    """The actions the page offers this person now (the server decides again on each)."""
    offered = []
    for action in WorkAction:
        try:
            decide(action, status, assignee_account_id, actor_account_id)
        except TransitionError:
            continue
        offered.append(action.value)
    return offered


def _status_in_sentence(status: str) -> str:
    """The status's label inside a sentence: lower case in English ("that is in progress")."""
    label = status_label(status)
    shown = gettext(reader_language(), label)
    return shown.lower() if shown == label else shown


def _refused(action: WorkAction, status: str) -> str:
    """Why `action` cannot be taken in `status` (its label), as a whole sentence."""
    if action is WorkAction.CLAIM:
        return tr("A work order that is {status} cannot be claimed.", status=status)
    if action is WorkAction.START:
        return tr("A work order that is {status} cannot be started.", status=status)
    if action is WorkAction.HOLD:
        return tr("A work order that is {status} cannot be put on hold.", status=status)
    if action is WorkAction.RESUME:
        return tr("A work order that is {status} cannot be resumed.", status=status)
    if action is WorkAction.RESOLVE:
        return tr("A work order that is {status} cannot be resolved.", status=status)
    if action is WorkAction.CLOSE:
        return tr("A work order that is {status} cannot be closed.", status=status)
    return tr("A work order that is {status} cannot be reopened.", status=status)
