"""accounts: roles and permissions, sub-operator licences, audit log

Revision ID: 0015_roles_licences_audit
Revises: 0014_identity_lower
Create Date: 2026-12-05 02:00:00.000000

"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op
from ccms_app.core.types import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = '0015_roles_licences_audit'
down_revision: str | Sequence[str] | None = '0014_identity_lower'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The built-in roles as this revision knows them (their permissions live in the code).
BUILT_IN = ("Administrator", "Operator", "Finance", "Maintenance staff", "Viewer")


def upgrade() -> None:
    """Every existing login keeps what it had: administrators get Administrator; any other
    account (before roles every login could do everything) gets Operator. Columns are added
    with ALTER TABLE ADD/DROP COLUMN, never a table copy: other tables refer to both tables."""
    op.create_table(
        'role',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('built_in', sa.Boolean(), nullable=False),
        sa.Column('permissions', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_role_organisation_id', 'role', ['organisation_id'])
    bind = op.get_bind()
    for number, name in enumerate(BUILT_IN, start=1):
        bind.execute(
            sa.text(
                "INSERT INTO role (id, organisation_id, name, built_in, permissions, created_at)"
                " VALUES (:id, NULL, :name, :built_in, '', CURRENT_TIMESTAMP)"
            ),
            {'id': number, 'name': name, 'built_in': True},
        )
    if bind.dialect.name == 'sqlite':
        # SQLite may add a column with a REFERENCES clause; alembic only offers a table copy.
        bind.execute(
            sa.text("ALTER TABLE operator_account ADD COLUMN role_id INTEGER REFERENCES role (id)")
        )
    else:
        op.add_column('operator_account', sa.Column('role_id', sa.Integer(), nullable=True))
        op.create_foreign_key(
            'fk_operator_account_role_id', 'operator_account', 'role', ['role_id'], ['id']
        )
    op.add_column(
        'operator_account',
        sa.Column('must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index('ix_operator_account_role_id', 'operator_account', ['role_id'])
    bind.execute(
        sa.text(
            "UPDATE operator_account SET role_id = CASE WHEN is_admin THEN 1 ELSE 2 END"
        )
    )
    op.drop_column('operator_account', 'is_admin')
    op.add_column(
        'login_session',
        sa.Column(
            'remote_address',
            sqlmodel.sql.sqltypes.AutoString(length=64),
            nullable=False,
            server_default='',
        ),
    )
    for column in ('licence_max_charge_points', 'licence_max_connectors'):
        op.add_column('organisation', sa.Column(column, sa.Integer(), nullable=True))
    for column in ('licence_valid_from', 'licence_valid_to'):
        op.add_column('organisation', sa.Column(column, sa.Date(), nullable=True))
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('occurred_at', UTCDateTime(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('remote_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('object_type', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('object_id', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entry_occurred_at', 'audit_entry', ['occurred_at'])
    op.create_index('ix_audit_entry_organisation_id', 'audit_entry', ['organisation_id'])
    op.create_index('ix_audit_entry_account_id', 'audit_entry', ['account_id'])
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action'])


def downgrade() -> None:
    op.drop_table('audit_entry')
    for column in (
        'licence_valid_to', 'licence_valid_from', 'licence_max_connectors',
        'licence_max_charge_points',
    ):
        op.drop_column('organisation', column)
    op.drop_column('login_session', 'remote_address')
    op.add_column(
        'operator_account',
        sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.get_bind().execute(sa.text("UPDATE operator_account SET is_admin = (role_id = 1)"))
    op.drop_index('ix_operator_account_role_id', 'operator_account')
    with op.batch_alter_table('operator_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('role_id')
    op.drop_index('ix_role_organisation_id', 'role')
    op.drop_table('role')
