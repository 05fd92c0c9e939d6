"""month-end: base readings, the lock and saved copies

The base reading of a meter and zone for the next period; the lock a month-end holds in the
target (a row that outlives a killed process); and a bare copy of every saved table, which a
month-end fills before its load so that a rollback can bring the target back as it was.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 01:38:55.876221
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from cutover.schema.types import ExactDecimal

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cutover_lock',
    sa.Column('name', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('host', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('pid', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('acquired_at', sa.DateTime(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_cutover_lock')),
    comment='блокировка: the month-end running now; the row outlives a killed process'
    )
    op.create_table('saved_account',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('account_number', sa.String(length=30), autoincrement=False, nullable=True),
    sa.Column('legacy_account_number', sa.String(length=30), autoincrement=False, nullable=True),
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('premise_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('opened_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('closed_on', sa.Date(), autoincrement=False, nullable=True),
    comment='account as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_balance',
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('service_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=True),
    sa.Column('opening_kopecks', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('charged_kopecks', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('recalculated_kopecks', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('paid_kopecks', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('closing_kopecks', sa.BigInteger(), autoincrement=False, nullable=True),
    comment='balance as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_base_reading',
    sa.Column('meter_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('zone', sa.String(length=2), autoincrement=False, nullable=True),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=True),
    sa.Column('read_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('value', ExactDecimal(precision=22, scale=7), autoincrement=False, nullable=True),
    comment='base_reading as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_key_map',
    sa.Column('entity', sa.String(length=30), autoincrement=False, nullable=True),
    sa.Column('legacy_key', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('target_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('first_run_id', sa.String(length=40), autoincrement=False, nullable=True),
    sa.Column('last_run_id', sa.String(length=40), autoincrement=False, nullable=True),
    comment='key_map as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_meter',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('serial', sa.String(length=50), autoincrement=False, nullable=True),
    sa.Column('service_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('installed_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('verified_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('verification_interval_years', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('digit_capacity', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('multiplier', ExactDecimal(precision=12, scale=4), autoincrement=False, nullable=True),
    sa.Column('zones', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('status', sa.String(length=10), autoincrement=False, nullable=True),
    sa.Column('replaced_by_id', sa.BigInteger(), autoincrement=False, nullable=True),
    comment='meter as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_period',
    sa.Column('month', sa.String(length=7), autoincrement=False, nullable=True),
    sa.Column('status', sa.String(length=10), autoincrement=False, nullable=True),
    sa.Column('opened_at', sa.DateTime(), autoincrement=False, nullable=True),
    sa.Column('closed_at', sa.DateTime(), autoincrement=False, nullable=True),
    comment='period as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_person',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('last_name', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('first_name', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('patronymic', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('birth_date', sa.Date(), autoincrement=False, nullable=True),
    comment='person as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_premise',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('region', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('settlement', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('street', sa.String(length=150), autoincrement=False, nullable=True),
    sa.Column('house', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('building', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('apartment', sa.String(length=20), autoincrement=False, nullable=True),
    sa.Column('fias_house_guid', sa.String(length=36), autoincrement=False, nullable=True),
    sa.Column('total_area', ExactDecimal(precision=12, scale=4), autoincrement=False, nullable=True),
    sa.Column('residents', sa.Integer(), autoincrement=False, nullable=True),
    comment='premise as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_reading',
    sa.Column('meter_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('zone', sa.String(length=2), autoincrement=False, nullable=True),
    sa.Column('read_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('value', ExactDecimal(precision=22, scale=7), autoincrement=False, nullable=True),
    sa.Column('source', sa.String(length=10), autoincrement=False, nullable=True),
    comment='reading as it was before the month-end load (to roll back to)'
    )
    op.create_table('saved_service',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('code', sa.String(length=30), autoincrement=False, nullable=True),
    sa.Column('name', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('unit', sa.String(length=20), autoincrement=False, nullable=True),
    comment='service as it was before the month-end load (to roll back to)'
    )
    op.create_table('base_reading',
    sa.Column('meter_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('zone', sa.String(length=2), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False, comment='YYYY-MM: the period it is the base of'),
    sa.Column('read_on', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('value', ExactDecimal(precision=22, scale=7), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], name=op.f('fk_base_reading_meter_id_meter')),
    sa.ForeignKeyConstraint(['period'], ['period.month'], name=op.f('fk_base_reading_period_period')),
    sa.PrimaryKeyConstraint('meter_id', 'zone', 'period', name=op.f('pk_base_reading')),
    comment='базовое показание: the last reading of a meter and zone before a period, from which its consumption is counted'
    )
    with op.batch_alter_table('base_reading', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_base_reading_period'), ['period'], unique=False)


def downgrade() -> None:
    # The index goes with its table (MariaDB refuses to drop an index a foreign key needs).
    op.drop_table('base_reading')
    op.drop_table('saved_service')
    op.drop_table('saved_reading')
    op.drop_table('saved_premise')
    op.drop_table('saved_person')
    op.drop_table('saved_period')
    op.drop_table('saved_meter')
    op.drop_table('saved_key_map')
    op.drop_table('saved_base_reading')
    op.drop_table('saved_balance')
    op.drop_table('saved_account')
    op.drop_table('cutover_lock')
