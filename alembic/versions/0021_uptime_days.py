"""uptime days: the NEVI / UK uptime roll-up (one row per connector and UTC day)

Revision ID: 0021_uptime_days
Revises: 0020_maintenance
Create Date: 2026-12-05 13:01:06.282486

"""

from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

import ccms_app.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = "0021_uptime_days"
down_revision: Union[str, Sequence[str], None] = "0020_maintenance"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "uptime_day",
        sa.Column("charge_point_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("hours_key", sa.BigInteger(), nullable=False),
        sa.Column("outage_us", sa.BigInteger(), nullable=False),
        sa.Column("closed_outage_us", sa.BigInteger(), nullable=False),
        sa.Column("working_us", sa.BigInteger(), nullable=False),
        sa.Column("ineligible_us", sa.BigInteger(), nullable=False),
        sa.Column("not_working_us", sa.BigInteger(), nullable=False),
        sa.Column("computed_at", ccms_app.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charge_point_id"],
            ["charge_point.id"],
        ),
        sa.PrimaryKeyConstraint("charge_point_id", "connector_id", "day"),
    )
    with op.batch_alter_table("uptime_day", schema=None) as batch_op:
        batch_op.create_index("ix_uptime_day_day", ["day"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("uptime_day", schema=None) as batch_op:
        batch_op.drop_index("ix_uptime_day_day")

    op.drop_table("uptime_day")
