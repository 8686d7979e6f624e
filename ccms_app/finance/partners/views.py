"""The settlement and reimbursement reports as the pages show them: rows of display strings
(money with its symbol, kWh, days in the report's zone) and the file links. No Reflex here:
the Finance states call these and keep the strings."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ccms_app.core.i18n import tr
from ccms_app.core.money import format_money
from ccms_app.core.types import utc_now
from ccms_app.finance.documents.listing import operator_zone
from ccms_app.finance.partners.agreements import operator_of, partner_choices
from ccms_app.finance.partners.reimbursements import EmployeeReport, reimbursement_reports
from ccms_app.finance.partners.routes import reimbursement_url, settlement_url
from ccms_app.finance.partners.settlement_files import due_label, kwh_shown, notes, period_text
from ccms_app.finance.partners.settlements import SettlementReport, settlement_report
from ccms_app.finance.rules.documents import previous_month
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.settlement import Figures, percent_text


@dataclass(frozen=True)
class SettlementView:
    title: str
    period: str
    agreements: list[dict[str, str]]
    totals: dict[str, str]
    notes: list[str]
    uncovered: list[dict[str, str]]
    pdf_url: str
    csv_url: str


@dataclass(frozen=True)
class ReimbursementView:
    rows: list[dict[str, str]] = field(default_factory=list)
    total: str = ""


def last_month(organisation_id: int, now: datetime | None = None) -> str:
    """The month a page opens on: the last one over in the operator's zone ("2026-02")."""
    zone = operator_zone(operator_of(organisation_id))
    return f"{previous_month(now or utc_now(), zone):%Y-%m}"


def partners_of(scope: Collection[int]) -> list[list[str]]:
    """[[id, name]] of the partners the caller may settle (a partner: itself)."""
    return [[str(i), name] for i, name in partner_choices(scope)]


def _kwh(wh: int) -> str:
    return f"{kwh_shown(wh)} kWh"


def _figures(figures: Figures, currency: str) -> dict[str, str]:
    return {
        "sessions": str(figures.sessions),
        "energy": _kwh(figures.energy_wh),
        "excl": format_money(figures.excl_minor, currency),
        "vat": format_money(figures.vat_minor, currency),
        "incl": format_money(figures.incl_minor, currency),
        "commission": format_money(figures.commission_minor, currency),
        "session_fees": format_money(figures.session_fees_minor, currency),
        "platform_fee": format_money(figures.platform_fee_minor, currency),
        "due": format_money(figures.due_minor, currency),
        "due_label": due_label(figures.due_minor),
        "owed": "yes" if figures.due_minor < 0 else "",
    }


def settlement_view(report: SettlementReport) -> SettlementView:
    currency = report.currency
    agreements = [
        {
            "id": str(f.terms.agreement_id),
            "name": f.terms.name,
            "share": f"{shown_decimal(percent_text(f.terms.operator_percent))} %",
            **_figures(f.figures, currency),
        }
        for f in report.settlement.agreements
    ]
    uncovered = [
        {
            "id": str(u.session.session_id),
            "text": tr(
                "Session {session_id} at {charge_point}: {amount} excl. VAT, {reason}",
                session_id=u.session.session_id,
                charge_point=u.session.charge_point,
                amount=format_money(u.session.excl_minor, u.session.currency),
                reason=u.reason,
            ),
        }
        for u in report.settlement.uncovered
    ]
    return SettlementView(
        title=f"{report.partner_name}, {report.month}",
        period=f"{period_text(report)} ({report.time_zone})",
        agreements=agreements,
        totals=_figures(report.settlement.totals, currency),
        notes=notes(report),
        uncovered=uncovered,
        pdf_url=settlement_url(report.partner_id, report.month, "pdf"),
        csv_url=settlement_url(report.partner_id, report.month, "csv"),
    )


def show_settlement(partner_id: int, month: str, scope: Collection[int]) -> SettlementView:
    """The page's view of a partner's month (FinanceNotFound / FinanceError as the use case)."""
    return settlement_view(settlement_report(partner_id, month, scope))


def _employee(report: EmployeeReport) -> dict[str, str]:
    money = report.reimbursement
    others = ""
    if report.other_sessions:
        others = tr(
            "{count} left out ({energy}, other cards)",
            count=report.other_sessions,
            energy=_kwh(report.other_energy_wh),
        )
    return {
        "id": str(report.driver_id),
        "employee": report.employee,
        "chargers": ", ".join(f"{cp} ({rate})" for cp, rate in report.chargers),
        "sessions": str(len(money.sessions)),
        "energy": _kwh(money.energy_wh),
        "amount": format_money(money.amount_minor, report.currency),
        "others": others,
        "pdf_url": reimbursement_url(report.driver_id, report.month, "pdf"),
        "csv_url": reimbursement_url(report.driver_id, report.month, "csv"),
    }


def reimbursement_view(reports: Sequence[EmployeeReport]) -> ReimbursementView:
    totals: dict[str, int] = {}
    for report in reports:
        totals[report.currency] = totals.get(report.currency, 0) + report.reimbursement.amount_minor
    total = " + ".join(format_money(minor, currency) for currency, minor in sorted(totals.items()))
    return ReimbursementView([_employee(r) for r in reports], total)


def show_reimbursements(month: str, scope: Collection[int]) -> ReimbursementView:
    return reimbursement_view(reimbursement_reports(month, scope))
