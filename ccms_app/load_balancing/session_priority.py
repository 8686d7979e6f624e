"""Which priority a running session has on a site: the highest of the rules it matches.

A rule matches by the session's id tag (a fleet card), the charge point (a depot bay), the
user group of the tag or of its driver, or an active membership plan of the driver or the
tag's group. A session matching nothing has its charge point's base priority (LoadMember).
Only the kinds a site has rules for are looked up (most sites have none or one kind).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from ccms_app.drivers.models import IdTag, UserGroupMember
from ccms_app.finance.memberships.benefits import counts_at
from ccms_app.finance.memberships.common import HolderKind
from ccms_app.finance.memberships.models import Membership, MembershipStatus
from ccms_app.load_balancing.models import LoadPriority, PriorityKind
from ccms_app.load_balancing.running import RunningSession

Matches = dict[int, set[tuple[str, str]]]  # session id -> {(kind, ref)}


def session_priorities(
    db: Session,
    rules: Collection[LoadPriority],
    sessions: Collection[RunningSession],
    base: dict[int, int],
    now: datetime,
) -> dict[int, int]:
    """Priority per session id; `base` is the priority of each charge point id."""
    result = {s.id: base.get(s.charge_point_id, 0) for s in sessions}
    if not rules or not sessions:
        return result
    by_kind: dict[str, dict[str, int]] = defaultdict(dict)
    for rule in rules:
        best = by_kind[rule.kind].get(rule.ref)
        by_kind[rule.kind][rule.ref] = rule.priority if best is None else max(best, rule.priority)
    for sid, keys in _matches(db, set(by_kind), sessions, now).items():
        for kind, ref in keys:
            level = by_kind.get(kind, {}).get(ref)
            if level is not None:
                result[sid] = max(result[sid], level)
    return result


def _matches(
    db: Session, kinds: set[str], sessions: Collection[RunningSession], now: datetime
) -> Matches:
    found: Matches = defaultdict(set)
    for s in sessions:
        found[s.id].add((PriorityKind.ID_TAG, s.id_tag))
        found[s.id].add((PriorityKind.CHARGE_POINT, str(s.charge_point_id)))
    if not kinds & {PriorityKind.USER_GROUP, PriorityKind.MEMBERSHIP_PLAN}:
        return found
    tags = _tags(db, {s.id_tag for s in sessions})
    groups = _groups_of_drivers(db, {t.driver_id for t in tags.values() if t.driver_id})
    plans = (
        _plans(db, tags.values(), groups, now)
        if PriorityKind.MEMBERSHIP_PLAN in kinds
        else ({}, {})
    )
    for s in sessions:
        tag = tags.get(s.id_tag.lower())
        if tag is None:
            continue
        for group_id in _tag_groups(tag, groups):
            found[s.id].add((PriorityKind.USER_GROUP, str(group_id)))
        for plan_id in _tag_plans(tag, plans):
            found[s.id].add((PriorityKind.MEMBERSHIP_PLAN, str(plan_id)))
    return found


def _tags(db: Session, id_tags: set[str]) -> dict[str, IdTag]:
    rows = db.exec(select(IdTag).where(col(IdTag.id_tag).in_(list(id_tags)))).all()
    return {row.id_tag.lower(): row for row in rows}


def _groups_of_drivers(db: Session, driver_ids: set[int]) -> dict[int, set[int]]:
    groups: dict[int, set[int]] = defaultdict(set)
    if driver_ids:
        query = select(UserGroupMember.driver_id, UserGroupMember.group_id).where(
            col(UserGroupMember.driver_id).in_(list(driver_ids))
        )
        for driver_id, group_id in db.exec(query):
            groups[driver_id].add(group_id)
    return groups


def _tag_groups(tag: IdTag, groups: dict[int, set[int]]) -> set[int]:
    found = set(groups.get(tag.driver_id, set())) if tag.driver_id else set()
    if tag.group_id:
        found.add(tag.group_id)
    return found


PlanHolders = tuple[dict[int, set[int]], dict[int, set[int]]]  # driver -> plans, group -> plans


def _plans(
    db: Session, tags: Iterable[IdTag], groups: dict[int, set[int]], now: datetime
) -> PlanHolders:
    tag_list = list(tags)
    drivers = {t.driver_id for t in tag_list if t.driver_id}
    group_ids = {t.group_id for t in tag_list if t.group_id} | {
        g for gs in groups.values() for g in gs
    }
    return _plans_of(db, HolderKind.DRIVER, drivers, now), _plans_of(
        db, HolderKind.GROUP, group_ids, now
    )


def _plans_of(db: Session, kind: str, holders: set[int], now: datetime) -> dict[int, set[int]]:
    found: dict[int, set[int]] = defaultdict(set)
    if not holders:
        return found
    query = select(Membership).where(
        Membership.status == MembershipStatus.ACTIVE,
        Membership.holder_kind == kind,
        col(Membership.holder_id).in_(list(holders)),
    )
    for m in db.exec(query):
        if counts_at(m, now):
            found[m.holder_id].add(m.plan_id)
    return found


def _tag_plans(tag: IdTag, plans: PlanHolders) -> set[int]:
    by_driver, by_group = plans
    found = set(by_driver.get(tag.driver_id, set())) if tag.driver_id else set()
    if tag.group_id:
        found |= by_group.get(tag.group_id, set())
    return found
