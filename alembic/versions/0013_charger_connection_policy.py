"""network settings: chargers must authenticate; duplicate connections refused or replaced

Revision ID: 0013_connection_policy
Revises: 0012_message_log_indexes
Create Date: 2026-12-05 00:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

# revision identifiers, used by Alembic.
revision: str = '0013_connection_policy'
down_revision: Union[str, Sequence[str], None] = '0012_message_log_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Existing networks keep connecting as before (no password required); a second
    connection for a live identity without a password is refused from now on. Plain ADD
    COLUMN (no table copy: every table refers to organisation)."""
    op.add_column(
        'organisation',
        sa.Column('charger_auth_required', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'organisation',
        sa.Column(
            'duplicate_connections',
            sqlmodel.sql.sqltypes.AutoString(length=16),
            nullable=False,
            server_default='refuse',
        ),
    )


def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_column('duplicate_connections')
        batch_op.drop_column('charger_auth_required')
