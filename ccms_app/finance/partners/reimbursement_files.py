"""An employee's reimbursement report as CSV and PDF.

CSV: one rectangular table (it imports as it is), first column `record`:
- `session`: one line per reimbursed session (local stop time, charge point, card, kWh,
  the rate per kWh);
- `other cards`: how many sessions (and kWh) on the home charger(s) were started with
  someone else's card, left out;
- `total`: sessions, kWh, the exact amount and the amount to pay (rounded half up once).
Amounts are decimal numbers in the currency's major unit, a point as the separator.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ccms_app.branding.brands import document_brand
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import to_csv
from ccms_app.core.money import format_money
from ccms_app.finance.partners.reimbursements import EmployeeReport
from ccms_app.finance.partners.report_pdf import Report, Table, render_report
from ccms_app.finance.rules.documents import energy_kwh, format_decimal
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.reimbursement import ChargedEnergy, rate_text
from ccms_app.finance.rules.settlement import amount, local_day

CSV_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (key, key)
    for key in (
        "record",
        "employee",
        "session_id",
        "stopped_local",
        "charge_point",
        "id_tag",
        "sessions",
        "energy_kwh",
        "rate_per_kwh",
        "amount_exact",
        "amount",
        "currency",
    )
)
ROUNDING_NOTE = N_(
    "Amount = the sum of kWh x rate over the sessions, rounded half up once on the total "
    "(not per session)."
)
CARDS_NOTE = N_(
    "Counted: sessions on the employee's home charger(s) started with the employee's own "
    "cards, stopped in the month."
)

GENERATED = "%Y-%m-%d %H:%M %Z"  # when the file was made, in the report's zone


def file_name(report: EmployeeReport, extension: str) -> str:
    """ "reimbursement-7-2026-03.csv" """
    return f"reimbursement-{report.driver_id}-{report.month}.{extension}"


def local_stop(item: ChargedEnergy, zone: str) -> str:
    return item.stopped_at.astimezone(time_zone(zone)).strftime("%Y-%m-%d %H:%M")


def notes(report: EmployeeReport) -> list[str]:
    """What the figures mean, in the reader's language."""
    found = [tr(CARDS_NOTE), tr(ROUNDING_NOTE)]
    if report.other_sessions:
        found.append(
            tr(
                "Left out: {count} session(s), {kwh} kWh, started there with other cards.",
                count=report.other_sessions,
                kwh=_kwh(report.other_energy_wh),
            )
        )
    if report.provisional:
        found.append(tr("The month is not over yet: these figures are provisional."))
    return found


def _kwh(energy_wh: int) -> str:
    """ "12.345" kWh as the reader's language writes the number (no unit)."""
    return shown_decimal(format_decimal(energy_kwh(energy_wh)))


# --- CSV ---------------------------------------------------------------------------------


def reimbursement_csv(report: EmployeeReport) -> str:
    return to_csv(CSV_COLUMNS, _rows(report))


def _rows(report: EmployeeReport) -> Iterator[dict[str, Any]]:
    money = report.reimbursement
    for item in money.sessions:
        yield {
            "record": "session",
            "employee": report.employee,
            "session_id": item.session_id,
            "stopped_local": local_stop(item, report.time_zone),
            "charge_point": item.charge_point,
            "id_tag": item.id_tag,
            "sessions": 1,
            "energy_kwh": energy_kwh(item.energy_wh),
            "rate_per_kwh": item.rate_per_kwh,
            "amount_exact": item.exact_amount,
            "currency": report.currency,
        }
    if report.other_sessions:
        yield {
            "record": "other cards",
            "employee": report.employee,
            "sessions": report.other_sessions,
            "energy_kwh": energy_kwh(report.other_energy_wh),
            "currency": report.currency,
        }
    yield {
        "record": "total",
        "employee": report.employee,
        "sessions": len(money.sessions),
        "energy_kwh": energy_kwh(money.energy_wh),
        "amount_exact": money.exact_amount,
        "amount": amount(money.amount_minor, report.currency),
        "currency": report.currency,
    }


# --- PDF ---------------------------------------------------------------------------------


def reimbursement_pdf(report: EmployeeReport) -> bytes:
    money = report.reimbursement
    employer = report.employer.party
    first = local_day(report.start, report.time_zone)
    last = local_day(report.end, report.time_zone, last=True)
    chargers = ", ".join(f"{identity} ({rate})" for identity, rate in report.chargers)
    zone = time_zone(report.time_zone)
    employee = f"{report.employee} <{report.email}>" if report.email else report.employee
    period = tr("{first} to {last}", first=first, last=last)
    facts = (
        tr("Employee: {employee}", employee=employee),
        tr("Home charger(s): {chargers}", chargers=chargers),
        tr("Period: {period} ({zone})", period=period, zone=report.time_zone),
        tr("Currency: {currency}", currency=report.currency),
        tr("Generated: {when}", when=report.generated_at.astimezone(zone).strftime(GENERATED)),
    )
    sessions = Table(
        heading=tr("Sessions"),
        columns=(tr("Stopped"), tr("Charge point"), tr("Card"), "kWh", tr("Rate per kWh")),
        widths=(32, 50, 36, 24, 32),
        align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"),
        rows=tuple(
            (
                local_stop(item, report.time_zone),
                item.charge_point,
                item.id_tag,
                _kwh(item.energy_wh),
                f"{shown_decimal(rate_text(item.rate_per_kwh))} {report.currency}",
            )
            for item in money.sessions
        ),
        empty=N_("No session to reimburse in this month."),
    )
    totals = (
        (tr("Sessions"), str(len(money.sessions)), False),
        (tr("Energy"), f"{_kwh(money.energy_wh)} kWh", False),
        (tr("Amount to reimburse"), format_money(money.amount_minor, report.currency), True),
    )
    return render_report(
        Report(
            title=tr("Home charging reimbursement {month}", month=report.month),
            brand=document_brand(report.organisation_id),  # the employer's header and logo
            issuer=employer.name,
            issuer_lines=(employer.address, employer.email),
            facts=facts,
            generated_at=report.generated_at,
            tables=(sessions,),
            totals=totals,
            notes=tuple(notes(report)),
        )
    )
