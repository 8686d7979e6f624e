"""The quote: what a tariff charges for a session described as OCPI CDR charging periods.

The same engine prices real sessions (`finance.rules.tariff_engine`), so a quote is what a
session with those periods would cost. The version is the one valid at the session's start
(`finance.tariffs.version_at`, as for a real session) unless the body names one; restriction
times are read in the body's `time_zone`, else the tariff organisation's billing zone (OCPI:
the Location's), else UTC. The periods are read by `finance.rules.cdr_json`, whose errors
name the field (`charging_periods[1].dimensions[0].volume`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from ccms_app.api.routes.tariff_models import QuoteRequest
from ccms_app.core.db import read_session
from ccms_app.finance import tariffs
from ccms_app.finance.documents.parties import seller_of
from ccms_app.finance.errors import FinanceError
from ccms_app.finance.models import TariffVersion
from ccms_app.finance.rules.cdr_json import cost_to_cdr, timeline_from_cdr
from ccms_app.finance.rules.tariff_engine import price_session
from ccms_app.finance.rules.tariff_types import CostLine, SessionTimeline
from ccms_app.network.rules.asset_validation import timezone_error

NOT_PRICES = ("time_zone", "version")  # the quote's own fields, not the CDR's
MAX_SPAN = timedelta(days=31)  # reservation start to session end


def quote(
    scope: Collection[int], tariff_id: int, body: QuoteRequest, cdr: dict[str, Any]
) -> dict[str, Any]:
    """The CDR-like totals and lines (see the module docstring)."""
    view = tariffs.get_tariff(scope, tariff_id)  # 404 outside the scope
    if body.time_zone is not None and (wrong := timezone_error(body.time_zone)):
        raise FinanceError("Not priced", {"time_zone": wrong})
    with read_session() as session:
        version = _version(session, scope, tariff_id, body.version, body.start_date_time)
        zone = body.time_zone or seller_of(session, view.organisation_id).time_zone
    tariff = tariffs.load_definition(version.definition, zone)
    timeline = timeline_from_cdr({k: v for k, v in cdr.items() if k not in NOT_PRICES})
    _check_span(timeline)
    cost = price_session(tariff, timeline)
    totals = cost_to_cdr(cost)
    for period, priced in zip(totals["charging_periods"], cost.charging_periods, strict=True):
        period["element_index"] = priced.element_index
    return totals | {
        "tariff_id": tariff_id,
        "version": version.number,
        "time_zone": zone,
        "lines": [_line(line) for line in cost.lines],
        "notes": list(cost.notes),
    }


def _check_span(timeline: SessionTimeline) -> None:
    """A quote covers one session: pricing work grows with its length (every time-of-day
    and day boundary is a cut), so years of TIME are refused, not computed."""
    if timeline.periods and timeline.end - timeline.periods[0].start > MAX_SPAN:
        raise FinanceError(
            "Not priced",
            {"charging_periods": f"A quoted session lasts at most {MAX_SPAN.days} days"},
        )


def _line(line: CostLine) -> dict[str, Any]:
    return {
        "start_date_time": line.start,
        "end_date_time": line.end,
        "type": line.dimension.value,
        "element_index": line.element_index,
        "fee": line.fee,
        "quantity": line.quantity,
        "billed_quantity": line.billed_quantity,
        "unit_price": line.unit_price,
        "vat": line.vat,
        "amount_excl_vat": line.amount_excl_vat,
    }


def _version(
    session: Session, scope: Collection[int], tariff_id: int, number: int | None, start: datetime
) -> TariffVersion:
    """The version asked for, else the one valid at the session's start."""
    if number is not None:
        for version in tariffs.versions(scope, tariff_id):
            if version.number == number:
                return version
        raise FinanceError("Not priced", {"version": f"This tariff has no version {number}"})
    found = tariffs.version_at(session, tariff_id, start)
    if found is None:
        raise FinanceError(
            "Not priced",
            {"start_date_time": "The tariff has no prices yet at this time: name a version"},
        )
    return found
