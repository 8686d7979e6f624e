"""Revenue-share agreements: what the network operator keeps of a partner's charging income.

A partner is a sub-operator (an organisation with a parent); its agreements belong to the
operator above it (`organisation_id`), which alone creates and changes them. The partner's
own logins see them read-only: the list is scoped by the partner's organisation, so an
operator sees its partners' agreements and a partner its own. An agreement covers all the
partner's stations or one of them, from `valid_from` to `valid_until` (exclusive; None: open
ended). Two agreements for the same partner and the same scope (all stations, or the same
station) may not overlap; a station's own agreement wins over the partner-wide one while
both are in force. The currency must be the one the partner's sessions are priced in.

Settlement reports are computed from the agreements as they stand: to change terms from a
date on, end the agreement there and start a new one, so past months keep their figures.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, desc
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.listing import ListColumn, ListSpec
from ccms_app.core.money import format_money
from ccms_app.core.rows import stored_id
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import BillingProfile, CostState, SessionCost
from ccms_app.finance.partners.models import RevenueShareAgreement
from ccms_app.finance.rules.memberships import shown_decimal
from ccms_app.finance.rules.settlement import (
    Terms,
    check_agreement,
    local_day,
    money_text,
    not_saved,
    percent_text,
)
from ccms_app.network.models import Station

log = logging.getLogger(__name__)

ALL_STATIONS = N_("All stations")
_PARTNER = aliased(Organisation)


class PartnerRefused(PermissionError):
    """The caller may not change this partner's agreements (only the operator above may)."""


@dataclass(frozen=True)
class AgreementInput:
    """What the form and the API send: texts for amounts and percent (as typed), instants
    for the validity (the form turns its days into them in the operator's zone)."""

    partner_organisation_id: int
    station_id: int | None
    name: str
    operator_percent: str
    fee_per_session: str  # major units, e.g. "0.30"
    platform_fee: str  # per month, major units
    currency: str
    valid_from: datetime | None
    valid_until: datetime | None = None


def _base() -> Select[Any]:
    return (
        sa_select(RevenueShareAgreement)
        .join(_PARTNER, col(_PARTNER.id) == RevenueShareAgreement.partner_organisation_id)
        .outerjoin(Station, col(Station.id) == RevenueShareAgreement.station_id)
    )


A = RevenueShareAgreement
# Scoped by the partner: an operator's scope holds its partners, a partner's only itself.
AGREEMENT_LIST = ListSpec(
    name="revenue-share agreements",
    base=_base,
    columns=(
        ListColumn("id", "Id", A.id),
        ListColumn("name", "Name", A.name, searchable=True),
        ListColumn(
            "partner_organisation_id", "Partner id", A.partner_organisation_id, filterable=True
        ),
        ListColumn("partner", "Partner", _PARTNER.name, searchable=True),
        ListColumn("station_id", "Station id", A.station_id, filterable=True),
        ListColumn("station", "Station", Station.name, searchable=True),
        ListColumn("operator_percent", "Operator %", A.operator_percent, sortable=False),
        ListColumn(
            "fee_per_session_minor", "Fee per session (minor units)", A.fee_per_session_minor
        ),
        ListColumn(
            "platform_fee_minor", "Platform fee per month (minor units)", A.platform_fee_minor
        ),
        ListColumn("currency", "Currency", A.currency, filterable=True),
        ListColumn("valid_from", "Valid from", A.valid_from),
        ListColumn("valid_until", "Valid until (exclusive)", A.valid_until),
        ListColumn("organisation_id", "Operator id", A.organisation_id),
        ListColumn("created_by", "Created by", A.created_by, sortable=False),
    ),
    organisation_column=A.partner_organisation_id,
    id_column=A.id,
    default_sort="partner",
)


# --- who is who ---------------------------------------------------------------------------


def operator_of(organisation_id: int) -> int:
    """The network operator above an organisation (itself when it has no parent)."""
    with read_session() as session:
        organisation = session.get(Organisation, organisation_id)
    if organisation is None or organisation.parent_id is None:
        return organisation_id
    return organisation.parent_id


def edits_agreements(organisation_id: int) -> bool:
    """Whether the organisation's people may edit agreements: operators (no parent) do,
    partners see theirs read-only."""
    return operator_of(organisation_id) == organisation_id


