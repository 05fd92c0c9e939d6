"""index references: every foreign key column not leading its table's primary key

Deleting or joining parents (a dry run replaces its rows; reconciliation joins) must not scan
the children once per parent row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 19:23:31.123452
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_premise_id'), ['premise_id'], unique=False)

    with op.batch_alter_table('balance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_balance_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_balance_service_id'), ['service_id'], unique=False)

    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meter_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_replaced_by_id'), ['replaced_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_meter_service_id'), ['service_id'], unique=False)



def downgrade() -> None:
    if op.get_bind().dialect.name in ("mysql", "mariadb"):
        # MariaDB keeps an index on every foreign key column anyway (it made its own at 0001,
        # replaced by these); it refuses to drop one a foreign key needs.
        return
    with op.batch_alter_table('meter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meter_service_id'))
        batch_op.drop_index(batch_op.f('ix_meter_replaced_by_id'))
        batch_op.drop_index(batch_op.f('ix_meter_account_id'))

    with op.batch_alter_table('balance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_balance_service_id'))
        batch_op.drop_index(batch_op.f('ix_balance_period'))

    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_premise_id'))
        batch_op.drop_index(batch_op.f('ix_account_person_id'))

