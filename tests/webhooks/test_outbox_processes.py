"""The outbox shared by several processes on one PostgreSQL database (`ccms ocpp-gateway`
scale-out): a due delivery is claimed by one process's worker only, and each charge point's
deliveries still go one at a time, in the order they were queued.

The processes here are real ones (spawned: each with its own engine and its own
`outbox.CHAIN_LOCK`, which serialises only the threads of one process) on a database of the
test worker's PostgreSQL server. SQLite is one process by design (docs/deploy.md); the other
webhook tests run there.
"""

from __future__ import annotations

import multiprocessing
import random
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.webhooks import outbox, rounds
from ccms_app.webhooks.models import UNDELIVERED, DeliveryState, WebhookDelivery
from ccms_app.webhooks.models import WebhookSubscription as Subscription

if TYPE_CHECKING:
    from tests.fixtures.postgres import PostgresServer, TemplateCopies

LEASE = timedelta(hours=1)  # longer than the test: a claimed delivery is never due again
WAIT_S = 60.0
READ_LATENCY_S = 0.002  # a database over the network (see _database_far_away)
P = ParamSpec("P")
R = TypeVar("R")


@pytest.fixture
def shared_url(postgres: PostgresServer, postgres_copies: TemplateCopies) -> Iterator[str]:
    """A migrated PostgreSQL database of the test's own; this process's engine points at it."""
    name = postgres_copies.take()
    url = postgres.url(name)
    db.set_engine(db.make_engine(url))
    try:
        yield url
    finally:
        db.set_engine(None)
        postgres_copies.give_back(name)


# --- what a process does -----------------------------------------------------------------------


def _delivered(due: rounds.DueDelivery, at: datetime) -> rounds.Outcome:
    return rounds.Outcome(due.id, due.subscription_id, True, at, None, status=200)


def _claim_round(finished: Sequence[rounds.Outcome]) -> list[rounds.DueDelivery]:
    """One worker round: settle `finished`, claim what is due (10 at most, 5 a subscription)."""
    now = utc_now()
    return rounds.settle_and_claim(finished, {}, 5, 10, now, now + LEASE).deliveries


def _claim_until_none_due(finished: Sequence[rounds.Outcome] = ()) -> list[int]:
    """Rounds of a worker whose every attempt is delivered, until one claims nothing: the
    ids it claimed, in order."""
    claimed: list[int] = []
    while due := _claim_round(finished):
        claimed += [d.id for d in due]
        finished = [_delivered(d, utc_now()) for d in due]
    return claimed


def _claim_once() -> list[int]:
    return [d.id for d in _claim_round([])]


def _new(subscription_id: int, charge_point_id: int | None, n: int) -> outbox.NewDelivery:
    identity = f"CP-{charge_point_id}" if charge_point_id is not None else ""
    body = f'{{"n": {n}}}'
    now = utc_now()
    return outbox.NewDelivery(
        subscription_id, f"evt_{n}", "charge_point.status_changed", charge_point_id, identity,
        body, now,
    )  # fmt: skip


def _out_of_order(due: rounds.DueDelivery) -> list[str]:
    """What is wrong with `due` being claimed now: an earlier delivery of its charge point
    not finished, or another one of it pending too (both would go out of order)."""
    if due.charge_point_id is None:
        return []
    with db.read_session() as session:
        chain = session.exec(
            select(WebhookDelivery).where(
                WebhookDelivery.subscription_id == due.subscription_id,
                WebhookDelivery.charge_point_id == due.charge_point_id,
            )
        ).all()
    problems = []
    for row in chain:
        if stored_id(row.id) < due.id and row.state in UNDELIVERED:
            problems.append(f"{due.id} claimed while the earlier {row.id} is {row.state}")
        if stored_id(row.id) > due.id and row.state == DeliveryState.PENDING:
            problems.append(f"{due.id} claimed while the later {row.id} is pending too")
    return problems


def _queue_and_deliver(seed: int, subscription_ids: list[int], rounds_n: int) -> dict[str, Any]:
    """A gateway process under load: its dispatcher queues events of a few charge points,
    its worker delivers them, interleaved; what it claimed and any claim out of order."""
    rng = random.Random(seed)
    claimed: list[int] = []
    problems: list[str] = []
    finished: list[rounds.Outcome] = []
    for n in range(rounds_n):
        batch = [
            _new(rng.choice(subscription_ids), rng.choice((1, 2, 3)), n)
            for _ in range(rng.randint(1, 3))
        ]
        outbox.enqueue(batch, utc_now())
        due = _claim_round(finished)
        for delivery in due:
            problems += _out_of_order(delivery)
        claimed += [d.id for d in due]
        finished = [_delivered(d, utc_now()) for d in due]
    claimed += _claim_until_none_due(finished)
    return {"claimed": claimed, "problems": problems}


# --- running processes -------------------------------------------------------------------------


def _answered_later(read: Callable[P, R]) -> Callable[P, R]:
    def read_later(*args: P.args, **kwargs: P.kwargs) -> R:
        result = read(*args, **kwargs)
        time.sleep(READ_LATENCY_S)
        return result

    return read_later


def _database_far_away() -> None:
    """In a spawned process: the queue's reads (the due deliveries a round claims, the
    charge points with deliveries under way) answer a little later, as from a database over
    the network. Its transaction is open meanwhile: the time in which another process could
    read the same rows, which on a quiet test machine is too short to be hit reliably."""
    rounds._due = _answered_later(rounds._due)
    outbox._busy_chains = _answered_later(outbox._busy_chains)


