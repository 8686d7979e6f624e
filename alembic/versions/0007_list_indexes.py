"""indexes the 100,000-row list benchmark showed missing

bench/lists_100k.py, 100,000 charge points (0.1 % unregistered) and 10,000 stations:
- charge_point (registration_state, identity): the unregistered list filters on the state
  and sorts by identity; without it SQLite walks the identity index over every charge point
  (first page 8 ms -> 0.9 ms, search 89 -> 1.4 ms, deep page 24 -> 0.9 ms, count 7.6 -> 0.8 ms).
- station (name): the stations list sorts by name (and charge points filter by station name);
  without it every page sorts all stations in a temp B-tree
  (first page 16 -> 2.8 ms, deep page 50 -> 7.8 ms).

Revision ID: 0007_list_indexes
Revises: 0006_assets_users
Create Date: 2026-11-21 06:30:00.000000

"""
from typing import Sequence, Union

from alembic import op


# revision identifiers, used by Alembic.
revision: str = '0007_list_indexes'
down_revision: Union[str, Sequence[str], None] = '0006_assets_users'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('charge_point', schema=None) as batch_op:
        batch_op.create_index(
            'ix_charge_point_registration_identity', ['registration_state', 'identity'], unique=False
        )

    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.create_index('ix_station_name', ['name'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('station', schema=None) as batch_op:
        batch_op.drop_index('ix_station_name')

    with op.batch_alter_table('charge_point', schema=None) as batch_op:
        batch_op.drop_index('ix_charge_point_registration_identity')
