"""The network bench/analytics.py measures: seeded straight into a migrated SQLite file.

At scale 1.0: one operator and two sub-operators, 20 operation areas, 1,000 stations (each
area in one of four time zones), 5,000 charge points with one or two connectors, 1,000,000
ended sessions over three years before NOW (more in daytime and on weekdays, the network
growing; durations 20 min to 10 h, 5 to 80 kWh) with their final costs in EUR, and about
10 register readings per session (10,000,000 meter samples), plus a few sessions running at
NOW. Counts scale with `scale`; the generator is seeded, so a scale always gives the same
rows.

Rows go in through sqlite3 itself (executemany, synchronous OFF), with the indexes the
migration made: the ORM would spend an hour on ten million rows. Sessions are written in
start order, so their ids grow with time as the OCPP server hands them out.
"""

from __future__ import annotations

import json
import math
import random
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from ccms_app.charging.rules.metering import ENERGY_REGISTER

SEED_VERSION = 1  # bump when the rows change: cached databases of another version are seeded again
NOW = datetime(2026, 3, 15, 20, 0, tzinfo=UTC)  # 21:00 in Berlin: "today" has sessions
HISTORY_DAYS = 3 * 365 + 1
OPERATOR_ZONE = "Europe/Berlin"
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC")
FULL = {"areas": 20, "stations": 1_000, "charge_points": 5_000, "sessions": 1_000_000}
SAMPLES_PER_SESSION = (8, 12)  # uniform: 10 on average
VAT = 0.19
COMMIT_EVERY = 50_000  # sessions per transaction
# Relative number of sessions starting in each local hour: few at night, most by day.
HOUR_WEIGHTS = (1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 9, 9, 9, 9, 10, 11, 12, 12, 10, 8, 6, 4, 2)
WEEKDAY_WEIGHTS = (1.1, 1.1, 1.1, 1.1, 1.1, 0.8, 0.7)  # Monday first


@dataclass(frozen=True)
class Seeded:
    """What was written (kept next to the database file, so a cached one is reused)."""

    version: int
    scale: float
    operator_id: int
    organisation_ids: list[int]
    areas: int
    stations: int
    charge_points: int
    connectors: int
    sessions: int
    running: int
    meter_samples: int
    last_session_id: int  # sessions after it were added by a bench run: removed on reuse
    busy_station_id: int
    busy_area_id: int
    busy_charge_point_id: int
    seconds: float


@dataclass(frozen=True)
class ChargePointRow:
    id: int
    organisation_id: int
    station_id: int
    zone: str
    connectors: int
    dc: bool


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def read_seeded(path: Path) -> Seeded | None:
    """The summary of a database seeded earlier at `path`, if it is complete and current."""
    info = sidecar(path)
    if not path.exists() or not info.exists():
        return None
    seeded = Seeded(**json.loads(info.read_text()))
    return seeded if seeded.version == SEED_VERSION else None


def write_seeded(path: Path, seeded: Seeded) -> None:
    sidecar(path).write_text(json.dumps(asdict(seeded), indent=1))


def connect(path: Path) -> sqlite3.Connection:
    """A raw connection for bulk writing: no fsync, WAL (as CCMS opens the file)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-262144")  # 256 MB: the indexes stay in memory while seeding
    conn.execute("PRAGMA temp_store=MEMORY")
    return conn


def text(moment: datetime) -> str:
    """A UTC datetime as SQLAlchemy's SQLite DATETIME stores it (core/types.py)."""
    return moment.astimezone(UTC).isoformat(" ", "microseconds")[:26]


def scaled(name: str, scale: float, least: int) -> int:
    return max(least, round(FULL[name] * scale))