def _process(
    index: int,
    url: str,
    barrier: Any,
    results: Any,
    job: Callable[..., Any],
    args: tuple[Any, ...],
) -> None:
    """A spawned process: its own engine on `url`; runs `job` once every process is ready."""
    try:
        _database_far_away()
        db.set_engine(db.make_engine(url))
        now = utc_now()
        rounds.settle_and_claim([], {}, 0, 0, now, now)  # connected, statements compiled
        barrier.wait(timeout=WAIT_S)
        results.put((index, True, job(*args)))
    except BaseException:
        results.put((index, False, traceback.format_exc()))
    finally:
        db.set_engine(None)


class Processes:
    """CCMS processes started on one database, each running one job."""

    def __init__(self, url: str, jobs: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]):
        context = multiprocessing.get_context("spawn")
        # Kept here: a started process drops its arguments, and a semaphore collected before
        # the spawned process opens it is gone.
        self._barrier = context.Barrier(len(jobs))
        self._results = context.Queue()
        self._processes = [
            context.Process(
                target=_process,
                args=(i, url, self._barrier, self._results, job, args),
                daemon=True,
            )
            for i, (job, args) in enumerate(jobs)
        ]
        for process in self._processes:
            process.start()

    def results(self) -> list[Any]:
        """Each job's result, in the order of the jobs (a failed job fails the test)."""
        done: dict[int, Any] = {}
        try:
            for _ in self._processes:
                index, ok, value = self._results.get(timeout=WAIT_S * 2)
                if not ok:
                    pytest.fail(f"process {index} failed:\n{value}")
                done[index] = value
        finally:
            for process in self._processes:
                process.join(timeout=10)
                if process.is_alive():
                    process.kill()
        return [done[i] for i in range(len(self._processes))]


# --- the database ------------------------------------------------------------------------------


def _subscriptions(count: int) -> list[int]:
    with db.session_scope() as session:
        organisation = Organisation(name="Scale-out Operator")
        session.add(organisation)
        session.flush()
        rows = [
            Subscription(
                organisation_id=stored_id(organisation.id),
                name=f"ERP {n}",
                url=f"http://127.0.0.1:9/{n}",
                secret="s" * 32,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [stored_id(row.id) for row in rows]


def _all_deliveries() -> list[WebhookDelivery]:
    with Session(db.get_engine()) as session:
        return list(session.exec(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).all())


def _waiting_on_a_lock() -> bool:
    """Whether another connection to this database waits for a lock (row or advisory)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with db.get_engine().connect() as connection:
        return bool(connection.execute(query).scalar_one())


def _twice(claims: Sequence[int]) -> list[int]:
    return sorted(i for i, times in Counter(claims).items() if times > 1)


# --- the tests ---------------------------------------------------------------------------------


def test_a_process_waits_for_the_other_ones_round_and_sees_its_leases(
    shared_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """This process's round stops after writing its leases, before its commit; a second
    process's round meanwhile must wait, and then find those deliveries leased, not due."""
    (subscription_id,) = _subscriptions(1)
    outbox.enqueue([_new(subscription_id, None, n) for n in range(8)], utc_now())
    leased, go_on = threading.Event(), threading.Event()
    next_due = rounds._next_due  # the round's last step, after the claim's flush

    def after_the_leases(session: Session, subscription_ids: list[int]) -> datetime | None:
        leased.set()
        go_on.wait(WAIT_S)
        return next_due(session, subscription_ids)

    monkeypatch.setattr(rounds, "_next_due", after_the_leases)
    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(_claim_once)
        assert leased.wait(WAIT_S)
        second = Processes(shared_url, [(_claim_once, ())])
        deadline = time.monotonic() + WAIT_S
        while not _waiting_on_a_lock() and time.monotonic() < deadline:
            time.sleep(0.02)
        go_on.set()
        mine = first.result(timeout=WAIT_S)
    (theirs,) = second.results()
    assert len(mine) == 5  # the subscription's 5 slots
    assert not set(mine) & set(theirs), f"claimed by both processes: {set(mine) & set(theirs)}"
    assert len(theirs) == 3  # only the 3 left due


def test_due_deliveries_are_claimed_once_across_processes(shared_url: str) -> None:
    subscription_ids = _subscriptions(2)
    queued = [_new(subscription_ids[n % 2], None, n) for n in range(400)]
    outbox.enqueue(queued, utc_now())
    first, second = Processes(
        shared_url, [(_claim_until_none_due, ()), (_claim_until_none_due, ())]
    ).results()
    claims = first + second
    assert first and second  # both took part
    assert _twice(claims) == [], "deliveries claimed by both processes"
    assert sorted(claims) == [stored_id(row.id) for row in _all_deliveries()]
    assert {row.state for row in _all_deliveries()} == {DeliveryState.DELIVERED}


def test_each_charge_point_keeps_its_order_while_processes_queue_and_deliver(
    shared_url: str,
) -> None:
    """Two processes queue events of the same charge points and deliver them, interleaved:
    a delivery is claimed only after its charge point's earlier ones are finished, once, and
    no chain is left waiting behind nothing."""
    subscription_ids = _subscriptions(2)
    first, second = Processes(
        shared_url,
        [
            (_queue_and_deliver, (1, subscription_ids, 60)),
            (_queue_and_deliver, (2, subscription_ids, 60)),
        ],
    ).results()
    assert first["problems"] + second["problems"] == []
    claims = first["claimed"] + second["claimed"] + _claim_until_none_due()
    assert _twice(claims) == [], "deliveries claimed by both processes"
    rows = _all_deliveries()
    stuck = [(row.id, row.state) for row in rows if row.state != DeliveryState.DELIVERED]
    assert stuck == [], "deliveries left undelivered (a chain waiting behind nothing?)"
    assert sorted(claims) == [stored_id(row.id) for row in rows]
