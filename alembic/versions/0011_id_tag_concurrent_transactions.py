"""id tags: fleet cards may run several transactions at once

Revision ID: 0011_concurrent_tx
Revises: 0010_hot_path
Create Date: 2026-12-04 23:50:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0011_concurrent_tx'
down_revision: Union[str, Sequence[str], None] = '0010_hot_path'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every existing card keeps today's rule (one transaction at a time)."""
    with op.batch_alter_table('id_tag', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'concurrent_transactions', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('id_tag', schema=None) as batch_op:
        batch_op.drop_column('concurrent_transactions')
