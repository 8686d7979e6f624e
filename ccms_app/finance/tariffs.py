"""Tariffs: create, edit (a new version), archive, read; the version a session is priced with.

A tariff's prices are an OCPI 2.2.1 Tariff (finance.rules.tariff_json) kept per version: an edit
that changes prices adds a version valid from a moment the operator chooses (now by default,
never in the past: finished sessions keep the price they started with), so a session is always
priced with the version valid when it started (`version_at`). Name and description are not
prices: they change in place.

Every use case takes the caller's `scope` (organisation ids); a tariff outside it does not
exist for the caller.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.rows import stored_id
from ccms_app.core.types import utc_now
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.models import Tariff, TariffAssignment, TariffVersion
from ccms_app.finance.rules.tariff_json import TariffError, dumps_tariff, parse_tariff
from ccms_app.finance.rules.tariff_types import Tariff as TariffDefinition

NAME_MAX = 100
DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class TariffView:
    """A tariff with its current version, as pages and the API show it."""

    id: int
    organisation_id: int
    name: str
    description: str
    currency: str
    archived: bool
    version_id: int
    version: int
    valid_from: datetime
    definition: dict[str, Any]  # OCPI JSON, numbers as Decimal
    updated_at: datetime


@lru_cache(maxsize=512)
def load_definition(text: str, time_zone: str = "UTC") -> TariffDefinition:
    """A stored version's definition as the engine's Tariff, read in `time_zone` (the
    station's: OCPI reads restriction times in the Location's zone). Versions never change,
    so the parsed tariff is kept (per text and zone) for the next session priced with it."""
    return parse_tariff(_json(text), time_zone=time_zone)


def _json(text: str) -> dict[str, Any]:
    data = json.loads(text, parse_float=Decimal)
    return data if isinstance(data, dict) else {}


def check_definition(definition: Mapping[str, Any]) -> TariffDefinition:
    """The definition as a Tariff, or FinanceError naming each wrong field."""
    try:
        return parse_tariff(dict(definition))
    except TariffError as exc:
        count = len(exc.errors)
        message = (
            tr("Tariff not saved: 1 field needs correcting")
            if count == 1
            else tr("Tariff not saved: {count} fields need correcting", count=count)
        )
        raise FinanceError(message, exc.errors) from exc


def _check_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise FinanceError(tr("Tariff not saved: name it"), {"name": tr("A tariff needs a name")})
    if len(name) > NAME_MAX:
        raise FinanceError(
            tr("Tariff not saved"),
            {"name": tr("At most {max} characters ({count} now)", max=NAME_MAX, count=len(name))},
        )
    return name


def _check_description(description: str) -> str:
    if len(description) > DESCRIPTION_MAX:
        raise FinanceError(
            tr("Tariff not saved"),
            {"description": tr("At most {max} characters", max=DESCRIPTION_MAX)},
        )
    return description.strip()


def create_tariff(
    scope: Collection[int],
    organisation_id: int,
    name: str,
    definition: Mapping[str, Any],
    *,
    description: str = "",
    actor: str = "",
    valid_from: datetime | None = None,
) -> TariffView:
    """A new tariff with its first version (valid from `valid_from`, default now)."""
    if organisation_id not in scope:
        raise FinanceError(
            tr("Tariff not saved"), {"organisation_id": tr("Choose an organisation you manage")}
        )
    name, description = _check_name(name), _check_description(description)
    parsed = check_definition(definition)
    now = utc_now()
    tariff = Tariff(
        organisation_id=organisation_id,
        name=name,
        description=description,
        currency=parsed.currency,
        created_at=now,
        updated_at=now,
    )
    with _saving(name):
        with session_scope() as session:
            session.add(tariff)
            session.flush()
            _add_version(session, tariff, parsed, 1, valid_from or now, actor)
        return get_tariff(scope, stored_id(tariff.id))


def update_tariff(
    scope: Collection[int],
    tariff_id: int,
    *,
    name: str | None = None,
    description: str | None = None,
    definition: Mapping[str, Any] | None = None,
    valid_from: datetime | None = None,
    actor: str = "",
) -> TariffView:
    """Rename / describe in place; new prices become a new version valid from `valid_from`
    (default now; the past is refused: it would reprice sessions that already started)."""
    parsed = check_definition(definition) if definition is not None else None
    now = utc_now()
    if valid_from is not None and valid_from < now.replace(microsecond=0):
        raise FinanceError(
            tr("Tariff not saved"),
            {"valid_from": tr("Prices cannot change in the past; choose now or a later time")},
        )
    with _saving(name or ""):
        with session_scope() as session:
            tariff = _scoped(session, tariff_id, scope)
            if name is not None:
                tariff.name = _check_name(name)
            if description is not None:
                tariff.description = _check_description(description)
            if parsed is not None:
                if parsed.currency != tariff.currency and _has_versions(session, tariff):
                    raise FinanceError(
                        tr("Tariff not saved"),
                        {
                            "currency": tr(
                                "This tariff is in {currency}; make a new tariff",
                                currency=tariff.currency,
                            )
                        },
                    )
                number = _last_number(session, stored_id(tariff.id)) + 1
                _add_version(session, tariff, parsed, number, valid_from or now, actor)
            tariff.updated_at = now
            session.add(tariff)
        return get_tariff(scope, tariff_id)


def archive_tariff(scope: Collection[int], tariff_id: int) -> TariffView:
    """No longer offered nor assigned (its assignments go); sessions priced with it keep it."""
    with session_scope() as session:
        tariff = _scoped(session, tariff_id, scope)
        tariff.archived = True
        tariff.updated_at = utc_now()
        session.add(tariff)
        for assignment in session.exec(
            select(TariffAssignment).where(TariffAssignment.tariff_id == tariff_id)
        ):
            session.delete(assignment)
    return get_tariff(scope, tariff_id)


def get_tariff(scope: Collection[int], tariff_id: int) -> TariffView:
    with read_session() as session:
        tariff = _scoped(session, tariff_id, scope)
        version = version_at(session, tariff_id, None)
        if version is None:  # pragma: no cover - every tariff is created with a version
            raise FinanceNotFound(tr("Tariff {tariff_id} has no prices", tariff_id=tariff_id))
        return _view(tariff, version)


def list_tariffs(scope: Collection[int], *, include_archived: bool = False) -> list[TariffView]:
    """The tariffs in scope by name (a network has tens, not thousands)."""
    with read_session() as session:
        query = select(Tariff).where(col(Tariff.organisation_id).in_(list(scope)))
        if not include_archived:
            query = query.where(col(Tariff.archived).is_(False))
        views = []
        for tariff in session.exec(query.order_by(col(Tariff.name))):
            version = version_at(session, stored_id(tariff.id), None)
            if version is not None:
                views.append(_view(tariff, version))
        return views


def versions(scope: Collection[int], tariff_id: int) -> list[TariffVersion]:
    """Every version of the tariff, newest first (what priced which sessions)."""
    with read_session() as session:
        _scoped(session, tariff_id, scope)
        return list(
            session.exec(
                select(TariffVersion)
                .where(TariffVersion.tariff_id == tariff_id)
                .order_by(col(TariffVersion.number).desc())
            )
        )


# Built once (every session is priced with the version valid when it started): a tariff's
# versions, the newest first, and those valid from `at` or earlier.
_NEWEST_FIRST = (
    select(TariffVersion)
    .where(col(TariffVersion.tariff_id) == bindparam("tariff_id"))
    .order_by(col(TariffVersion.valid_from).desc(), col(TariffVersion.number).desc())
)
_VALID_AT = _NEWEST_FIRST.where(col(TariffVersion.valid_from) <= bindparam("at"))


def version_at(session: Session, tariff_id: int, at: datetime | None) -> TariffVersion | None:
    """The version valid at `at` (the latest valid_from <= at); `at` None = the newest one,
    even if it starts later (what an editor shows)."""
    if at is None:
        return session.exec(_NEWEST_FIRST, params={"tariff_id": tariff_id}).first()
    return session.exec(_VALID_AT, params={"tariff_id": tariff_id, "at": at}).first()


def _add_version(
    session: Session,
    tariff: Tariff,
    parsed: TariffDefinition,
    number: int,
    valid_from: datetime,
    actor: str,
) -> None:
    tariff.currency = parsed.currency
    session.add(
        TariffVersion(
            tariff_id=stored_id(tariff.id),
            number=number,
            valid_from=valid_from,
            definition=dumps_tariff(parsed),
            created_by=actor,
        )
    )


def _last_number(session: Session, tariff_id: int) -> int:
    latest = session.exec(
        select(TariffVersion.number)
        .where(TariffVersion.tariff_id == tariff_id)
        .order_by(col(TariffVersion.number).desc())
    ).first()
    return latest or 0


def _has_versions(session: Session, tariff: Tariff) -> bool:
    return _last_number(session, stored_id(tariff.id)) > 0


def _scoped(session: Session, tariff_id: int, scope: Collection[int]) -> Tariff:
    tariff = session.get(Tariff, tariff_id)
    if tariff is None or tariff.organisation_id not in scope:
        raise FinanceNotFound(tr("Tariff {tariff_id} does not exist", tariff_id=tariff_id))
    return tariff


def _view(tariff: Tariff, version: TariffVersion) -> TariffView:
    return TariffView(
        id=stored_id(tariff.id),
        organisation_id=tariff.organisation_id,
        name=tariff.name,
        description=tariff.description,
        currency=tariff.currency,
        archived=tariff.archived,
        version_id=stored_id(version.id),
        version=version.number,
        valid_from=version.valid_from,
        definition=_json(version.definition),
        updated_at=tariff.updated_at,
    )


@contextmanager
def _saving(name: str) -> Iterator[None]:
    """Turns the unique (organisation, name) violation into the name field's message."""
    try:
        yield
    except IntegrityError as exc:
        raise FinanceError(
            tr("Tariff not saved"),
            {"name": tr("A tariff named {name} exists already", name=repr(name))},
        ) from exc
