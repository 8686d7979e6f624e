"""who resolved a charger data issue; an index for the flagged sessions list

- charger_data_issue.resolved_by: the operator (email) who resolved the issue on the
  Maintenance page or a charge point's Data issues tab ("" for issues resolved before).
- charging_session (flagged, start_time): the Maintenance page lists flagged sessions newest
  first; without it every page and count scans all sessions.

Revision ID: 0008_data_issue_admin
Revises: 0007_list_indexes
Create Date: 2026-11-22 09:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0008_data_issue_admin'
down_revision: Union[str, Sequence[str], None] = '0007_list_indexes'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('charger_data_issue', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'resolved_by',
                sqlmodel.sql.sqltypes.AutoString(length=320),
                nullable=False,
                server_default='',
            )
        )

    with op.batch_alter_table('charging_session', schema=None) as batch_op:
        batch_op.create_index('ix_session_flagged_start', ['flagged', 'start_time'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('charging_session', schema=None) as batch_op:
        batch_op.drop_index('ix_session_flagged_start')

    with op.batch_alter_table('charger_data_issue', schema=None) as batch_op:
        batch_op.drop_column('resolved_by')
