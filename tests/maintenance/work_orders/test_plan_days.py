"""A plan's next due day typed on the Plans form is a day in the operator's zone (a plan for
one charge point: its station's, as the list shows it); the form shows that day back. The
API (no zone) keeps UTC days."""

from __future__ import annotations

from datetime import UTC, datetime

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.operator_zone import operator_zone_of
from ccms_app.finance.models import BillingProfile
from ccms_app.maintenance.rules.plans import parse_due
from ccms_app.maintenance.work_orders import plans
from ccms_app.maintenance.work_orders.models import MaintenancePlan
from tests.maintenance.work_orders.support import Workshop

BERLIN_MIDNIGHT = datetime(2027, 1, 30, 23, 0, tzinfo=UTC)  # 2027-01-31 00:00 CET
UTC_MIDNIGHT = datetime(2027, 1, 31, tzinfo=UTC)


def _form(**extra: str) -> dict[str, str]:
    form = {"name": "Yearly", "vendor": "ACME", "every_months": "12"}
    return form | {"next_due_at": "2027-01-31", "enabled": "true"} | extra


def _due(plan_id: int) -> datetime:
    with read_session() as s:
        plan = s.get(MaintenancePlan, plan_id)
        assert plan is not None
        value = plan.next_due_at
    return value.replace(tzinfo=value.tzinfo or UTC)


def _berlin_operator(w: Workshop) -> str:
    with session_scope() as s:
        s.add(BillingProfile(organisation_id=w.organisation_id, time_zone="Europe/Berlin"))
    return operator_zone_of(w.organisation_id)


def test_a_berlin_operator_picks_a_berlin_day(workshop: Workshop) -> None:
    zone = _berlin_operator(workshop)
    plan_id = plans.create_plan(workshop.admin, _form(), None, zone)
    assert _due(plan_id) == BERLIN_MIDNIGHT  # not midnight UTC
    assert plans.get_plan_form(workshop.admin, plan_id, zone)["next_due_at"] == "2027-01-31"
    plans.update_plan(workshop.admin, plan_id, _form(), zone)  # unchanged: same instant
    assert _due(plan_id) == BERLIN_MIDNIGHT


def test_a_plan_for_one_charge_point_uses_its_station_zone(workshop: Workshop) -> None:
    # the operator reads UTC, the charge point's station is in Berlin (as the list shows it)
    form = _form(charge_point_id=str(workshop.charge_point_id), vendor="")
    plan_id = plans.create_plan(workshop.admin, form, None, "UTC")
    assert _due(plan_id) == BERLIN_MIDNIGHT
    assert plans.get_plan_form(workshop.admin, plan_id, "UTC")["next_due_at"] == "2027-01-31"


def test_a_utc_operator_and_the_api_keep_utc_days(workshop: Workshop) -> None:
    plan_id = plans.create_plan(workshop.admin, _form(), None, "UTC")
    assert _due(plan_id) == UTC_MIDNIGHT
    assert plans.get_plan_form(workshop.admin, plan_id, "UTC")["next_due_at"] == "2027-01-31"
    _berlin_operator(workshop)
    api_plan = plans.create_plan(
        workshop.admin, _form(charge_point_id=str(workshop.charge_point_id), vendor="")
    )
    assert _due(api_plan) == UTC_MIDNIGHT  # the API names no zone: UTC, station or not
    assert plans.get_plan_form(workshop.admin, api_plan)["next_due_at"] == "2027-01-31"


def test_parse_due_reads_the_day_in_a_zone() -> None:
    assert parse_due("2027-01-31", "Europe/Berlin") == BERLIN_MIDNIGHT
    assert parse_due("2027-01-31") == UTC_MIDNIGHT
    assert parse_due("2027-01-31T10:00+02:00", "Europe/Berlin") == datetime(
        2027, 1, 31, 8, tzinfo=UTC
    )
    assert parse_due("31.01.2027", "Europe/Berlin") is None
