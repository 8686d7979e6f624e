"""message log: one index (charge point, time) instead of three

Revision ID: 0012_message_log_indexes
Revises: 0011_concurrent_tx
Create Date: 2026-12-05 00:00:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0012_message_log_indexes'
down_revision: Union[str, Sequence[str], None] = '0011_concurrent_tx'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every OCPP frame is a row here; no query looks frames up by message id or by action
    alone (the log's tab and export go through ix_ocpp_message_identity_time), so those two
    indexes only cost every insert. Dropping an index keeps every row (no table copy)."""
    op.drop_index('ix_ocpp_message_message_id', table_name='ocpp_message')
    op.drop_index('ix_ocpp_message_action', table_name='ocpp_message')


def downgrade() -> None:
    """Downgrade schema."""
    op.create_index('ix_ocpp_message_action', 'ocpp_message', ['action'], unique=False)
    op.create_index('ix_ocpp_message_message_id', 'ocpp_message', ['message_id'], unique=False)
