"""The report use cases on a real database with the seeded history (seed.py): the figures
are worked out by hand in the comments."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import pytest
from sqlalchemy.engine import Engine

from ccms_app.accounts.models import Organisation
from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.listing import ListQuery
from ccms_app.maintenance.reports import fault_report
from ccms_app.maintenance.reports.filters import (
    ReportFilter,
    ReportInputError,
    filter_from_form,
)
from ccms_app.maintenance.reports.statistics import statistics
from ccms_app.maintenance.reports.uptime import uptime_report
from ccms_app.maintenance.rules.reliability import ReliabilityFigures
from tests.maintenance.reports.seed import NOW, YEAR_START, Seeded, seed, t

HOUR = t(2026, 1, 1, 1) - t(2026, 1, 1)
PERIOD = ReportFilter(since=YEAR_START, until=NOW)


@pytest.fixture
def seeded(engine: Engine, organisation: Organisation) -> Seeded:
    return seed(organisation)


@pytest.fixture
def scope(organisation: Organisation) -> frozenset[int]:
    return organisation_scope(organisation.id or 0)


def test_work_order_counts_by_area_and_station(seeded: Seeded, scope: frozenset[int]) -> None:
    # In 2026-01-01 .. 03-01: WO1 closed, WO2 in progress (due 02-11: overdue), WO3 open
    # (due 03-05), WO4 resolved. Last year's WO5 and the other operator's are not counted.
    counts = statistics(PERIOD, scope, NOW).work_orders
    assert (counts.total, counts.completed, counts.pending, counts.overdue) == (4, 2, 2, 1)
    north = statistics(ReportFilter(area_id=seeded.north, since=YEAR_START), scope, NOW)
    assert (north.work_orders.total, north.work_orders.completed) == (2, 2)
    mall = statistics(ReportFilter(station_id=seeded.mall, since=YEAR_START), scope, NOW)
    w = mall.work_orders
    assert (w.total, w.completed, w.pending, w.overdue) == (2, 0, 2, 1)


def test_faults_by_cause(seeded: Seeded, scope: frozenset[int]) -> None:
    # Faults that began in 2026: connector faulted x2 (CP-RAPID 01-10, CP-MALL 02-10),
    # offline x1, firmware failed x1; the June 2025 fault is outside the period.
    found = statistics(PERIOD, scope, NOW).faults_by_cause
    assert [(c.cause, c.count) for c in found] == [
        ("connector_faulted", 2),
        ("firmware_failed", 1),
        ("offline", 1),
    ]
    assert found[0].label == "Connector faulted"


def test_mttr_and_mtbf_per_vendor_and_model(seeded: Seeded, scope: frozenset[int]) -> None:
    abb, keba = statistics(PERIOD, scope, NOW).by_model
    # ABB Terra 54: faulted 6 h + offline 2 h -> MTTR 4 h; operating 1,416 h - 8 h = 1,408 h
    # over 2 failures -> MTBF 704 h. (Firmware failed is not a failure.)
    assert (abb.vendor, abb.model, abb.failures) == ("ABB", "Terra 54", 2)
    assert abb.mttr_seconds == 4 * 3600
    assert abb.mtbf_seconds == 704 * 3600
    # KEBA P30: one 16 h fault -> MTTR 16 h; MTBF (1,416 - 16) h / 1 = 1,400 h.
    assert (keba.mttr_seconds, keba.mtbf_seconds) == (16 * 3600, 1400 * 3600)


def test_uptime_per_connector_nevi_and_uk(seeded: Seeded, scope: frozenset[int]) -> None:
    report = uptime_report(ReportFilter(), scope, NOW)
    rows = [(r.port.identity, r.port.connector_id) for r in report.ports]
    assert rows == [("CP-RAPID", 1), ("CP-RAPID", 2), ("CP-MALL", 1)]  # worst NEVI first
    c1, c2, mall = report.ports
    # CP-RAPID/1: out of order 6 h (360) + connector 0 Unavailable 12 h (720) + offline 2 h
    # (120, excluded: utility interruption) -> T_outage 1,200, T_excluded 120;
    # mu = (525,600 - 1,080) / 525,600 * 100 = 524,520 / 5,256.
    assert (c1.nevi.outage_minutes, c1.nevi.excluded_minutes) == (1200, 120)
    assert c1.nevi.uptime_percent == Fraction(524_520, 5_256)
    # CP-RAPID/2: 720 + 120, 120 excluded -> (525,600 - 720) / 5,256.
    assert (c2.nevi.outage_minutes, c2.nevi.excluded_minutes) == (840, 120)
    assert c2.nevi.uptime_percent == Fraction(524_880, 5_256)
    # CP-MALL/1: 16 h down, 12 h of them closed (20:00-08:00) -> counted 240 min.
    assert (mall.nevi.outage_minutes, mall.nevi.excluded_minutes) == (960, 720)
    assert mall.nevi.uptime_percent == Fraction(525_360, 5_256)
    assert report.below_nevi == 0
    # UK, 2026-01-01 .. 03-01 (1,416 h; the Mall is open 12 h a day: 708 h).
    # CP-RAPID/1: 6 h out of order, 2 h offline (UNKNOWN: reliable by 7(3)(b)).
    assert c1.uk == ReliabilityFigures(1408 * HOUR, 2 * HOUR, 6 * HOUR)
    assert c1.uk.reliability_percent == Fraction(1410 * 100, 1416)
    assert c2.uk == ReliabilityFigures(1414 * HOUR, 2 * HOUR, 0 * HOUR)
    # CP-MALL/1: not working 18-20 and 08-10 = 4 h of its 708 open hours.
    assert mall.uk == ReliabilityFigures(704 * HOUR, 0 * HOUR, 4 * HOUR)
    assert (c1.rapid, c2.rapid, mall.rapid) == (True, True, False)
    # Rapid network: (1,410 + 1,416) / 2,832.
    assert report.uk_rapid.reliability_percent == Fraction(2826 * 100, 2832)
    assert report.uk_all.measured == 3540 * HOUR
    mean = (c1.nevi.uptime_percent + c2.nevi.uptime_percent + mall.nevi.uptime_percent) / 3
    assert report.nevi_average == mean


def test_uptime_filtered_by_station(seeded: Seeded, scope: frozenset[int]) -> None:
    report = uptime_report(ReportFilter(station_id=seeded.mall), scope, NOW)
    assert [r.port.identity for r in report.ports] == ["CP-MALL"]
    assert report.rapid_ports == 0 and report.uk_rapid.reliability_percent is None


def test_fault_report_rows_filters_and_export(seeded: Seeded, scope: frozenset[int]) -> None:
    query = ListQuery(sort="created_at")
    page = fault_report.fault_report_page(query, PERIOD, scope)
    assert [r["title"] for r in page.rows] == [
        "Connector 1 faulted",
        "Mall connector faulted",
        "Cable wear",
        "Display dim",
    ]
    first = page.rows[0]
    assert (first["charge_point"], first["station"], first["assignee"]) == (
        "CP-RAPID",
        "Depot",
        "Tess Tech",
    )
    assert (first["cause"], first["error_code"], first["status"]) == (
        "connector_faulted",
        "GroundFailure",
        "closed",
    )
    shown = fault_report.shown_row(first, NOW)
    assert shown["repair"] == "5 h 45 min"  # created 10:05, resolved 15:50
    assert shown["time_spent"] == "5 h 0 min"
    assert shown["created_at"] == "2026-01-10 10:05 UTC"
    south = fault_report.fault_report_page(query, ReportFilter(area_id=seeded.south), scope)
    assert [r["charge_point"] for r in south.rows] == ["CP-MALL", "CP-MALL"]
    mine = ListQuery(filters={"assignee_account_id": seeded.tech, "status": "in_progress"})
    assert fault_report.fault_report_page(mine, ReportFilter(), scope).total == 1
    everything = fault_report.fault_report_page(query, ReportFilter(), scope)
    assert everything.total == 5  # last year's too; never the other operator's
    text = fault_report.fault_report_csv(query, PERIOD, scope)
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Work order", "Charge point", "Charge point id"]
    assert len(lines) == 5
    assert "'=cmd()" in text  # a formula typed as the problem is not run by a spreadsheet


def test_form_input_errors_name_the_field() -> None:
    with pytest.raises(ReportInputError) as raised:
        filter_from_form("x", "", "2026-13-01", "", "UTC")
    assert set(raised.value.errors) == {"area_id", "date_from"}
    with pytest.raises(ReportInputError) as raised:
        filter_from_form("", "", "2026-02-02", "2026-02-01", "UTC")
    assert set(raised.value.errors) == {"date_to"}
    berlin = filter_from_form("1", "2", "2026-02-01", "2026-02-01", "Europe/Berlin")
    assert (berlin.since, berlin.until) == (t(2026, 1, 31, 23), t(2026, 2, 1, 23))
