"""A property-based run of the whole OpenAPI schema (schemathesis) against the real API.

The web-port app runs in its own process (granian, as `ccms run` serves it) on a migrated
SQLite database with a small network in it, and schemathesis' command line walks every
operation with an Administrator key: examples, boundary values ("coverage") and random
input ("fuzzing"), valid and invalid. It fails on any 500, any answer that breaks the
operation's documented schema, status code or content type, and any operation that accepts
input its schema calls invalid. The seed is fixed so CI is repeatable;
CCMS_FUZZ_SEED=<n> and CCMS_FUZZ_EXAMPLES=<n> explore further.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts import api_keys
from ccms_app.accounts.models import Organisation
from ccms_app.core import db
from ccms_app.network.models import ChargePoint, Connector, OperationArea, Station
from tests.api.rest import free_port

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
    ]
)
# Revoking the run's own key would turn the rest of the run into 401s: tested on its own.
EXCLUDED_OPERATIONS = ["revoke_api_key"]
START_TIMEOUT = 60.0


def _seed(organisation: Organisation) -> None:
    """A little of everything, so GETs of ids 1.. find rows and lists have pages."""
    with db.session_scope() as session:
        sub = Organisation(name="Fuzz Sub", parent_id=organisation.id)
        session.add(sub)
        area = OperationArea(name="North", organisation_id=organisation.id or 0)
        session.add(area)
        session.flush()
        station = Station(name="Depot", organisation_id=organisation.id or 0, area_id=area.id)
        session.add(station)
        session.flush()
        for number in range(3):
            cp = ChargePoint(
                identity=f"CP-FUZZ-{number}",
                organisation_id=organisation.id or 0,
                station_id=station.id,
                registration_state="registered",
            )
            session.add(cp)
            session.flush()
            session.add(
                Connector(
                    charge_point_id=cp.id or 0,
                    connector_id=1,
                    organisation_id=organisation.id or 0,
                )
            )


@pytest.fixture
def served_process(engine: Engine, database_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    env = dict(os.environ)
    env.pop("PYTEST_CURRENT_TEST", None)
    env.update(CCMS_DATABASE_URL=database_url, CCMS_DEMO_FLEET="0", CCMS_LOG_LEVEL="WARNING")
    log = (tmp_path / "api.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable, "-m", "granian", "--interface", "asgi", "--factory",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "ccms_app.api:build_api",
        ],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            with suppress(OSError), urllib.request.urlopen(f"{url}/healthz", timeout=2):
                break
            with suppress(OSError), urllib.request.urlopen(f"{url}/api/v1/openapi.json"):
                break
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def test_no_route_errs_breaks_its_schema_or_accepts_invalid_input(
    served_process: str, organisation: Organisation, tmp_path: Path
) -> None:
    _seed(organisation)
    key = api_keys.create_api_key_from_cli("fuzz", "Administrator", organisation.id).key
    command = [
        str(Path(sys.executable).parent / "schemathesis"), "run",
        f"{served_process}/api/v1/openapi.json",
        "--checks", CHECKS,
        "--header", f"Authorization: Bearer {key}",
        "--phases", "examples,coverage,fuzzing",
        "--max-examples", os.environ.get("CCMS_FUZZ_EXAMPLES", "25"),
        "--seed", os.environ.get("CCMS_FUZZ_SEED", "20261205"),
        "--workers", "2",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--no-color",
        "--output-sanitize", "true",
        *[arg for op in EXCLUDED_OPERATIONS for arg in ("--exclude-operation-id", op)],
    ]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=tmp_path)
    report = run.stdout[-20000:] + run.stderr[-5000:]
    assert run.returncode == 0, report
    assert "No issues found" in run.stdout or "passed" in run.stdout, report
