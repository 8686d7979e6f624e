"""A shift's sessions end together: what one alarm-engine batch of N ended sessions costs.

The alarm worker hands the engine every bus event of a moment; each ended session is a
candidate for closing its connector's failed-starts alarm. On a fresh migrated SQLite
database: N registered charge points with three finished sessions of history each, and one
batch that ends N more. Printed: the engine's time for that batch (median of three after a
warm-up), with the code as it is and, with `--baseline GIT_REF`, with the engine module
committed at GIT_REF, both in the same run on the same rows (the batch closes nothing, so
repeating it measures the same work).

    .venv/bin/python bench/alarm_session_ends.py [--sessions 1000] [--baseline c008c32^]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

from sqlalchemy import insert

if __package__ in (None, ""):  # run as a script: `bench` is importable from the project root
    sys.path.append(str(Path(__file__).resolve().parents[1]))

from ccms_app.accounts.models import Organisation
from ccms_app.charging.models import ChargingSession
from ccms_app.core import db
from ccms_app.core.events import NetworkEvent
from ccms_app.core.migrations import upgrade_database
from ccms_app.maintenance.alarms import engine
from ccms_app.network.models import ChargePoint

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ENGINE_PATH = "ccms_app/maintenance/alarms/engine.py"
ROUNDS = 4  # the first is a warm-up
Apply = Callable[[Sequence[NetworkEvent], datetime], list[NetworkEvent]]


def seed(sessions: int, now: datetime) -> list[NetworkEvent]:
    """The charge points, their history, and the batch's events (one ended session each)."""
    with db.get_engine().begin() as conn:
        org = conn.execute(insert(Organisation).values(name="Shift", created_at=now)).lastrowid
        conn.execute(
            insert(ChargePoint),
            [
                {
                    "organisation_id": org,
                    "identity": f"SHIFT-{i:05d}",
                    "registration_state": "registered",
                    "created_at": now,
                }
                for i in range(sessions)
            ],
        )
        conn.execute(
            insert(ChargingSession),
            [
                {
                    "organisation_id": org,
                    "charge_point_id": cp + 1,
                    "connector_id": 1,
                    "id_tag": "SHIFT",
                    "status": "completed",
                    "start_time": now - timedelta(hours=4 - hour),
                    "stop_time": now - timedelta(hours=3 - hour),
                    "meter_start_wh": 0,
                    "meter_stop_wh": 9_000,
                    "energy_wh": 9_000,
                }
                for hour in range(4)  # three of history, then the shift that just ended
                for cp in range(sessions)
            ],
        )
    first_ended = 3 * sessions + 1
    return [
        NetworkEvent("session", cp + 1, "", {"transaction_id": first_ended + cp, "stopped": True})
        for cp in range(sessions)
    ]


def engine_at(ref: str, workdir: Path) -> ModuleType:
    """The engine module as committed at `ref` (the rest of the code is today's)."""
    source = subprocess.run(
        ["git", "show", f"{ref}:{ENGINE_PATH}"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = workdir / "engine_baseline.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("engine_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--baseline", metavar="GIT_REF", help="also time the engine at GIT_REF")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="alarm-session-ends-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'ccms.db'}"
        upgrade_database(url)
        db.set_engine(db.make_engine(url))
        events = seed(args.sessions, now)
        runs: dict[str, Apply] = {"this code": engine.apply_events}
        if args.baseline:
            runs[f"engine at {args.baseline}"] = engine_at(args.baseline, Path(tmp)).apply_events
        times: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(ROUNDS):  # alternating, so both see the same machine
            for name, apply in runs.items():
                began = time.perf_counter()
                apply(events, now)
                times[name].append(time.perf_counter() - began)
        print(f"one alarm-engine batch of {args.sessions:,} ended sessions (SQLite)")
        medians = {name: statistics.median(values[1:]) * 1000 for name, values in times.items()}
        for name, ms in medians.items():
            print(f"  {name:<32} {ms:9.1f} ms")
        if args.baseline:
            ratio = medians["this code"] / medians[f"engine at {args.baseline}"]
            print(f"  {'this code / baseline':<32} {ratio:9.2f}x")


if __name__ == "__main__":
    main()
