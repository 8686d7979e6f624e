"""id tags: an index on lower(id_tag) for the case-insensitive lookups

Revision ID: 0030_id_tag_lower
Revises: 0029_id_sequences
Create Date: 2026-12-07 21:40:00

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = "0030_id_tag_lower"
down_revision: Union[str, Sequence[str], None] = "0029_id_sequences"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Authorize, StartTransaction and the session's payer find an id tag by lower(id_tag)
    (OCPP IdTokens are case-insensitive); the unique index on id_tag cannot serve that, so
    each lookup scanned every card. Not unique: a database may hold tags that differ only in
    case, and the upgrade keeps every row (creating an index copies no table)."""
    op.create_index("ix_id_tag_id_tag_lower", "id_tag", [sa.text("lower(id_tag)")])


def downgrade() -> None:
    op.drop_index("ix_id_tag_id_tag_lower", table_name="id_tag")
