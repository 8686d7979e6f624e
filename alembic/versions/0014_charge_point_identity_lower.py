"""charge points: an index on lower(identity) for look-alike identities

Revision ID: 0014_identity_lower
Revises: 0013_connection_policy
Create Date: 2026-12-05 01:05:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '0014_identity_lower'
down_revision: Union[str, Sequence[str], None] = '0013_connection_policy'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Every connection of an unknown identity asks whether a registered one differs from it
    only in letter case: an index seek instead of a scan of every charge point. Creating an
    index keeps every row (no table copy)."""
    op.create_index(
        'ix_charge_point_identity_lower', 'charge_point', [sa.text('lower(identity)')]
    )


def downgrade() -> None:
    op.drop_index('ix_charge_point_identity_lower', table_name='charge_point')
