"""reservations: an index on session_id for the pricing of every stop

Revision ID: 0031_reservation_session
Revises: 0030_id_tag_lower
Create Date: 2026-12-07 22:15:00

"""

from typing import Sequence, Union

from alembic import op


revision: str = "0031_reservation_session"
down_revision: Union[str, Sequence[str], None] = "0030_id_tag_lower"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Pricing a session as it ends asks which reservation it used (a reservation fee prices
    the time from the reservation on); without this index every StopTransaction read every
    reservation ever made. Creating an index keeps every row."""
    op.create_index("ix_reservation_session_id", "reservation", ["session_id"])


def downgrade() -> None:
    op.drop_index("ix_reservation_session_id", table_name="reservation")
