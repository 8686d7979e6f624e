"""A settlement report as the files an accountant keeps: CSV and PDF.

CSV: ONE rectangular table, so it imports into a spreadsheet or an accounting tool as it
is; the first column, `record`, says what a line is, and a filter on it gives either part:
- `session`: one line per settled session (local stop time, station, charge point, card,
  agreement, kWh, income excl. VAT / VAT / incl. VAT, the agreement's fee for it);
- `not covered`: a session no agreement covers (the `note` says why); it settles nothing;
- `agreement`: one line per agreement in force in the month with all its figures;
- `total`: the settlement's totals; `due_to_partner` negative = the partner owes that.
Amounts are decimal numbers in the currency's major unit (e.g. 12.34, a point as the
separator, no thousands separator), in the report's `currency` column; energy in kWh. The
commission is rounded once for the whole settlement, so session lines carry none.

PDF: the operator's details, the partner and the month, the agreements' figures, the totals
with the amount due (or owed), the explanations, then the sessions.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ccms_app.branding.brands import document_brand
from ccms_app.core.display import time_zone
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import to_csv
from ccms_app.core.money import format_money
from ccms_app.finance.partners.report_pdf import Report, Table, render_report
from ccms_app.finance.partners.settlements import SettlementReport
from ccms_app.finance.rules.documents import energy_kwh, format_decimal
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.settlement import (
    AgreementFigures,
    Figures,
    SessionIncome,
    amount,
    local_day,
    percent_text,
)

CSV_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record", "record"),
    ("session_id", "session_id"),
    ("stopped_local", "stopped_local"),
    ("station", "station"),
    ("charge_point", "charge_point"),
    ("id_tag", "id_tag"),
    ("agreement", "agreement"),
    ("operator_percent", "operator_percent"),
    ("sessions", "sessions"),
    ("energy_kwh", "energy_kwh"),
    ("income_excl_vat", "income_excl_vat"),
    ("vat", "vat"),
    ("income_incl_vat", "income_incl_vat"),
    ("commission", "commission"),
    ("session_fees", "session_fees"),
    ("platform_fee", "platform_fee"),
    ("due_to_partner", "due_to_partner"),
    ("currency", "currency"),
    ("note", "note"),
)
ROUNDING_NOTE = N_(
    "The operator's commission is its percentage of the income excl. VAT, rounded half up "
    "once for the whole settlement (not per session) and shared over the agreements."
)
OWED_NOTE = N_("A negative amount due means the partner owes the operator that amount.")


def file_name(report: SettlementReport, extension: str) -> str:
    """ "settlement-12-2026-03.pdf" """
    return f"settlement-{report.partner_id}-{report.month}.{extension}"


def local_stop(item: SessionIncome, zone: str) -> str:
    return item.stopped_at.astimezone(time_zone(zone)).strftime("%Y-%m-%d %H:%M")


def period_text(report: SettlementReport) -> str:
    first = local_day(report.start, report.time_zone)
    last = local_day(report.end, report.time_zone, last=True)
    return tr("{first} to {last}", first=first, last=last)


def notes(report: SettlementReport) -> list[str]:
    """What the figures mean, and what needs the reader's attention (in the reader's
    language)."""
    found = [tr(ROUNDING_NOTE), tr(OWED_NOTE)]
    uncovered = report.settlement.uncovered
    if uncovered:
        income = sum(u.session.excl_minor for u in uncovered)
        found.append(
            tr(
                "{count} session(s) with {income} income excl. VAT are covered by no "
                "agreement (listed apart) and settle nothing.",
                count=len(uncovered),
                income=format_money(income, report.currency),
            )
        )
    if report.provisional:
        found.append(tr("The month is not over yet: these figures are provisional."))
    return found


def due_label(minor: int) -> str:
    return tr("Amount due to the partner") if minor >= 0 else tr("Amount the partner owes")


def kwh_shown(energy_wh: int) -> str:
    """ "12.345" kWh as the reader's language writes the number (no unit)."""
    return shown_decimal(format_decimal(energy_kwh(energy_wh)))


# --- CSV ---------------------------------------------------------------------------------


def settlement_csv(report: SettlementReport) -> str:
    return to_csv(CSV_COLUMNS, _csv_rows(report))


def _csv_rows(report: SettlementReport) -> Iterator[dict[str, Any]]:
    currency, zone = report.currency, report.time_zone
    for figures in report.settlement.agreements:
        for item in figures.sessions:
            yield {
                **_session_cells(item, zone, currency),
                "record": "session",
                "agreement": figures.terms.name,
                "operator_percent": percent_text(figures.terms.operator_percent),
                "session_fees": amount(figures.terms.fee_per_session_minor, currency),
            }
    for uncovered in report.settlement.uncovered:
        yield {
            **_session_cells(uncovered.session, zone, uncovered.session.currency),
            "record": "not covered",
            "note": uncovered.reason,
        }
    for figures in report.settlement.agreements:
        yield {
            **_figure_cells(figures.figures, currency),
            "record": "agreement",
            "agreement": figures.terms.name,
            "operator_percent": percent_text(figures.terms.operator_percent),
            "note": _share_note(figures),
        }
    yield {**_figure_cells(report.settlement.totals, currency), "record": "total"}


def _session_cells(item: SessionIncome, zone: str, currency: str) -> dict[str, Any]:
    return {
        "session_id": item.session_id,
        "stopped_local": local_stop(item, zone),
        "station": item.station,
        "charge_point": f"{item.charge_point} #{item.connector_id}",
        "id_tag": item.id_tag,
        "sessions": 1,
        "energy_kwh": energy_kwh(item.energy_wh),
        "income_excl_vat": amount(item.excl_minor, currency),
        "vat": amount(item.vat_minor, currency),
        "income_incl_vat": amount(item.incl_minor, currency),
        "currency": currency,
    }


