"""smart charging: charging profiles and composite schedules

Revision ID: 0005_smart_charging
Revises: 0004_local_list
Create Date: 2026-11-21 06:10:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

import ccms_app.core.types  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0005_smart_charging'
down_revision: Union[str, Sequence[str], None] = '0004_local_list'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('charging_profile',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('charge_point_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('charging_profile_id', sa.Integer(), nullable=False),
    sa.Column('stack_level', sa.Integer(), nullable=False),
    sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('recurrency_kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
    sa.Column('valid_from', ccms_app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('valid_to', ccms_app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('charging_rate_unit', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=True),
    sa.Column('start_schedule', ccms_app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('periods_json', sa.Text(), nullable=False),
    sa.Column('min_charging_rate', sa.Float(), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('command_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('created_at', ccms_app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', ccms_app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charge_point_id'], ['charge_point.id'], ),
    sa.ForeignKeyConstraint(['command_id'], ['charge_point_command.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.ForeignKeyConstraint(['transaction_id'], ['charging_session.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('charging_profile', schema=None) as batch_op:
        batch_op.create_index('ix_charging_profile_cp_status', ['charge_point_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_charging_profile_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('composite_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('charge_point_id', sa.Integer(), nullable=False),
    sa.Column('connector_id', sa.Integer(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('requested_unit', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('schedule_start', ccms_app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('schedule_duration', sa.Integer(), nullable=True),
    sa.Column('charging_rate_unit', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True),
    sa.Column('periods_json', sa.Text(), nullable=False),
    sa.Column('command_id', sa.Integer(), nullable=True),
    sa.Column('requested_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('created_at', ccms_app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['charge_point_id'], ['charge_point.id'], ),
    sa.ForeignKeyConstraint(['command_id'], ['charge_point_command.id'], ),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('composite_schedule', schema=None) as batch_op:
        batch_op.create_index('ix_composite_schedule_cp_time', ['charge_point_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_composite_schedule_organisation_id'), ['organisation_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('composite_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_composite_schedule_organisation_id'))
        batch_op.drop_index('ix_composite_schedule_cp_time')

    op.drop_table('composite_schedule')
    with op.batch_alter_table('charging_profile', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charging_profile_organisation_id'))
        batch_op.drop_index('ix_charging_profile_cp_status')

    op.drop_table('charging_profile')
