"""Logging: key=value text that no charger can forge a line into, and JSON lines on demand."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from ccms_app.core import logging as ccms_logging
from ccms_app.core.logging import JsonFormatter, KeyValueFormatter, configure_logging
from ocpp_server.server import OcppServer
from tests.ocpp_server.fakes import RecordingSink

# No space in it: before escaping, only values with a space were quoted.
FORGED = "CP-1\n2026-01-01T00:00:00\tERROR\tccms\tforged"


def emit(formatter: logging.Formatter, message: str, *args: object, **extra: object) -> str:
    """What one INFO record with these `extra` fields looks like through `formatter`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("tests.core.logging")
    logger.addHandler(handler)
    try:
        logger.warning(message, *args, extra=extra)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_plain_values_stay_bare() -> None:
    line = emit(KeyValueFormatter(), "boot notification", identity="CP-1", count=3, ok=True)

    assert line.endswith(
        " WARNING tests.core.logging boot notification identity=CP-1 count=3 ok=True\n"
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("two words", '"two words"'),
        ('say "hi"', r'"say \"hi\""'),
        ("it's", '"it\'s"'),
        ("a=b", '"a=b"'),
        ("back\\slash", r'"back\\slash"'),
        ("", '""'),
        ("CP\r1", r'"CP\r1"'),
        ("CP\x1b[2J", r'"CP\x1b[2J"'),
        ("CP\u20281", r'"CP\u20281"'),
        ("Zürich", "Zürich"),
    ],
)
def test_values_that_could_blur_the_line_are_quoted_and_escaped(value: str, shown: str) -> None:
    line = emit(KeyValueFormatter(), "refused", identity=value, status=401)

    assert line.endswith(f" refused identity={shown} status=401\n")


def test_a_forged_identity_gives_exactly_one_line() -> None:
    text = emit(KeyValueFormatter(), "connection refused", identity=FORGED, status=400)

    assert len(text.splitlines()) == 1
    assert r'identity="CP-1\n2026-01-01T00:00:00\tERROR\tccms\tforged" status=400' in text


def test_control_characters_in_the_message_are_escaped() -> None:
    text = emit(KeyValueFormatter(), "unknown charge point %s", FORGED)

    assert text.splitlines() == [text.rstrip("\n")]
    assert r"unknown charge point CP-1\n2026-01-01T00:00:00\tERROR" in text


async def test_a_refused_identity_cannot_forge_a_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """End to end: the real OCPP server refuses a URL whose identity decodes to a newline."""
    server = OcppServer(RecordingSink(), response_timeout=5, close_timeout=1)
    await server.start()
    caplog.set_level(logging.INFO, logger="ocpp_server")
    try:
        with pytest.raises(InvalidStatus):  # no ocpp1.6 subprotocol: refused with 400
            async with connect(f"ws://127.0.0.1:{server.port}/ocpp/CP-1%0AFORGED"):
                pass
    finally:
        await server.stop()

    refused = [r for r in caplog.records if r.getMessage() == "connection refused"]
    assert len(refused) == 1 and refused[0].__dict__["identity"] == "CP-1\nFORGED"
    for formatter in (KeyValueFormatter(), JsonFormatter()):
        assert len(formatter.format(refused[0]).splitlines()) == 1
    assert 'identity="CP-1\\nFORGED"' in KeyValueFormatter().format(refused[0])


def test_json_lines_carry_time_level_logger_message_and_extras() -> None:
    text = emit(JsonFormatter(), "connection refused", identity=FORGED, status=400, tls=False)

    assert len(text.splitlines()) == 1
    entry = json.loads(text)
    assert entry["level"] == "WARNING"
    assert entry["logger"] == "tests.core.logging"
    assert entry["message"] == "connection refused"
    assert (entry["identity"], entry["status"], entry["tls"]) == (FORGED, 400, False)
    logged_at = datetime.fromisoformat(entry["time"])
    assert logged_at.utcoffset() == timedelta(0) and entry["time"].endswith("Z")
    assert abs(datetime.now(logged_at.tzinfo) - logged_at) < timedelta(minutes=1)


def test_json_keeps_odd_values_and_tracebacks_on_one_line() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("tests.core.logging.json")
    logger.addHandler(handler)
    try:
        raise ValueError("bad\nframe")
    except ValueError:
        logger.exception("frame rejected", extra={"at": datetime(2026, 1, 2), "line\u2028": "x"})
    finally:
        logger.removeHandler(handler)

    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["at"] == "2026-01-02 00:00:00"
    assert entry["exception"].endswith("ValueError: bad\nframe")
    assert entry["line\u2028"] == "x"


@pytest.fixture
def fresh_root_logging(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """configure_logging as in a new process; the root logger is restored afterwards."""
    root = logging.getLogger()
    monkeypatch.setattr(ccms_logging, "_handler", None)
    monkeypatch.setattr(root, "handlers", list(root.handlers))
    level = root.level
    yield root
    root.setLevel(level)


def test_configure_logging_installs_one_handler_and_switches_format(
    fresh_root_logging: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(fresh_root_logging.handlers)

    configure_logging("INFO", "text")
    configure_logging("WARNING", "json")

    assert len(fresh_root_logging.handlers) == before + 1
    assert fresh_root_logging.level == logging.WARNING
    logging.getLogger("ccms.test").warning("charge point offline", extra={"identity": FORGED})
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["identity"] == FORGED


def test_configure_logging_reads_ccms_log_format(
    fresh_root_logging: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CCMS_LOG_FORMAT", "json")
    ccms_logging.get_settings.cache_clear()
    try:
        configure_logging("INFO")
    finally:
        ccms_logging.get_settings.cache_clear()

    logging.getLogger("ccms.test").info("ready", extra={"web_port": 3000})
    (line,) = capsys.readouterr().err.splitlines()
    assert json.loads(line)["web_port"] == 3000


async def test_scheduler_runs_are_quiet_and_failures_are_not(
    fresh_root_logging: logging.Logger, capsys: pytest.CaptureFixture[str]
) -> None:
    """An idle system's log is not a list of job runs; a failing job still says so."""
    configure_logging("INFO", "text")
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def fine() -> None:
        return None

    async def broken() -> None:
        raise RuntimeError("tariff feed unreachable")

    scheduler.add_job(fine, "date", run_date=datetime.now(UTC))
    scheduler.add_job(broken, "date", run_date=datetime.now(UTC))
    scheduler.start()
    logged = ""
    try:
        for _ in range(250):
            await asyncio.sleep(0.02)
            logged += capsys.readouterr().err
            if "tariff feed unreachable" in logged and not scheduler.get_jobs():
                break
    finally:
        scheduler.shutdown(wait=False)
        await asyncio.sleep(0)
    assert "tariff feed unreachable" in logged
    assert "Running job" not in logged and "executed successfully" not in logged
