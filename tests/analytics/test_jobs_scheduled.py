"""The server keeps the analytics current: the roll-up and the power samples are scheduled
when the network runtime starts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.engine import Engine

from ccms_app.analytics.power_samples import SAMPLE_JOB
from ccms_app.analytics.rollup import ROLLUP_JOB
from ccms_app.core.config import Settings
from ccms_app.core.scheduler import get_scheduler
from ccms_app.runtime import network_runtime


async def test_roll_up_and_samples_run_on_the_scheduler(engine: Engine, database_url: str) -> None:
    settings = Settings(database_url=database_url, ocpp_host="127.0.0.1", ocpp_port=0)
    async with network_runtime(settings):
        rollup = get_scheduler().get_job(ROLLUP_JOB)
        samples = get_scheduler().get_job(SAMPLE_JOB)
        assert rollup is not None and rollup.trigger.interval == timedelta(minutes=1)
        assert samples is not None and samples.trigger.interval == timedelta(minutes=5)
