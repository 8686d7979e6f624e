"""Reimbursement of home charging (Finance): home chargers and the monthly report.

- `GET /home-chargers` (list, filters driver_id, currency, organisation_id; `/export`;
  `/{charge_point_id}`): charge points marked as an employee's home charger, with the rate.
  `POST` marks one (every wrong field named, 422), `DELETE /{charge_point_id}` unmarks it.
- `GET /reimbursements/{yyyy-mm}`: every employee's month (the sessions on their home
  chargers with their own cards, kWh, rate, the amount rounded half up once);
  `/{yyyy-mm}/{driver_id}` one employee, `/pdf` and `/csv` the files.
The same use cases as Finance -> Reimbursements (`finance.partners`).
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import Path, Response

from ccms_app.accounts.rules.permissions import Action, Module
from ccms_app.api import problems
from ccms_app.api.deps import ApiCaller, gate, router
from ccms_app.api.forms import read_back
from ccms_app.api.listing import add_list_routes
from ccms_app.api.resources import MAX_INT, ListResource
from ccms_app.api.routes.reimbursement_models import (
    ChargerOut,
    EmployeeReimbursementOut,
    NewHomeCharger,
    ReimbursedSessionOut,
    ReimbursementsOut,
)
from ccms_app.core.attachments import private_attachment
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.partners import home_chargers, reimbursement_files
from ccms_app.finance.partners.home_chargers import HOME_CHARGER_LIST, HomeChargerInput
from ccms_app.finance.partners.reimbursements import (
    EmployeeReport,
    reimbursement_report,
    reimbursement_reports,
)
from ccms_app.finance.rules.reimbursement import rate_text

problems.register({FinanceError: 422, FinanceNotFound: 404})

RESOURCE = ListResource(HOME_CHARGER_LIST, Module.FINANCE, "HomeCharger", "home_chargers")
api = router(RESOURCE.path, "Reimbursements")
reimbursements_api = router("/reimbursements", "Reimbursements")
HomeChargerItem = add_list_routes(api, RESOURCE)
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Month = Annotated[str, Path(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
Viewer = Annotated[ApiCaller, gate(Module.FINANCE, Action.VIEW)]
Editor = Annotated[ApiCaller, gate(Module.FINANCE, Action.EDIT)]
Exporter = Annotated[ApiCaller, gate(Module.FINANCE, Action.EXPORT)]
NOT_IN_SCOPE: dict[int | str, dict[str, Any]] = {404: {"description": "Not in this key's scope"}}


def _actor(caller: ApiCaller) -> str:
    return caller.principal.email or f"api key {caller.api_key_id}"


# --- home chargers -----------------------------------------------------------------------


def _mark(body: NewHomeCharger, caller: ApiCaller) -> int:
    currency = body.currency or home_chargers.currency_for(body.driver_id, caller.scope)
    data = HomeChargerInput(
        charge_point_id=body.charge_point_id,
        driver_id=body.driver_id,
        rate_per_kwh=body.rate_per_kwh,
        currency=currency,
        since=body.since,
    )
    return home_chargers.mark_home_charger(caller.scope, data, _actor(caller)).charge_point_id


@api.post(
    "",
    status_code=201,
    response_model=HomeChargerItem,
    summary="Mark a charge point as an employee's home charger",
    operation_id="create_home_charger",
)
async def create_home_charger(body: NewHomeCharger, caller: Editor, response: Response) -> Any:
    charge_point_id = await asyncio.to_thread(_mark, body, caller)
    return await read_back(RESOURCE, charge_point_id, caller, response)


@api.delete(
    "/{id}",
    status_code=204,
    summary="The charge point is no home charger any more",
    operation_id="delete_home_charger",
    responses=NOT_IN_SCOPE,
)
async def delete_home_charger(id: Id, caller: Editor) -> Response:
    await asyncio.to_thread(home_chargers.unmark_home_charger, caller.scope, id, _actor(caller))
    return Response(status_code=204)


# --- the reports -------------------------------------------------------------------------


def employee_json(report: EmployeeReport) -> EmployeeReimbursementOut:
    money = report.reimbursement
    base = f"/api/v1/reimbursements/{report.month}/{report.driver_id}"
    return EmployeeReimbursementOut(
        driver_id=report.driver_id,
        employee=report.employee,
        email=report.email,
        organisation_id=report.organisation_id,
        month=report.month,
        time_zone=report.time_zone,
        period_start=report.start,
        period_end=report.end,
        currency=report.currency,
        chargers=[ChargerOut(charge_point=cp, rate=rate) for cp, rate in report.chargers],
        sessions_count=len(money.sessions),
        energy_wh=money.energy_wh,
        amount_exact=f"{money.exact_amount.normalize():f}",
        amount_minor=money.amount_minor,
        other_sessions=report.other_sessions,
        other_energy_wh=report.other_energy_wh,
        provisional=report.provisional,
        sessions=[
            ReimbursedSessionOut(
                session_id=item.session_id,
                stopped_at=item.stopped_at,
                stopped_local=reimbursement_files.local_stop(item, report.time_zone),
                charge_point=item.charge_point,
                id_tag=item.id_tag,
                energy_wh=item.energy_wh,
                rate_per_kwh=rate_text(item.rate_per_kwh),
            )
            for item in money.sessions
        ],
        pdf=f"{base}/pdf",
        csv=f"{base}/csv",
    )


def _all(month: str, caller: ApiCaller) -> ReimbursementsOut:
    reports = reimbursement_reports(month, caller.scope)
    return ReimbursementsOut(month=month, items=[employee_json(r) for r in reports])


@reimbursements_api.get(
    "/{month}",
    response_model=ReimbursementsOut,
    summary="Every employee's home-charging reimbursement of a month",
    operation_id="list_reimbursements",
)
async def list_reimbursements(month: Month, caller: Viewer) -> Any:
    return await asyncio.to_thread(_all, month, caller)


def _one(month: str, driver_id: int, caller: ApiCaller) -> EmployeeReport:
    return reimbursement_report(driver_id, month, caller.scope)


@reimbursements_api.get(
    "/{month}/{driver_id}",
    response_model=EmployeeReimbursementOut,
    summary="One employee's home-charging reimbursement of a month",
    operation_id="get_reimbursement",
    responses=NOT_IN_SCOPE,
)
async def get_reimbursement(month: Month, driver_id: Id, caller: Viewer) -> Any:
    return employee_json(await asyncio.to_thread(_one, month, driver_id, caller))


@reimbursements_api.get(
    "/{month}/{driver_id}/pdf",
    response_class=Response,
    summary="One employee's reimbursement of a month as PDF",
    operation_id="get_reimbursement_pdf",
    responses={200: {"content": {"application/pdf": {}}}, **NOT_IN_SCOPE},
)
async def get_reimbursement_pdf(month: Month, driver_id: Id, caller: Exporter) -> Response:
    report = await asyncio.to_thread(_one, month, driver_id, caller)
    data = await asyncio.to_thread(reimbursement_files.reimbursement_pdf, report)
    return private_attachment(data, "application/pdf", reimbursement_files.file_name(report, "pdf"))


@reimbursements_api.get(
    "/{month}/{driver_id}/csv",
    response_class=Response,
    summary="One employee's reimbursement of a month as CSV",
    operation_id="get_reimbursement_csv",
    responses={200: {"content": {"text/csv": {}}}, **NOT_IN_SCOPE},
)
async def get_reimbursement_csv(month: Month, driver_id: Id, caller: Exporter) -> Response:
    report = await asyncio.to_thread(_one, month, driver_id, caller)
    text = reimbursement_files.reimbursement_csv(report)
    name = reimbursement_files.file_name(report, "csv")
    return private_attachment(text.encode(), "text/csv; charset=utf-8", name)