def _figure_cells(figures: Figures, currency: str) -> dict[str, Any]:
    return {
        "sessions": figures.sessions,
        "energy_kwh": energy_kwh(figures.energy_wh),
        "income_excl_vat": amount(figures.excl_minor, currency),
        "vat": amount(figures.vat_minor, currency),
        "income_incl_vat": amount(figures.incl_minor, currency),
        "commission": amount(figures.commission_minor, currency),
        "session_fees": amount(figures.session_fees_minor, currency),
        "platform_fee": amount(figures.platform_fee_minor, currency),
        "due_to_partner": amount(figures.due_minor, currency),
        "currency": currency,
    }


def _share_note(figures: AgreementFigures) -> str:
    share = figures.month_share
    if share == 1:
        return ""
    percent = (Decimal(share.numerator) * 100 / share.denominator).quantize(Decimal("0.01"))
    return tr(
        "in force {percent} % of the month: platform fee pro rata",
        percent=shown_decimal(format_decimal(percent)),
    )


# --- PDF ---------------------------------------------------------------------------------


def settlement_pdf(report: SettlementReport) -> bytes:
    currency = report.currency
    totals = report.settlement.totals
    operator = report.operator.party
    generated = report.generated_at.astimezone(time_zone(report.time_zone))
    facts = (
        tr("Partner: {partner}", partner=report.partner_name),
        tr("Period: {period} ({zone})", period=period_text(report), zone=report.time_zone),
        tr("Currency: {currency}", currency=currency),
        tr("Generated: {when}", when=generated.strftime("%Y-%m-%d %H:%M %Z")),
    )

    def money(minor: int) -> str:
        return format_money(minor, currency)

    summary = Table(
        heading=tr("Agreements"),
        columns=(
            tr("Agreement"),
            tr("Share"),
            tr("Sessions"),
            "kWh",
            tr("Income excl."),
            tr("Commission"),
            tr("Session fees"),
            tr("Platform fee"),
            tr("Due"),
        ),
        widths=(32, 13, 16, 15, 20, 22, 18, 18, 20),
        align=("LEFT",) + ("RIGHT",) * 8,
        rows=tuple(
            (
                f.terms.name,
                f"{shown_decimal(percent_text(f.terms.operator_percent))} %",
                str(f.figures.sessions),
                kwh_shown(f.figures.energy_wh),
                money(f.figures.excl_minor),
                money(f.figures.commission_minor),
                money(f.figures.session_fees_minor),
                money(f.figures.platform_fee_minor),
                money(f.figures.due_minor),
            )
            for f in report.settlement.agreements
        ),
        empty=N_("No agreement with this partner was in force in this month."),
    )
    total_rows = (
        (tr("Sessions"), str(totals.sessions), False),
        (tr("Energy"), f"{kwh_shown(totals.energy_wh)} kWh", False),
        (tr("Income excl. VAT"), money(totals.excl_minor), False),
        (tr("VAT"), money(totals.vat_minor), False),
        (tr("Income incl. VAT"), money(totals.incl_minor), False),
        (tr("Operator commission"), f"-{money(totals.commission_minor)}", False),
        (tr("Session fees"), f"-{money(totals.session_fees_minor)}", False),
        (tr("Platform fee"), f"-{money(totals.platform_fee_minor)}", False),
        (due_label(totals.due_minor), money(abs(totals.due_minor)), True),
    )
    report_pdf = Report(
        title=tr("Partner settlement {month}", month=report.month),
        brand=document_brand(report.operator_id),  # the operator's header and logo
        issuer=operator.name,
        issuer_lines=(
            operator.address,
            tr("VAT ID: {vat_id}", vat_id=operator.vat_id) if operator.vat_id else "",
            operator.email,
        ),
        facts=facts,
        generated_at=report.generated_at,
        tables=(summary,),
        totals=total_rows,
        notes=tuple(notes(report)),
        trailing_tables=(_sessions_table(report),),
    )
    return render_report(report_pdf)


def _sessions_table(report: SettlementReport) -> Table:
    currency, zone = report.currency, report.time_zone
    rows = [
        (
            local_stop(item, zone),
            f"{item.station} · {item.charge_point}".strip(" ·"),
            item.id_tag,
            kwh_shown(item.energy_wh),
            format_money(item.excl_minor, currency),
            format_money(item.incl_minor, currency),
            figures.terms.name,
        )
        for figures in report.settlement.agreements
        for item in figures.sessions
    ]
    rows += [
        (
            local_stop(u.session, zone),
            f"{u.session.station} · {u.session.charge_point}".strip(" ·"),
            u.session.id_tag,
            kwh_shown(u.session.energy_wh),
            format_money(u.session.excl_minor, u.session.currency),
            format_money(u.session.incl_minor, u.session.currency),
            tr("not covered: {reason}", reason=u.reason),
        )
        for u in report.settlement.uncovered
    ]
    rows.sort(key=lambda row: row[0])
    return Table(
        heading=tr("Sessions (stopped in the month, {zone} time)", zone=zone),
        columns=(
            tr("Stopped"),
            tr("Station · charge point"),
            tr("Card"),
            "kWh",
            tr("Excl. VAT"),
            tr("Incl. VAT"),
            tr("Agreement"),
        ),
        widths=(28, 42, 24, 14, 20, 20, 26),
        align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        rows=tuple(rows),
        empty=N_("No final session stopped in this month."),
    )
