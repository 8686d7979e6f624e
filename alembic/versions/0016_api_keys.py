"""accounts: API keys for the REST API

Revision ID: 0016_api_keys
Revises: 0015_roles_licences_audit
Create Date: 2026-12-05 05:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from ccms_app.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0016_api_keys'
down_revision: str | Sequence[str] | None = '0015_roles_licences_audit'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """A new table: nothing existing changes."""
    op.create_table(
        'api_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('role_id', sa.Integer(), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('prefix', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.Column('last_used_at', UTCDateTime(), nullable=True),
        sa.Column('last_used_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['role_id'], ['role.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_api_key_organisation_id', 'api_key', ['organisation_id'])
    op.create_index('ix_api_key_role_id', 'api_key', ['role_id'])
    op.create_index('ix_api_key_key_hash', 'api_key', ['key_hash'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_api_key_key_hash', table_name='api_key')
    op.drop_index('ix_api_key_role_id', table_name='api_key')
    op.drop_index('ix_api_key_organisation_id', table_name='api_key')
    op.drop_table('api_key')
