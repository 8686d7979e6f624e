"""Document numbers: one gap-free series per issuing organisation and kind.

`take_number` runs inside the issuing transaction: the number and the document commit
together or not at all, so a failed issue gives its number back (the rollback undoes the
increment) and numbers never skip. They never repeat either:
- the series row is created with INSERT .. ON CONFLICT DO NOTHING, so two first issues
  racing for a new series cannot both create it;
- the increment is one UPDATE .. RETURNING: on PostgreSQL the UPDATE's row lock makes a
  second issuer wait for the first transaction's end and then read its committed value; on
  SQLite `core.db.session_scope` opens the transaction with BEGIN IMMEDIATE, so issuing
  transactions run one after the other (busy_timeout makes the next one wait).

Number text (finance.rules.documents.document_number): "R-000042" (receipt),
"INV-000042" (invoice), "CN-000042" (credit note).
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from ccms_app.finance.models import DocumentSequence
from ccms_app.finance.rules.documents import NUMBER_PREFIXES

SEQUENCES = DocumentSequence.__table__  # type: ignore[attr-defined]


def take_number(session: Session, organisation_id: int, kind: str) -> int:
    """The next number of `organisation_id`'s `kind` series, taken in `session`'s transaction."""
    if kind not in NUMBER_PREFIXES:
        raise ValueError(f"unknown document kind {kind!r}")
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    session.execute(
        insert(SEQUENCES)
        .values(organisation_id=organisation_id, kind=kind, next_number=1)
        .on_conflict_do_nothing()
    )
    taken = session.execute(
        update(SEQUENCES)
        .where(SEQUENCES.c.organisation_id == organisation_id, SEQUENCES.c.kind == kind)
        .values(next_number=SEQUENCES.c.next_number + 1)
        .returning(SEQUENCES.c.next_number)
    ).scalar_one()
    return int(taken) - 1
