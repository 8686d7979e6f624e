"""The id tags of a local list: adding (by name, or a checked paste of one per line) and
removing. A change marks every charge point the list is assigned to for the next sync."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, func, select

from ccms_app.accounts.organisations import organisation_scope
from ccms_app.core.db import session_scope
from ccms_app.core.i18n import tr
from ccms_app.core.identifiers import FieldError, validate_id_tag
from ccms_app.core.rows import stored_id
from ccms_app.drivers.local_lists.lists import (
    LocalListError,
    LocalListView,
    list_changed,
    list_view,
    load_list,
)
from ccms_app.drivers.models import IdTag, LocalAuthList, LocalAuthListEntry

PASTE_MAX_LINES = 10_000
_IN_CHUNK = 500  # keys per IN (...) so a long paste stays under SQLite's variable limit


@dataclass(frozen=True)
class LineProblem:
    line: int  # 1-based, as the operator pasted it
    text: str
    problem: str


@dataclass(frozen=True)
class AddOutcome:
    """What `add_id_tags_checked` did: nothing at all when `problems` is not empty."""

    added: list[str]
    already: list[str]
    problems: list[LineProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def _present(session: Session, list_id: int) -> set[int]:
    """The ids of the id tags in the list."""
    return set(
        session.exec(
            select(LocalAuthListEntry.id_tag_id).where(col(LocalAuthListEntry.list_id) == list_id)
        ).all()
    )


def _tag_rows(session: Session, row: LocalAuthList, id_tags: Collection[str]) -> list[IdTag]:
    keys = {t.strip().lower() for t in id_tags if t and t.strip()}
    scope = organisation_scope(row.organisation_id)
    found = session.exec(
        select(IdTag).where(
            func.lower(IdTag.id_tag).in_(sorted(keys)), col(IdTag.organisation_id).in_(list(scope))
        )
    ).all()
    missing = keys - {t.id_tag.lower() for t in found}
    if missing:
        raise LocalListError(tr("unknown id tag(s): {sorted}", sorted=", ".join(sorted(missing))))
    return list(found)


def add_id_tags(
    list_id: int, id_tags: Collection[str], scope: Collection[int] | None = None
) -> LocalListView:
    """Put id tags (of the list's organisation or its sub-operators) in a list."""
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        present = _present(session, list_id)
        added = [t for t in _tag_rows(session, row, id_tags) if t.id not in present]
        for tag in added:
            session.add(LocalAuthListEntry(list_id=list_id, id_tag_id=stored_id(tag.id)))
        if added:
            list_changed(session, row)
        return list_view(session, row)


def remove_id_tags(
    list_id: int, id_tags: Collection[str], scope: Collection[int] | None = None
) -> LocalListView:
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        keys = [t.strip().lower() for t in id_tags]
        tag_ids = session.exec(select(IdTag.id).where(func.lower(IdTag.id_tag).in_(keys))).all()
        session.exec(
            delete(LocalAuthListEntry).where(
                col(LocalAuthListEntry.list_id) == list_id,
                col(LocalAuthListEntry.id_tag_id).in_(list(tag_ids)),
            )
        )
        list_changed(session, row)
        return list_view(session, row)


def _line_problem(text: str) -> str:
    """Why a pasted line cannot be an id tag ("" when its form is fine)."""
    try:
        validate_id_tag(text)
    except FieldError as exc:
        return tr("not an id tag: {problem}", problem=str(exc).removeprefix("id_tag "))
    return ""


def _cards_by_key(session: Session, keys: list[str], scope: Collection[int]) -> dict[str, IdTag]:
    found: dict[str, IdTag] = {}
    for start in range(0, len(keys), _IN_CHUNK):
        chunk = keys[start : start + _IN_CHUNK]
        for tag in session.exec(
            select(IdTag).where(
                func.lower(IdTag.id_tag).in_(chunk), col(IdTag.organisation_id).in_(list(scope))
            )
        ).all():
            found[tag.id_tag.lower()] = tag
    return found


def _wanted_lines(lines: Sequence[str]) -> tuple[dict[str, int], list[LineProblem]]:
    """The id tags of the pasted lines (lower-case -> first line) and the malformed lines."""
    wanted: dict[str, int] = {}
    problems: list[LineProblem] = []
    for number, raw in enumerate(lines, start=1):
        text = raw.strip()
        problem = _line_problem(text) if text else ""
        if problem:
            problems.append(LineProblem(number, text, problem))
        elif text:
            wanted.setdefault(text.lower(), number)
    return wanted, problems


def add_id_tags_checked(
    list_id: int, lines: Sequence[str], scope: Collection[int] | None = None
) -> AddOutcome:
    """Add id tags given one per line (pasted, or picked). Every line is checked: blank lines
    are skipped, a malformed or unknown id tag is reported with its line number, and then
    nothing is added. Id tags already in the list are reported, not an error."""
    if len(lines) > PASTE_MAX_LINES:
        problem = tr(
            "{count} lines: at most {maximum} at a time", count=len(lines), maximum=PASTE_MAX_LINES
        )
        return AddOutcome([], [], [LineProblem(0, "", problem)])
    with session_scope() as session:
        row = load_list(session, list_id, scope)
        wanted, problems = _wanted_lines(lines)
        cards = _cards_by_key(session, sorted(wanted), organisation_scope(row.organisation_id))
        problems += [
            LineProblem(number, lines[number - 1].strip(), tr("no such RFID card in this network"))
            for key, number in wanted.items()
            if key not in cards
        ]
        if problems:
            return AddOutcome([], [], sorted(problems, key=lambda p: p.line))
        present = _present(session, list_id)
        ordered = [cards[key] for key in wanted]
        added = [t for t in ordered if t.id not in present]
        session.add_all(
            LocalAuthListEntry(list_id=list_id, id_tag_id=stored_id(t.id)) for t in added
        )
        if added:
            list_changed(session, row)
        already = [t.id_tag for t in ordered if t.id in present]
        return AddOutcome([t.id_tag for t in added], already, [])
