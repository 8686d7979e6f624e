import asyncio
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db_writer import FILLED, DbWriter


async def test_units_share_batches_and_a_failing_unit_loses_nobody_elses_data(engine) -> None:
    writer = DbWriter()
    await writer.start()

    def add(name: str):
        def work(session: Session) -> str:
            session.add(Organisation(name=name))
            session.flush()
            return name

        return work

    def boom(session: Session) -> None:
        session.add(Organisation(name="half-written"))
        session.flush()
        raise RuntimeError("bad message")

    results = await asyncio.gather(
        *(writer.run(add(f"org-{i}")) for i in range(50)),
        writer.run(boom),
        return_exceptions=True,
    )
    await writer.stop()
    assert results[:50] == [f"org-{i}" for i in range(50)]
    assert isinstance(results[50], RuntimeError)
    with Session(engine) as session:
        names = set(session.exec(select(Organisation.name)).all())
    assert names == {f"org-{i}" for i in range(50)}
    assert writer.batches < writer.units  # units were grouped into shared commits


async def test_run_before_start_is_an_error(engine) -> None:
    with pytest.raises(RuntimeError, match="not started"):
        await DbWriter().run(lambda s: None)


async def test_rows_queued_without_a_unit_are_committed_with_the_next_batch(engine) -> None:
    table = Organisation.__table__  # type: ignore[attr-defined]
    writer = DbWriter()
    await writer.start()

    def boom(session: Session) -> None:
        raise RuntimeError("bad message")

    writer.insert_later(table, {"name": "queued-1", "created_at": datetime.now(UTC)})
    failing = asyncio.ensure_future(writer.run(boom))
    writer.insert_later(table, {"name": "queued-2", "created_at": datetime.now(UTC)})
    await writer.run(lambda s: None)  # rows queued before a unit are committed no later than it
    with Session(engine) as session:
        names = set(session.exec(select(Organisation.name)).all())
    assert names == {"queued-1", "queued-2"}  # the failing unit in their batch lost nothing
    with pytest.raises(RuntimeError, match="bad message"):
        await failing
    await writer.stop()


async def test_the_batch_loader_sees_the_hints_of_each_batch(engine) -> None:
    writer = DbWriter()
    seen: list[list[object]] = []
    writer.set_batch_loader(lambda session, hints: seen.append(hints))
    await writer.start()
    await asyncio.gather(*(writer.run(lambda s: None, hint=n) for n in range(5)))
    await writer.run(lambda s: None)  # no hint: the loader is not called
    await writer.stop()
    assert sorted(h for hints in seen for h in hints) == [0, 1, 2, 3, 4]


async def test_a_writer_ahead_of_its_callers_waits_for_a_batch_to_gather(engine) -> None:
    """Charger messages a moment apart share a commit when the writer waits (group commit);
    taken as they come, each is a batch of its own."""
    for wait, batches in ((0.3, 1), (0.0, 2)):
        writer = DbWriter(wait=wait)
        await writer.start()
        first = asyncio.ensure_future(writer.run(lambda s: "first"))
        await asyncio.sleep(0.05)  # the second arrives while the first waits (or is written)
        assert await asyncio.gather(first, writer.run(lambda s: "second")) == ["first", "second"]
        await writer.stop()
        assert (writer.batches, writer.units) == (batches, 2), wait


async def test_a_filled_queue_does_not_wait(engine) -> None:
    writer = DbWriter(wait=30.0)
    await writer.start()
    units = [writer.run(lambda s, n=n: n) for n in range(FILLED + 1)]
    done = await asyncio.wait_for(asyncio.gather(*units), timeout=10.0)  # far below the wait
    await writer.stop()
    assert done == list(range(FILLED + 1)) and writer.batches == 1
