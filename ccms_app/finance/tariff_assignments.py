"""Which tariff applies where: assignments, and the resolution for a charge point + id tag.

Resolution order, most specific first (the first level with an assignment wins):

1. the driver who owns the id tag;
   then the member tariff of the card holder's active membership (a group card's: the group
   account's), when the plan belongs to the charge point's organisation or its parent
   operator (finance.memberships.benefits.member_tariff; the reason says "membership <plan>");
2. the id tag's group (a fleet card charges on its group's account), else the groups the
   driver is an authorised member of (by group name, so the answer is stable);
3. the connector; 4. the charge point; 5. its station;
6. the network default of the charge point's organisation, then of its parent operator.

Only assignments made by the charge point's organisation or its parent operator count: a
sub-operator's driver tariff does not price another sub-operator's chargers. A tariff level
whose tariff has no version valid at that moment is passed over (said in the reason).
The version used is the one valid when the session started (finance.tariffs.version_at).

The reason is written in English (it is stored with the cost, priced as the charger stops:
nobody reads it then) from the messages below; `reason_text` shows a stored reason in the
reader's language, and assignments' labels are written in it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ccms_app.accounts.models import Organisation
from ccms_app.core.db import read_session, session_scope
from ccms_app.core.i18n import N_, tr
from ccms_app.core.rows import stored_id
from ccms_app.core.stored_text import fits, reword
from ccms_app.drivers.id_tag_lookup import find_id_tag
from ccms_app.drivers.models import Driver, IdTag, UserGroup, UserGroupMember
from ccms_app.finance.errors import FinanceError, FinanceNotFound
from ccms_app.finance.memberships.benefits import MemberTariff, member_tariff
from ccms_app.finance.memberships.models import MembershipPlan
from ccms_app.finance.models import AssignmentTarget, Tariff, TariffAssignment, TariffVersion
from ccms_app.finance.tariffs import version_at
from ccms_app.network.models import ChargePoint, Connector, Station

UNKNOWN_CONNECTOR = "connector#"  # a connector that is gone: its id only
# What an assignment is to (the tariff page's rows), by target.
LABELS: dict[str, str] = {
    AssignmentTarget.NETWORK.value: N_("Network default of {name}"),
    AssignmentTarget.STATION.value: N_("Station {name}"),
    AssignmentTarget.CHARGE_POINT.value: N_("Charge point {name}"),
    AssignmentTarget.CONNECTOR.value: N_("Connector {connector} of {charge_point}"),
    UNKNOWN_CONNECTOR: N_("Connector #{id}"),
    AssignmentTarget.GROUP.value: N_("Group {name}"),
    AssignmentTarget.DRIVER.value: N_("Driver {name}"),
}
# Why a tariff applies (the reason), by target; a group by why its tariff may price the card.
CARD_GROUP, MEMBER_GROUP = "the card's group", "the driver is a member"
ASSIGNED: dict[str, str] = {
    AssignmentTarget.NETWORK.value: N_("assigned to network default of {name}"),
    AssignmentTarget.STATION.value: N_("assigned to station {name}"),
    AssignmentTarget.CHARGE_POINT.value: N_("assigned to charge point {name}"),
    AssignmentTarget.CONNECTOR.value: N_("assigned to connector {connector} of {charge_point}"),
    UNKNOWN_CONNECTOR: N_("assigned to connector #{id}"),
    CARD_GROUP: N_("assigned to group {name} (the card's group)"),
    MEMBER_GROUP: N_("assigned to group {name} (the driver is a member)"),
    AssignmentTarget.GROUP.value: N_("assigned to group {name}"),
    AssignmentTarget.DRIVER.value: N_("assigned to driver {name}"),
}
NO_SUCH: dict[str, str] = {
    AssignmentTarget.NETWORK.value: N_("No such network"),
    AssignmentTarget.STATION.value: N_("No such station"),
    AssignmentTarget.CHARGE_POINT.value: N_("No such charge point"),
    AssignmentTarget.CONNECTOR.value: N_("No such connector"),
    AssignmentTarget.GROUP.value: N_("No such group"),
    AssignmentTarget.DRIVER.value: N_("No such driver"),
}
MEMBERSHIP = N_("membership {plan}")
NO_PRICES = N_("{tariff} ({why}) has no prices yet at that time")
PASSED_OVER = N_("{why}; passed over: {skipped}")
REASON_MAX = 200


@dataclass(frozen=True)
class Resolution:
    """The tariff (and version) that prices a session, and why."""

    tariff_id: int
    tariff_name: str
    version: TariffVersion
    target: AssignmentTarget | None  # None: a membership's, or taken over from the cost so far
    reason: str
    membership_id: int | None = None  # the membership whose member tariff this is


@dataclass(frozen=True)
class _Level:
    """One candidate of the resolution with a tariff: why it would apply."""

    tariff: Tariff
    why: str  # "assigned to driver Ada", "membership Gold"
    target: AssignmentTarget | None
    membership_id: int | None = None


@dataclass(frozen=True)
class AssignmentView:
    id: int
    tariff_id: int
    tariff_name: str
    target: str
    target_id: int
    target_label: str


def assign(
    scope: Collection[int], tariff_id: int, target: AssignmentTarget, target_id: int, actor: str
) -> AssignmentView:
    """Assign the tariff to the target, replacing what that target had."""
    with session_scope() as session:
        tariff = session.get(Tariff, tariff_id)
        if tariff is None or tariff.organisation_id not in scope:
            raise FinanceNotFound(tr("Tariff {tariff_id} does not exist", tariff_id=tariff_id))
        if tariff.archived:
            raise FinanceError(tr("Not assigned"), {"tariff_id": tr("This tariff is archived")})
        owner = _target_owner(session, target, target_id)
        if owner is None or owner not in scope:
            raise FinanceError(tr("Not assigned"), {"target_id": tr(NO_SUCH[target.value])})
        existing = session.exec(
            select(TariffAssignment).where(
                TariffAssignment.organisation_id == tariff.organisation_id,
                TariffAssignment.target_kind == target.value,
                TariffAssignment.target_id == target_id,
            )
        ).first()
        row = existing or TariffAssignment(
            organisation_id=tariff.organisation_id,
            tariff_id=tariff_id,
            target_kind=target.value,
            target_id=target_id,
        )
        row.tariff_id = tariff_id
        row.created_by = actor
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:  # a concurrent assignment of the same target
            raise FinanceError(
                tr("Not assigned: try again"), {"target_id": tr("Changed meanwhile")}
            ) from exc
        return _assignment_view(session, row, tariff)


def unassign(scope: Collection[int], assignment_id: int) -> None:
    with session_scope() as session:
        row = session.get(TariffAssignment, assignment_id)
        if row is None or row.organisation_id not in scope:
            raise FinanceNotFound(
                tr("Assignment {assignment_id} does not exist", assignment_id=assignment_id)
            )
        session.delete(row)


def assignments(scope: Collection[int], tariff_id: int | None = None) -> list[AssignmentView]:
    """The assignments in scope (of one tariff, or all), most general first."""
    order = {target.value: index for index, target in enumerate(AssignmentTarget)}
    with read_session() as session:
        query = (
            select(TariffAssignment, Tariff)
            .join(Tariff, col(Tariff.id) == TariffAssignment.tariff_id)
            .where(col(TariffAssignment.organisation_id).in_(list(scope)))
        )
        if tariff_id is not None:
            query = query.where(TariffAssignment.tariff_id == tariff_id)
        views = [_assignment_view(session, row, tariff) for row, tariff in session.exec(query)]
    return sorted(views, key=lambda view: (order.get(view.target, 99), view.target_label))


def resolve(
    session: Session,
    charge_point_id: int,
    connector_id: int,
    id_tag: str,
    at: datetime,
    connector_pk: int | None = None,
) -> Resolution | None:
    """The tariff that prices a session started at `at`, or None when nothing is assigned.

    One query finds every assignment of every candidate level; the order of the levels then
    decides (the stop's transaction runs this, so it stays a handful of indexed reads)."""
    cp = session.get(ChargePoint, charge_point_id)
    if cp is None:
        return None
    owners = _owner_chain(session, cp.organisation_id)
    tag = find_id_tag(session, id_tag)
    candidates = _candidates(session, cp, connector_id, connector_pk, tag, owners)
    found = _assigned(session, owners, candidates)
    member = member_tariff(session, tag, owners, at)
    skipped: list[str] = []
    for level in _levels(session, candidates, found, member):
        version = version_at(session, stored_id(level.tariff.id), at)
        if version is None:
            skipped.append(NO_PRICES.format(tariff=level.tariff.name, why=level.why))
            continue
        reason = level.why
        if skipped:
            reason = PASSED_OVER.format(why=level.why, skipped="; ".join(skipped))
        reason = reason[:REASON_MAX]
        tariff_id = stored_id(level.tariff.id)
        return Resolution(
            tariff_id, level.tariff.name, version, level.target, reason, level.membership_id
        )
    return None


def pricing_organisations(session: Session) -> frozenset[int]:
    """The organisations whose charge points some tariff may price: those with a tariff
    assignment or a member tariff, and their sub-operators (`resolve` falls back to the
    parent operator's). A charge point of any other organisation resolves to no tariff
    whatever the session, so a caller pricing many sessions asks this once instead of
    resolving each (three small queries)."""
    assigning = set(session.exec(select(TariffAssignment.organisation_id).distinct()).all())
    assigning |= set(
        session.exec(
            select(MembershipPlan.organisation_id)
            .where(col(MembershipPlan.member_tariff_id).is_not(None))
            .distinct()
        ).all()
    )
    if not assigning:
        return frozenset()
    children = session.exec(
        select(Organisation.id).where(col(Organisation.parent_id).in_(list(assigning)))
    ).all()
    return frozenset(assigning | {stored_id(child) for child in children})


def _levels(
    session: Session,
    candidates: list[tuple[AssignmentTarget, int, str]],
    found: dict[tuple[str, int], Tariff],
    member: MemberTariff | None,
) -> list[_Level]:
    """The candidates that have a tariff, most specific first; the member tariff right after
    the driver's own assignment."""
    levels: list[_Level] = []
    for target, target_id, why in candidates:
        tariff = found.get((target.value, target_id))
        if tariff is None:
            continue
        key, values = _target_words(session, target, target_id)
        levels.append(_Level(tariff, ASSIGNED[why or key].format(**values), target))
    if member is not None:
        at = sum(1 for level in levels if level.target is AssignmentTarget.DRIVER)
        why = MEMBERSHIP.format(plan=member.plan_name)
        levels.insert(at, _Level(member.tariff, why, None, member.membership_id))
    return levels


def reason_text(stored: str) -> str:
    """A stored reason ("assigned to station Depot; passed over: ...") in the reader's
    language; a reason of another wording (or cut at REASON_MAX) as stored."""
    why, passed, skipped = stored.partition("; passed over: ")
    parts = skipped.split("; ") if passed else []
    whole = fits(why, _WHYS) is not None and all(_skipped_fits(part) for part in parts)
    if not whole:
        return stored
    if not passed:
        return _why_text(stored)
    shown = "; ".join(reword(part, [NO_PRICES], {"why": _why_text}) for part in parts)
    return tr(PASSED_OVER, why=_why_text(why), skipped=shown)


_WHYS = (*ASSIGNED.values(), MEMBERSHIP)


def _why_text(stored: str) -> str:
    return reword(stored, _WHYS)


def _skipped_fits(stored: str) -> bool:
    found = fits(stored, [NO_PRICES])
    return found is not None and fits(found[1]["why"], _WHYS) is not None


def explain(
    scope: Collection[int], charge_point_id: int, connector_id: int, id_tag: str, at: datetime
) -> Resolution | None:
    """`resolve` for an operator's "which tariff applies here and why" (charge point in scope)."""
    with read_session() as session:
        cp = session.get(ChargePoint, charge_point_id)
        if cp is None or cp.organisation_id not in scope:
            raise FinanceNotFound(
                tr("Charge point {charge_point_id} does not exist", charge_point_id=charge_point_id)
            )
        return resolve(session, charge_point_id, connector_id, id_tag.strip(), at)


def _candidates(
    session: Session,
    cp: ChargePoint,
    connector_id: int,
    connector_pk: int | None,
    tag: IdTag | None,
    owners: list[int],
) -> list[tuple[AssignmentTarget, int, str]]:
    """(target, id, why) from the most specific to the network default."""
    found: list[tuple[AssignmentTarget, int, str]] = []
    if tag is not None and tag.driver_id is not None:
        found.append((AssignmentTarget.DRIVER, tag.driver_id, ""))
    for group_id, why in _groups(session, tag):
        found.append((AssignmentTarget.GROUP, group_id, why))
    if connector_pk is None:
        connector_pk = session.exec(
            select(Connector.id).where(
                Connector.charge_point_id == cp.id, Connector.connector_id == connector_id
            )
        ).first()
    if connector_pk is not None:
        found.append((AssignmentTarget.CONNECTOR, connector_pk, ""))
    found.append((AssignmentTarget.CHARGE_POINT, stored_id(cp.id), ""))
    if cp.station_id is not None:
        found.append((AssignmentTarget.STATION, cp.station_id, ""))
    found += [(AssignmentTarget.NETWORK, owner, "") for owner in owners]
    return found


def _groups(session: Session, tag: IdTag | None) -> list[tuple[int, str]]:
    """(group id, why) of the groups whose tariff may price the card's sessions."""
    if tag is None:
        return []
    if tag.group_id is not None:
        return [(tag.group_id, CARD_GROUP)]
    if tag.driver_id is None:
        return []
    rows = session.exec(
        select(UserGroup.id)
        .join(UserGroupMember, col(UserGroupMember.group_id) == UserGroup.id)
        .where(UserGroupMember.driver_id == tag.driver_id, col(UserGroupMember.authorised))
        .order_by(col(UserGroup.name))
    ).all()
    return [(stored_id(group_id), MEMBER_GROUP) for group_id in rows]


# Built once (every stop resolves its tariff): the live assignments by these owners to these
# kinds of target and these ids, each column an IN so that the unique index (organisation,
# kind, id) is sought, never scanned; `_assigned` keeps the (kind, id) pairs it asked for.
_ASSIGNED_TO = (
    select(TariffAssignment, Tariff)
    .join(Tariff, col(Tariff.id) == TariffAssignment.tariff_id)
    .where(
        col(TariffAssignment.organisation_id).in_(bindparam("owners", expanding=True)),
        col(TariffAssignment.target_kind).in_(bindparam("kinds", expanding=True)),
        col(TariffAssignment.target_id).in_(bindparam("target_ids", expanding=True)),
        col(Tariff.archived).is_(False),
    )
)


def _assigned(
    session: Session, owners: list[int], candidates: list[tuple[AssignmentTarget, int, str]]
) -> dict[tuple[str, int], Tariff]:
    """The tariff assigned to each candidate, by the nearest owner (the charge point's own
    organisation before its parent operator)."""
    wanted = {(target.value, target_id) for target, target_id, _ in candidates}
    params = {
        "owners": owners,
        "kinds": sorted({kind for kind, _ in wanted}),
        "target_ids": sorted({target_id for _, target_id in wanted}),
    }
    rows = session.exec(_ASSIGNED_TO, params=params).all()
    rank = {owner: index for index, owner in enumerate(owners)}
    found: dict[tuple[str, int], tuple[int, Tariff]] = {}
    for row, tariff in rows:
        key = (row.target_kind, row.target_id)
        if key not in wanted:  # the same id of another kind of target
            continue
        nearness = rank.get(row.organisation_id, len(owners))
        if key not in found or nearness < found[key][0]:
            found[key] = (nearness, tariff)
    return {key: tariff for key, (_, tariff) in found.items()}


def _owner_chain(session: Session, organisation_id: int) -> list[int]:
    """The organisation, then its parent operator (a sub-operator's chargers fall back to
    the operator's assignments)."""
    chain = [organisation_id]
    organisation = session.get(Organisation, organisation_id)
    if organisation is not None and organisation.parent_id is not None:
        chain.append(organisation.parent_id)
    return chain


TargetModel = type[Station] | type[ChargePoint] | type[UserGroup] | type[Driver]
_TARGET_MODELS: dict[AssignmentTarget, TargetModel] = {
    AssignmentTarget.STATION: Station,
    AssignmentTarget.CHARGE_POINT: ChargePoint,
    AssignmentTarget.GROUP: UserGroup,
    AssignmentTarget.DRIVER: Driver,
}


def _target_owner(session: Session, target: AssignmentTarget, target_id: int) -> int | None:
    """The organisation the target belongs to (None: no such target)."""
    if target is AssignmentTarget.NETWORK:
        return target_id if session.get(Organisation, target_id) is not None else None
    if target is AssignmentTarget.CONNECTOR:
        connector = session.get(Connector, target_id)
        cp = session.get(ChargePoint, connector.charge_point_id) if connector else None
        return cp.organisation_id if cp is not None else None
    row: Any = session.get(_TARGET_MODELS[target], target_id)
    return row.organisation_id if row is not None else None


def _assignment_view(session: Session, row: TariffAssignment, tariff: Tariff) -> AssignmentView:
    return AssignmentView(
        id=stored_id(row.id),
        tariff_id=stored_id(tariff.id),
        tariff_name=tariff.name,
        target=row.target_kind,
        target_id=row.target_id,
        target_label=_label(session, AssignmentTarget(row.target_kind), row.target_id),
    )


def _label(session: Session, target: AssignmentTarget, target_id: int) -> str:
    """ "Station Depot", "Connector 2 of CP-7": the target in the reader's language."""
    key, values = _target_words(session, target, target_id)
    return tr(LABELS[key], **values)


def _target_words(
    session: Session, target: AssignmentTarget, target_id: int
) -> tuple[str, dict[str, Any]]:
    """Which message names the target (a key of LABELS and ASSIGNED) and its values."""
    if target is AssignmentTarget.NETWORK:
        organisation = session.get(Organisation, target_id)
        return target.value, {"name": organisation.name if organisation else target_id}
    if target is AssignmentTarget.CONNECTOR:
        connector = session.get(Connector, target_id)
        cp = session.get(ChargePoint, connector.charge_point_id) if connector else None
        if connector is None or cp is None:
            return UNKNOWN_CONNECTOR, {"id": target_id}
        return target.value, {"connector": connector.connector_id, "charge_point": cp.identity}
    row: Any = session.get(_TARGET_MODELS[target], target_id)
    name = getattr(row, "identity", None) or getattr(row, "name", None) or f"#{target_id}"
    return target.value, {"name": name}
