"""hot path: data issue open-key index

Revision ID: 0010_hot_path
Revises: 0009_vehicle_make
Create Date: 2026-12-04 21:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401

import ccms_app.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0010_hot_path'
down_revision: Union[str, Sequence[str], None] = '0009_vehicle_make'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema: the open-issue lookup of every odd OCPP message becomes an index seek."""
    with op.batch_alter_table('charger_data_issue', schema=None) as batch_op:
        batch_op.create_index(
            'ix_data_issue_open_key', ['identity', 'kind', 'detail', 'resolved_at'], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('charger_data_issue', schema=None) as batch_op:
        batch_op.drop_index('ix_data_issue_open_key')
