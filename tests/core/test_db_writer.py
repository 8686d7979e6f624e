import asyncio

import pytest
from sqlmodel import Session, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db_writer import DbWriter


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
