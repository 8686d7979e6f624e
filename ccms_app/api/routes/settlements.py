"""Partner settlements (Finance): revenue-share agreements and the monthly settlement.

- `GET /revenue-share-agreements` (list, filters partner_organisation_id, station_id,
  currency; `/export`; `/{id}`): the agreements of the key's partners (a partner's key: its
  own, read-only). `POST` makes one, `PATCH /{id}` changes one: only a key of the operator
  right above the partner may (403 for a partner's own key); every wrong field is named
  (422): overlaps with another agreement for the same partner and stations, a currency other
  than the partner's sessions', a station of someone else.
- `GET /settlements/{partner_id}/{yyyy-mm}`: the month's figures, the very function the
  web pages, the PDF and the CSV read (`finance.partners.settlements.settlement_report`), so
  the operator's key and the partner's key get the same numbers; `/pdf` and `/csv` the files.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Path, Response

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.settlement_models import (
    AgreementChanges,
    AgreementFiguresOut,
    FiguresOut,
    NewAgreement,
    SettledSessionOut,
    SettlementOut,
)
from ccms_app.core.attachments import private_attachment
from ccms_app.finance.errors import FinanceConflict, FinanceError, FinanceNotFound
from ccms_app.finance.partners import agreements, settlement_files
from ccms_app.finance.partners.agreements import AGREEMENT_LIST, AgreementInput, PartnerRefused
from ccms_app.finance.partners.settlements import SettlementReport, settlement_report
from ccms_app.finance.rules.settlement import Figures, SessionIncome, percent_text

problems.register(
    {FinanceError: 422, FinanceNotFound: 404, FinanceConflict: 409, PartnerRefused: 403}
)

RESOURCE = ListResource(
    AGREEMENT_LIST, Module.FINANCE, "RevenueShareAgreement", "revenue_share_agreements"
)
api = router(RESOURCE.path, "Partner settlements")
settlements_api = router("/settlements", "Partner settlements")
Agreement = add_list_routes(api, RESOURCE)
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
Exporter = Annotated[ApiCaller, gate(Module.FINANCE, Action.EXPORT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}
TEXT_FIELDS = frozenset({"name", "operator_percent", "fee_per_session", "platform_fee", "currency"})


def _actor(caller: ApiCaller) -> str:
    return caller.principal.email or f"api key {caller.api_key_id}"


# --- agreements --------------------------------------------------------------------------


def _create(body: NewAgreement, caller: ApiCaller) -> int:
    currency = body.currency or agreements.currency_for(body.partner_organisation_id, caller.scope)
    data = AgreementInput(
        partner_organisation_id=body.partner_organisation_id,
        station_id=body.station_id,
        name=body.name,
        operator_percent=body.operator_percent,
        fee_per_session=body.fee_per_session or "0",
        platform_fee=body.platform_fee or "0",
        currency=currency,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
    )
    row = agreements.create_agreement(
        caller.principal.organisation_id, caller.scope, data, _actor(caller)
    )
    return row.id or 0


@api.post(
    "",
    status_code=201,
    response_model=Agreement,
    summary="Make a revenue-share agreement with a partner",
    operation_id="create_revenue_share_agreement",
)
async def create_revenue_share_agreement(
    body: NewAgreement, caller: Editor, response: Response
) -> Any:
    agreement_id = await asyncio.to_thread(_create, body, caller)
    return await read_back(RESOURCE, agreement_id, caller, response)


def _update(agreement_id: int, body: AgreementChanges, caller: ApiCaller) -> None:
    current = agreements.agreement_input(agreements.get_agreement(agreement_id, caller.scope))
    changes = body.model_dump(exclude_unset=True)
    for text in TEXT_FIELDS & changes.keys():  # null: empty, which the use case names
        changes[text] = changes[text] or ""
    data = replace(current, **changes)
    agreements.update_agreement(
        caller.principal.organisation_id, caller.scope, agreement_id, data, _actor(caller)
    )


@api.patch(
    "/{id}",
    response_model=Agreement,
    summary="Change a revenue-share agreement (its partner stays)",
    operation_id="update_revenue_share_agreement",
    responses=NOT_IN_SCOPE,
)
async def update_revenue_share_agreement(id: Id, body: AgreementChanges, caller: Editor) -> Any:
    await asyncio.to_thread(_update, id, body, caller)
    return await read_back(RESOURCE, id, caller)


# --- the settlement ----------------------------------------------------------------------


def _figures(figures: Figures) -> FiguresOut:
    return FiguresOut(
        sessions=figures.sessions,
        energy_wh=figures.energy_wh,
        income_excl_minor=figures.excl_minor,
        vat_minor=figures.vat_minor,
        income_incl_minor=figures.incl_minor,
        commission_minor=figures.commission_minor,
        session_fees_minor=figures.session_fees_minor,
        platform_fee_minor=figures.platform_fee_minor,
        due_minor=figures.due_minor,
    )


def _session(
    item: SessionIncome, zone: str, agreement_id: int | None, why: str = ""
) -> SettledSessionOut:
    return SettledSessionOut(
        session_id=item.session_id,
        stopped_at=item.stopped_at,
        stopped_local=settlement_files.local_stop(item, zone),
        station_id=item.station_id,
        station=item.station,
        charge_point=item.charge_point,
        connector_id=item.connector_id,
        id_tag=item.id_tag,
        energy_wh=item.energy_wh,
        currency=item.currency,
        income_excl_minor=item.excl_minor,
        vat_minor=item.vat_minor,
        income_incl_minor=item.incl_minor,
        agreement_id=agreement_id,
        not_covered=why,
    )


def settlement_json(report: SettlementReport) -> SettlementOut:
    """The report as the API answers it (every figure the PDF and CSV show)."""
    settlement, zone = report.settlement, report.time_zone
    sessions = [
        _session(item, zone, figures.terms.agreement_id)
        for figures in settlement.agreements
        for item in figures.sessions
    ]
    sessions += [_session(u.session, zone, None, u.reason) for u in settlement.uncovered]
    sessions.sort(key=lambda s: (s.stopped_at, s.session_id))
    base = f"/api/v1/settlements/{report.partner_id}/{report.month}"
    return SettlementOut(
        partner_id=report.partner_id,
        partner_name=report.partner_name,
        operator_id=report.operator_id,
        month=report.month,
        time_zone=zone,
        period_start=report.start,
        period_end=report.end,
        currency=report.currency,
        provisional=report.provisional,
        commission_exact=f"{settlement.commission_exact.normalize():f}",
        agreements=[
            AgreementFiguresOut(
                agreement_id=f.terms.agreement_id,
                name=f.terms.name,
                station_id=f.terms.station_id,
                operator_percent=percent_text(f.terms.operator_percent),
                fee_per_session_minor=f.terms.fee_per_session_minor,
                monthly_platform_fee_minor=f.terms.platform_fee_minor,
                month_share=_share(f.month_share.numerator, f.month_share.denominator),
                figures=_figures(f.figures),
            )
            for f in settlement.agreements
        ],
        totals=_figures(settlement.totals),
        sessions=sessions,
        notes=settlement_files.notes(report),
        pdf=f"{base}/pdf",
        csv=f"{base}/csv",
    )


def _share(numerator: int, denominator: int) -> str:
    value = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"))
    return f"{value.normalize():f}"


def _report(partner_id: int, month: str, caller: ApiCaller) -> SettlementReport:
    return settlement_report(partner_id, month, caller.scope)


@settlements_api.get(
    "/{partner_id}/{month}",
    response_model=SettlementOut,
    summary="A partner's settlement of a month (the same figures for operator and partner)",
    operation_id="get_settlement",
    responses=NOT_IN_SCOPE,
)
async def get_settlement(partner_id: Id, month: Month, caller: Viewer) -> Any:
    report = await asyncio.to_thread(_report, partner_id, month, caller)
    return settlement_json(report)


@settlements_api.get(
    "/{partner_id}/{month}/pdf",
    response_class=Response,
    summary="A partner's settlement of a month as PDF",
    operation_id="get_settlement_pdf",
    responses={200: {"content": {"application/pdf": {}}}, **NOT_IN_SCOPE},
)
async def get_settlement_pdf(partner_id: Id, month: Month, caller: Exporter) -> Response:
    report = await asyncio.to_thread(_report, partner_id, month, caller)
    data = await asyncio.to_thread(settlement_files.settlement_pdf, report)
    return private_attachment(data, "application/pdf", settlement_files.file_name(report, "pdf"))


@settlements_api.get(
    "/{partner_id}/{month}/csv",
    response_class=Response,
    summary="A partner's settlement of a month as CSV (sessions, agreements, total)",
    operation_id="get_settlement_csv",
    responses={200: {"content": {"text/csv": {}}}, **NOT_IN_SCOPE},
)
async def get_settlement_csv(partner_id: Id, month: Month, caller: Exporter) -> Response:
    report = await asyncio.to_thread(_report, partner_id, month, caller)
    text = settlement_files.settlement_csv(report)
    return private_attachment(
        text.encode(), "text/csv; charset=utf-8", settlement_files.file_name(report, "csv")
    )
