"""webhooks: subscriptions and their deliveries

Revision ID: 0017_webhooks
Revises: 0016_api_keys
Create Date: 2026-12-05 09:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from ccms_app.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0017_webhooks'
down_revision: str | Sequence[str] | None = '0016_api_keys'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Two new tables: nothing existing changes."""
    op.create_table(
        'webhook_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column('events', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('secret', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.Column('last_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('last_outcome', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('failing_since', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_webhook_subscription_organisation_id', 'webhook_subscription', ['organisation_id']
    )
    op.create_table(
        'webhook_delivery',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subscription_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('event_type', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column('charge_point_id', sa.Integer(), nullable=True),
        sa.Column('identity', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('last_attempt_at', UTCDateTime(), nullable=True),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('response_body', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column('duration_ms', sa.Integer(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['subscription_id'], ['webhook_subscription.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(
        'ix_webhook_delivery_due',
        'webhook_delivery',
        ['subscription_id', 'state', 'next_attempt_at'],
    )
    op.create_index(
        'ix_webhook_delivery_chain',
        'webhook_delivery',
        ['subscription_id', 'charge_point_id', 'state', 'id'],
    )
    op.create_index(
        'ix_webhook_delivery_log', 'webhook_delivery', ['subscription_id', 'created_at']
    )
    op.create_index('ix_webhook_delivery_finished', 'webhook_delivery', ['finished_at'])


def downgrade() -> None:
    op.drop_index('ix_webhook_delivery_finished', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_log', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_chain', table_name='webhook_delivery')
    op.drop_index('ix_webhook_delivery_due', table_name='webhook_delivery')
    op.drop_table('webhook_delivery')
    op.drop_index(
        'ix_webhook_subscription_organisation_id', table_name='webhook_subscription'
    )
    op.drop_table('webhook_subscription')
