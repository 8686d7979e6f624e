"""PostgreSQL: every id sequence continues after the ids its table holds

Revision 0015 inserted the built-in roles with ids 1..n. SQLite numbers the next row after the
largest id; PostgreSQL's sequence knew nothing of them and handed out id 1 again, so the first
custom role made on PostgreSQL failed on the primary key. This moves every table's id sequence
past its rows (nothing on SQLite; no data changes anywhere).

Revision ID: 0029_id_sequences
Revises: 0028_driver_app
Create Date: 2026-12-06 11:00:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0029_id_sequences"
down_revision: Union[str, Sequence[str], None] = "0028_driver_app"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_TABLES_WITH_ID = sa.text(
    "SELECT table_name FROM information_schema.columns"
    " WHERE table_schema = current_schema() AND column_name = 'id'"
)
_SEQUENCE_OF = sa.text("SELECT pg_get_serial_sequence(quote_ident(:table), 'id')")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for (table,) in bind.execute(_TABLES_WITH_ID).all():
        sequence = bind.execute(_SEQUENCE_OF, {"table": table}).scalar()
        if sequence is None:  # an id that no sequence numbers
            continue
        # setval(seq, max, true): the next id is max + 1; an empty table starts at 1.
        bind.execute(
            sa.text(
                f'SELECT setval(:sequence, COALESCE((SELECT MAX(id) FROM "{table}"), 1),'
                f' (SELECT MAX(id) FROM "{table}") IS NOT NULL)'
            ),
            {"sequence": sequence},
        )


def downgrade() -> None:
    """Nothing to undo: the sequences stay past the rows, as they must."""