def partner_choices(scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the sub-operators in scope, by name: whom agreements are made with."""
    with read_session() as session:
        rows = session.execute(
            sa_select(col(Organisation.id), col(Organisation.name))
            .where(col(Organisation.id).in_(list(scope)), col(Organisation.parent_id).is_not(None))
            .order_by(col(Organisation.name))
        ).all()
    return [(int(i), str(name)) for i, name in rows]


def station_choices(partner_id: int, scope: Collection[int]) -> list[tuple[int, str]]:
    """(id, name) of the partner's stations, by name (none outside the scope)."""
    if partner_id not in scope:
        return []
    with read_session() as session:
        rows = session.execute(
            sa_select(col(Station.id), col(Station.name))
            .where(col(Station.organisation_id) == partner_id)
            .order_by(col(Station.name))
        ).all()
    return [(int(i), str(name)) for i, name in rows]


def partner_currency(session: Session, partner_id: int) -> str:
    """The currency the partner's sessions are priced in: its latest final session's, else
    its billing settings', else its operator's, else EUR."""
    latest = session.exec(
        select(SessionCost.currency)
        .where(SessionCost.organisation_id == partner_id, SessionCost.state == CostState.FINAL)
        .order_by(desc(col(SessionCost.priced_at)))
        .limit(1)
    ).first()
    if latest:
        return latest
    partner = session.get(Organisation, partner_id)
    for organisation_id in (partner_id, partner.parent_id if partner else None):
        profile = session.get(BillingProfile, organisation_id) if organisation_id else None
        if profile is not None:
            return profile.currency
    return "EUR"


def currency_for(partner_id: int, scope: Collection[int]) -> str:
    """What a new agreement with the partner is in, unless it says (the partner's currency)."""
    if partner_id not in scope:
        return "EUR"  # the use case answers "no such partner"
    with read_session() as session:
        return partner_currency(session, partner_id)


# --- reading -----------------------------------------------------------------------------


def get_agreement(agreement_id: int, scope: Collection[int]) -> RevenueShareAgreement:
    """One agreement whose partner is in scope; FinanceNotFound otherwise."""
    with read_session() as session:
        row = session.get(RevenueShareAgreement, agreement_id)
    if row is None or row.partner_organisation_id not in scope:
        raise FinanceNotFound(
            tr(
                "No revenue-share agreement {agreement_id} in your network.",
                agreement_id=agreement_id,
            )
        )
    return row


def agreements_of(session: Session, partner_id: int) -> list[RevenueShareAgreement]:
    return list(
        session.exec(
            select(RevenueShareAgreement)
            .where(RevenueShareAgreement.partner_organisation_id == partner_id)
            .order_by(col(RevenueShareAgreement.valid_from), col(RevenueShareAgreement.id))
        ).all()
    )


def terms_of(row: RevenueShareAgreement) -> Terms:
    return Terms(
        agreement_id=stored_id(row.id),
        name=row.name,
        station_id=row.station_id,
        operator_percent=Decimal(row.operator_percent),
        fee_per_session_minor=row.fee_per_session_minor,
        platform_fee_minor=row.platform_fee_minor,
        currency=row.currency,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def agreement_input(row: RevenueShareAgreement) -> AgreementInput:
    """The stored agreement as an input (what a partial change starts from)."""
    return AgreementInput(
        partner_organisation_id=row.partner_organisation_id,
        station_id=row.station_id,
        name=row.name,
        operator_percent=row.operator_percent,
        fee_per_session=money_text(row.fee_per_session_minor, row.currency),
        platform_fee=money_text(row.platform_fee_minor, row.currency),
        currency=row.currency,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
    )


def validity_text(valid_from: Any, valid_until: Any, zone: str) -> str:
    """ "2026-01-01 to 2026-06-30" (last day inclusive) or "2026-01-01, open-ended"."""
    first = local_day(valid_from, zone) if isinstance(valid_from, datetime) else ""
    if not isinstance(valid_until, datetime):
        return tr("{first}, open-ended", first=first)
    return tr("{first} to {last}", first=first, last=local_day(valid_until, zone, last=True))


def shown_agreement(row: Mapping[str, Any], zone: str) -> dict[str, str]:
    """A list row as the page shows it (money with its symbol, days in the operator's zone)."""
    currency = str(row.get("currency") or "EUR")
    return {
        "id": str(row["id"]),
        "name": str(row.get("name") or ""),
        "partner": str(row.get("partner") or ""),
        "partner_id": str(row.get("partner_organisation_id") or ""),
        "station": str(row.get("station") or tr(ALL_STATIONS)),
        "operator_percent": f"{shown_decimal(str(row.get('operator_percent') or '0'))} %",
        "fee_per_session_minor": format_money(int(row.get("fee_per_session_minor") or 0), currency),
        "platform_fee_minor": format_money(int(row.get("platform_fee_minor") or 0), currency),
        "currency": currency,
        "valid_from": validity_text(row.get("valid_from"), row.get("valid_until"), zone),
    }


# --- changes -----------------------------------------------------------------------------


def create_agreement(
    caller_organisation_id: int, scope: Collection[int], data: AgreementInput, actor: str
) -> RevenueShareAgreement:
    """Store a new agreement; FinanceError naming every wrong field, PartnerRefused for a
    caller who is not the partner's operator."""
    with session_scope() as session:
        row = RevenueShareAgreement(
            organisation_id=caller_organisation_id,
            partner_organisation_id=data.partner_organisation_id,
            name="",
            valid_from=data.valid_from or datetime.min,
            created_by=actor,
        )
        _apply(session, row, caller_organisation_id, scope, data)
        session.add(row)
        session.flush()
        session.refresh(row)
    log.info("revenue-share agreement created", extra={"agreement_id": row.id, "actor": actor})
    return row


def update_agreement(
    caller_organisation_id: int,
    scope: Collection[int],
    agreement_id: int,
    data: AgreementInput,
    actor: str,
) -> RevenueShareAgreement:
    """Change an agreement (its partner stays); the same checks as creating one."""
    with session_scope() as session:
        row = session.get(RevenueShareAgreement, agreement_id)
        if row is None or row.partner_organisation_id not in scope:
            raise FinanceNotFound(
                tr(
                    "No revenue-share agreement {agreement_id} in your network.",
                    agreement_id=agreement_id,
                )
            )
        if data.partner_organisation_id != row.partner_organisation_id:
            raise FinanceError(
                tr("An agreement's partner cannot change: make a new agreement."),
                {"partner_organisation_id": tr("Make a new agreement for another partner")},
            )
        _apply(session, row, caller_organisation_id, scope, data)
        session.add(row)
        session.flush()
        session.refresh(row)
    log.info(
        "revenue-share agreement changed", extra={"agreement_id": agreement_id, "actor": actor}
    )
    return row


def _apply(
    session: Session,
    row: RevenueShareAgreement,
    caller_organisation_id: int,
    scope: Collection[int],
    data: AgreementInput,
) -> None:
    """Check everything (all field errors at once), then write the values onto `row`."""
    errors: dict[str, str] = {}
    partner = _partner(session, caller_organisation_id, scope, data.partner_organisation_id, errors)
    if data.station_id is not None:
        station = session.get(Station, data.station_id)
        if station is None or partner is None or station.organisation_id != partner.id:
            errors["station_id"] = tr("Choose one of the partner's stations, or all of them")
    values, field_errors = check_agreement(
        {
            "name": data.name,
            "operator_percent": data.operator_percent,
            "fee_per_session": data.fee_per_session,
            "platform_fee": data.platform_fee,
            "currency": data.currency,
        }
    )
    errors.update(field_errors)
    if data.valid_from is None:
        errors["valid_from"] = tr("Give the first day the agreement applies")
    elif data.valid_until is not None and data.valid_until <= data.valid_from:
        errors["valid_until"] = tr("The agreement must end after it starts")
    if values is not None and partner is not None and "currency" not in errors:
        expected = partner_currency(session, stored_id(partner.id))
        if values.currency != expected:
            errors["currency"] = tr(
                "The partner's sessions are priced in {expected}: an "
                "agreement in {currency} would settle none of them",
                expected=expected,
                currency=values.currency,
            )
    if partner is not None and data.valid_from is not None and not errors:
        overlap = _overlapping(session, row.id, data)
        if overlap is not None:
            errors["valid_from"] = tr(
                "Overlaps the agreement {name} for the same stations", name=repr(overlap)
            )
    if errors or values is None or data.valid_from is None:
        raise FinanceError(not_saved(len(errors)), errors)
    row.station_id = data.station_id
    row.name = values.name
    row.operator_percent = percent_text(values.operator_percent)
    row.fee_per_session_minor = values.fee_per_session_minor
    row.platform_fee_minor = values.platform_fee_minor
    row.currency = values.currency
    row.valid_from = data.valid_from
    row.valid_until = data.valid_until


def _partner(
    session: Session,
    caller_organisation_id: int,
    scope: Collection[int],
    partner_id: int,
    errors: dict[str, str],
) -> Organisation | None:
    """The partner, when the caller is the operator right above it; PartnerRefused for a
    partner's own login; a field error for anything else."""
    caller = session.get(Organisation, caller_organisation_id)
    if caller is not None and caller.parent_id is not None:
        raise PartnerRefused(
            tr("Only the operator above a partner makes or changes its revenue-share agreements.")
        )
    partner = session.get(Organisation, partner_id) if partner_id in scope else None
    if partner is None:
        errors["partner_organisation_id"] = tr("No such partner in your network")
        return None
    if partner.parent_id != caller_organisation_id:
        errors["partner_organisation_id"] = tr("Choose a sub-operator: the partner of an agreement")
        return None
    return partner


def _overlapping(session: Session, own_id: int | None, data: AgreementInput) -> str | None:
    """The name of another agreement of the same partner and scope whose time overlaps."""
    assert data.valid_from is not None
    for other in agreements_of(session, data.partner_organisation_id):
        if other.id == own_id or other.station_id != data.station_id:
            continue
        if terms_of(other).overlaps(data.valid_from, data.valid_until):
            return other.name
    return None