def seed(path: Path, scale: float) -> Seeded:
    """Write the whole network into the migrated, empty database at `path`."""
    began = time.perf_counter()
    rnd = random.Random(16)
    conn = connect(path)
    try:
        conn.execute("BEGIN")
        orgs = _organisations(conn)
        areas = _areas(conn, orgs, scaled("areas", scale, 3))
        charge_points = _network(conn, rnd, orgs, areas, scale)
        conn.execute("COMMIT")
        writer = SessionWriter(conn, rnd, charge_points)
        total = scaled("sessions", scale, 100)
        writer.history(total)
        running = writer.running(max(1, len(charge_points) // 100))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    busy = charge_points[0]  # the generator favours low ids: the busiest charge point
    return Seeded(
        version=SEED_VERSION,
        scale=scale,
        operator_id=orgs[0],
        organisation_ids=list(orgs),
        areas=len(areas),
        stations=len({cp.station_id for cp in charge_points}),
        charge_points=len(charge_points),
        connectors=sum(cp.connectors for cp in charge_points),
        sessions=total,
        running=running,
        meter_samples=writer.samples,
        last_session_id=writer.last_id,
        busy_station_id=busy.station_id,
        busy_area_id=areas[0][0],
        busy_charge_point_id=busy.id,
        seconds=round(time.perf_counter() - began, 1),
    )


def _organisations(conn: sqlite3.Connection) -> tuple[int, int, int]:
    created = text(NOW - timedelta(days=HISTORY_DAYS + 30))
    ids: list[int] = []
    for name in ("Bench Operator", "Bench North", "Bench South"):  # two sub-operators
        cursor = conn.execute(
            "INSERT INTO organisation (name, parent_id, created_at) VALUES (?, ?, ?)",
            (name, ids[0] if ids else None, created),
        )
        ids.append(int(cursor.lastrowid or 0))
        conn.execute(
            "INSERT INTO billing_profile (organisation_id, currency, vat_percent, rounding, "
            "time_zone, seller_name, seller_address, seller_vat_id, seller_email, logo_path, "
            "updated_at) VALUES (?, 'EUR', '19', 'half_up', ?, ?, '', '', '', '', ?)",
            (ids[-1], OPERATOR_ZONE, name, created),
        )
    return ids[0], ids[1], ids[2]


def _areas(
    conn: sqlite3.Connection, orgs: tuple[int, int, int], count: int
) -> list[tuple[int, int, str]]:
    """(id, organisation, zone) per area: 70 % of them the operator's, the rest split."""
    created = text(NOW - timedelta(days=HISTORY_DAYS))
    found = []
    for i in range(count):
        share = i / count
        org = orgs[0] if share < 0.7 else orgs[1] if share < 0.85 else orgs[2]
        cursor = conn.execute(
            "INSERT INTO operation_area (organisation_id, name, created_at) VALUES (?, ?, ?)",
            (org, f"Area {i:02d}", created),
        )
        found.append((int(cursor.lastrowid or 0), org, ZONES[i % len(ZONES)]))
    return found


def _network(
    conn: sqlite3.Connection,
    rnd: random.Random,
    orgs: tuple[int, int, int],
    areas: Sequence[tuple[int, int, str]],
    scale: float,
) -> list[ChargePointRow]:
    """Stations (round-robin over the areas), five charge points each, 1-2 connectors."""
    created = text(NOW - timedelta(days=HISTORY_DAYS))
    stations = scaled("stations", scale, len(areas))
    per_station = max(1, scaled("charge_points", scale, stations) // stations)
    charge_points: list[ChargePointRow] = []
    for s in range(stations):
        area_id, org, zone = areas[s % len(areas)]
        station_id = conn.execute(
            "INSERT INTO station (organisation_id, area_id, name, address, timezone, "
            "opening_hours, created_at) VALUES (?, ?, ?, ?, ?, '24/7', ?)",
            (org, area_id, f"Station {s:04d}", f"Street {s}", zone, created),
        ).lastrowid
        for _ in range(per_station):
            index = len(charge_points)
            dc = rnd.random() < 0.2
            cp_id = conn.execute(
                "INSERT INTO charge_point (organisation_id, station_id, identity, vendor, model, "
                "serial_number, firmware_version, iccid, imsi, meter_type, meter_serial_number, "
                "max_power_w, registration_state, is_online, status, error_code, "
                "vendor_error_code, firmware_status, diagnostics_status, created_at, "
                "charging_method, phases) VALUES (?, ?, ?, ?, ?, ?, '1.0', '', '', '', '', ?, "
                "'registered', 1, 'Available', 'NoError', '', 'Idle', 'Idle', ?, ?, ?)",
                (
                    org,
                    station_id,
                    f"BENCH-{index:05d}",
                    "Kempower" if dc else "Alfen",
                    "S-Series" if dc else "Eve Double",
                    f"SN{index:07d}",
                    150_000 if dc else 22_000,
                    created,
                    "DC" if dc else "AC",
                    None if dc else 3,
                ),
            ).lastrowid
            connectors = 1 if dc or index % 3 == 0 else 2
            conn.executemany(
                "INSERT INTO connector (organisation_id, charge_point_id, connector_id, "
                "connector_type, max_power_w, status, error_code, vendor_error_code, info) "
                "VALUES (?, ?, ?, ?, ?, 'Available', 'NoError', '', '')",
                [
                    (org, cp_id, c, "CCS2" if dc else "Type2", 150_000 if dc else 22_000)
                    for c in range(1, connectors + 1)
                ],
            )
            charge_points.append(
                ChargePointRow(int(cp_id or 0), org, int(station_id or 0), zone, connectors, dc)
            )
    return charge_points


# --- sessions ----------------------------------------------------------------------------------

_SESSION_SQL = (
    "INSERT INTO charging_session (id, organisation_id, charge_point_id, connector_id, id_tag, "
    "id_tag_status, status, start_time, stop_time, meter_start_wh, meter_stop_wh, energy_wh, "
    "stop_reason, meter_updated_at, flagged, flag_reason) "
    "VALUES (?, ?, ?, ?, ?, 'Accepted', ?, ?, ?, ?, ?, ?, ?, ?, 0, '')"
)
_COST_SQL = (
    "INSERT INTO session_cost (session_id, organisation_id, state, tariff_reason, currency, "
    "total_excl_minor, total_incl_minor, energy_excl_minor, time_excl_minor, "
    "parking_excl_minor, fixed_excl_minor, vat_minor, payment_method, note, breakdown, "
    "priced_at) VALUES (?, ?, 'final', 'Bench tariff', 'EUR', ?, ?, ?, 0, 0, 0, ?, ?, '', "
    "'{}', ?)"
)
_SAMPLE_SQL = (
    "INSERT INTO meter_sample (charge_point_id, connector_id, session_id, timestamp, measurand, "
    "phase, location, context, value, unit, raw_value, raw_unit) "
    f"VALUES (?, ?, ?, ?, '{ENERGY_REGISTER}', NULL, 'Outlet', 'Sample.Periodic', ?, 'Wh', ?, "
    "'Wh')"
)
_PAYMENT = ("rfid", "app", "card", "group account")


@dataclass(frozen=True)
class Planned:
    """A session before it is written: where, when, how much."""

    cp: ChargePointRow
    connector: int
    start: datetime
    stop: datetime
    energy_wh: int
    full_at: float  # share of the session after which the car drew nothing more


class SessionWriter:
    """Writes sessions in start order with their costs and register readings; each
    connector's register keeps counting up from one session to the next."""

    def __init__(
        self, conn: sqlite3.Connection, rnd: random.Random, charge_points: list[ChargePointRow]
    ) -> None:
        self.conn = conn
        self.rnd = rnd
        self.charge_points = charge_points
        self.registers: dict[tuple[int, int], int] = {}
        self.last_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM charging_session")
                           .fetchone()[0])  # fmt: skip
        self.samples = 0
        self.zones = {zone: ZoneInfo(zone) for zone in ZONES}

    def history(self, total: int) -> None:
        """`total` ended sessions over the HISTORY_DAYS local days before NOW."""
        first = (NOW - timedelta(days=HISTORY_DAYS)).date()
        pending: list[Planned] = []
        uncommitted = 0
        self.conn.execute("BEGIN")
        for offset, count in enumerate(_day_counts(first, HISTORY_DAYS, total)):
            day = first + timedelta(days=offset)
            pending.extend(self._plan(day) for _ in range(count))
            ready = [p for p in pending if p.start < _written_before(day)]
            pending = [p for p in pending if p.start >= _written_before(day)]
            self._write(sorted(ready, key=_start))
            uncommitted += len(ready)
            if uncommitted >= COMMIT_EVERY:
                self.conn.execute("COMMIT")
                self.conn.execute("BEGIN")
                uncommitted = 0
        self._write(sorted(pending, key=_start))
        self.conn.execute("COMMIT")

    def recent(self, count: int, since: datetime, until: datetime) -> None:
        """`count` ended sessions starting in [since, until) and stopping before NOW (the
        bench's new sessions, after the roll-up has run)."""
        planned: list[Planned] = []
        while len(planned) < count:
            p = self._plan(since.date(), since, until)
            if p.stop < NOW:
                planned.append(p)
        self.conn.execute("BEGIN")
        self._write(sorted(planned, key=_start))
        self.conn.execute("COMMIT")

    def running(self, count: int) -> int:
        """`count` sessions running at NOW, started up to three hours before (on connector 1
        of the charge points with the highest ids, which the history uses least)."""
        rows = []
        for cp in self.charge_points[-count:]:
            start = NOW - timedelta(minutes=self.rnd.randint(5, 180))
            energy = int((NOW - start).total_seconds() / 3600 * (50_000 if cp.dc else 7_000))
            meter = self.registers.get((cp.id, 1), 1_000_000)
            self.last_id += 1
            rows.append(
                (self.last_id, cp.organisation_id, cp.id, 1, f"TAG{self.last_id % 20_000:05d}",
                 "active", text(start), None, meter, None, energy, "",
                 text(NOW - timedelta(seconds=30)))
            )  # fmt: skip
        self.conn.execute("BEGIN")
        self.conn.executemany(_SESSION_SQL, rows)
        self.conn.execute("COMMIT")
        return len(rows)

    def _plan(
        self, day: date, since: datetime | None = None, until: datetime | None = None
    ) -> Planned:
        rnd = self.rnd
        cp = self.charge_points[int(len(self.charge_points) * rnd.random() ** 1.6)]
        if since is not None and until is not None:
            start = since + (until - since) * rnd.random()
            start = start.replace(microsecond=0)
        else:
            hour = rnd.choices(range(24), HOUR_WEIGHTS)[0]
            local = datetime(day.year, day.month, day.day, hour, rnd.randrange(60),
                             rnd.randrange(60), tzinfo=self.zones[cp.zone])  # fmt: skip
            start = local.astimezone(UTC)
        if cp.dc:
            minutes = rnd.uniform(20, 70)
            energy = minutes / 60 * rnd.uniform(40_000, 120_000)
        else:
            minutes = math.exp(rnd.uniform(math.log(45), math.log(600)))
            energy = minutes / 60 * rnd.uniform(3_700, 11_000)
        stop = start + timedelta(seconds=round(minutes * 60))
        if stop >= NOW and since is None:  # would still be running: a week earlier instead
            start, stop = start - timedelta(days=7), stop - timedelta(days=7)
        connector = rnd.randint(1, cp.connectors)
        energy_wh = int(min(80_000, max(5_000, energy)))
        full_at = 0.6 if cp.dc else rnd.uniform(0.3, 1.0)
        return Planned(cp, connector, start, stop, energy_wh, full_at)

    def _write(self, planned: Sequence[Planned]) -> None:
        sessions: list[tuple[object, ...]] = []
        costs: list[tuple[object, ...]] = []
        samples: list[tuple[object, ...]] = []
        for p in planned:
            self.last_id += 1
            sid = self.last_id
            key = (p.cp.id, p.connector)
            meter = self.registers.get(key, 1_000_000 + p.cp.id * 1_000)
            self.registers[key] = meter + p.energy_wh
            stop = text(p.stop)
            sessions.append(
                (sid, p.cp.organisation_id, p.cp.id, p.connector, f"TAG{sid % 20_000:05d}",
                 "completed", text(p.start), stop, meter, meter + p.energy_wh, p.energy_wh,
                 "EVDisconnected" if sid % 7 else "Local", stop)
            )  # fmt: skip
            price = 59 if p.cp.dc else 39 + sid % 3 * 5  # cents per kWh incl. VAT
            incl = (p.energy_wh * price + 500) // 1000
            excl = round(incl / (1 + VAT))
            costs.append(
                (sid, p.cp.organisation_id, excl, incl, excl, incl - excl,
                 _PAYMENT[sid % len(_PAYMENT)], text(p.stop + timedelta(seconds=2)))
            )  # fmt: skip
            samples.extend(self._readings(p, sid, meter))
        self.conn.executemany(_SESSION_SQL, sessions)
        self.conn.executemany(_COST_SQL, costs)
        self.conn.executemany(_SAMPLE_SQL, samples)
        self.samples += len(samples)

    def _readings(self, p: Planned, sid: int, meter: int) -> Iterator[tuple[object, ...]]:
        """Evenly spaced register readings inside the session: the car draws at a steady
        rate until it is full (`full_at` of the session), then nothing."""
        count = self.rnd.randint(*SAMPLES_PER_SESSION)
        seconds = (p.stop - p.start).total_seconds()
        for n in range(1, count + 1):
            share = n / (count + 1)
            at = p.start + timedelta(seconds=int(seconds * share))
            value = float(meter + round(p.energy_wh * min(1.0, share / p.full_at)))
            yield (p.cp.id, p.connector, sid, text(at), value, f"{value:.0f}")


def _start(planned: Planned) -> datetime:
    return planned.start


def _written_before(day: date) -> datetime:
    """Sessions starting before this instant come before any session of a local day after
    `day` (the earliest zone, UTC+5:30, starts day + 1 at 18:30 UTC on `day`): they can be
    written, their ids in start order."""
    return datetime(day.year, day.month, day.day, 18, tzinfo=UTC)


def _day_counts(first: date, days: int, total: int) -> list[int]:
    """Sessions per day: weekdays busier, the network growing from half to 1.5x its
    average; exactly `total` together."""
    weights = [
        WEEKDAY_WEIGHTS[(first + timedelta(days=d)).weekday()] * (0.5 + d / days)
        for d in range(days)
    ]
    per_weight = total / sum(weights)
    counts, running, done = [], 0.0, 0
    for weight in weights:
        running += weight * per_weight
        counts.append(round(running) - done)
        done += counts[-1]
    counts[-1] += total - done
    return counts


def add_sessions(path: Path, charge_points: list[ChargePointRow], count: int) -> int:
    """`count` new ended sessions in the last three hours before NOW; the last id written."""
    conn = connect(path)
    try:
        writer = SessionWriter(conn, random.Random(1_000 + count), charge_points)
        writer.recent(count, NOW - timedelta(hours=3), NOW - timedelta(minutes=80))
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return writer.last_id
    finally:
        conn.close()


def charge_points_of(path: Path) -> list[ChargePointRow]:
    """The charge points as the writer needs them, read back from a seeded database."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT cp.id, cp.organisation_id, cp.station_id, s.timezone, "
            "(SELECT count(*) FROM connector c WHERE c.charge_point_id = cp.id), "
            "cp.charging_method = 'DC' FROM charge_point cp JOIN station s ON s.id = cp.station_id "
            "ORDER BY cp.id"
        ).fetchall()
    finally:
        conn.close()
    return [
        ChargePointRow(int(i), int(o), int(s), str(z), int(c), bool(d)) for i, o, s, z, c, d in rows
    ]


def reset(path: Path, last_session_id: int) -> int:
    """The database as seeded again: sessions a previous bench run added after the seeded
    ones removed (how many), and the planner statistics of an --analyze run dropped."""
    conn = connect(path)
    try:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM meter_sample WHERE session_id > ?", (last_session_id,))
        conn.execute("DELETE FROM session_cost WHERE session_id > ?", (last_session_id,))
        removed = conn.execute(
            "DELETE FROM charging_session WHERE id > ?", (last_session_id,)
        ).rowcount
        stats = conn.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%'"
        ).fetchall()
        for (name,) in stats:
            conn.execute(f"DROP TABLE {name}")
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(removed)
    finally:
        conn.close()
