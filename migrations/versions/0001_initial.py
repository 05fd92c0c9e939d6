"""initial: every table of schemas/target.toml

Revision ID: 0001
Revises:
Create Date: 2026-11-22 18:08:13.592116
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from cutover.schema.types import ExactDecimal

revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cutover_step',
    sa.Column('run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('step', sa.String(length=50), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), autoincrement=False, nullable=False),
    sa.Column('started_at', sa.DateTime(), autoincrement=False, nullable=False),
    sa.Column('finished_at', sa.DateTime(), autoincrement=False, nullable=True),
    sa.Column('detail', sa.Text().with_variant(mysql.LONGTEXT(), 'mariadb').with_variant(mysql.LONGTEXT(), 'mysql'), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('run_id', 'step', name=op.f('pk_cutover_step')),
    comment='шаги переключения'
    )
    op.create_table('key_map',
    sa.Column('entity', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('legacy_key', sa.String(length=200), autoincrement=False, nullable=False),
    sa.Column('target_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('first_run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('last_run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('entity', 'legacy_key', name=op.f('pk_key_map')),
    sa.UniqueConstraint('entity', 'target_id', name=op.f('uq_key_map_entity_target_id')),
    comment='старый -> новый ключ'
    )
    op.create_table('period',
    sa.Column('month', sa.String(length=7), autoincrement=False, nullable=False, comment='YYYY-MM'),
    sa.Column('status', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('opened_at', sa.DateTime(), autoincrement=False, nullable=True),
    sa.Column('closed_at', sa.DateTime(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_period')),
    comment='расчётный период'
    )
    op.create_table('person',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('last_name', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('first_name', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('patronymic', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('birth_date', sa.Date(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person')),
    comment='абонент, плательщик'
    )
    op.create_table('premise',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('region', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('settlement', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('street', sa.String(length=150), autoincrement=False, nullable=True),
    sa.Column('house', sa.String(length=20), autoincrement=False, nullable=False),
    sa.Column('building', sa.String(length=20), autoincrement=False, nullable=True, comment='корпус'),
    sa.Column('apartment', sa.String(length=20), autoincrement=False, nullable=True, comment='text: 12а'),
    sa.Column('fias_house_guid', sa.String(length=36), autoincrement=False, nullable=True),
    sa.Column('total_area', ExactDecimal(precision=12, scale=4), autoincrement=False, nullable=True),
    sa.Column('residents', sa.Integer(), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_premise')),
    comment='помещение, адрес'
    )
    op.create_table('reject',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('entity', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('severity', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('rule', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('message', sa.String(length=500), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=200), autoincrement=False, nullable=False, comment='file or table'),
    sa.Column('row_number', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.Column('legacy_key', sa.String(length=200), autoincrement=False, nullable=True),
    sa.Column('column_name', sa.String(length=100), autoincrement=False, nullable=True),
    sa.Column('raw_value', sa.String(length=500), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reject')),
    comment='отбракованные строки'
    )
    op.create_table('run',
    sa.Column('run_id', sa.String(length=40), autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=20), autoincrement=False, nullable=False),
    sa.Column('mapping', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=20), autoincrement=False, nullable=False),
    sa.Column('started_at', sa.DateTime(), autoincrement=False, nullable=False),
    sa.Column('finished_at', sa.DateTime(), autoincrement=False, nullable=True),
    sa.Column('summary_json', sa.Text().with_variant(mysql.LONGTEXT(), 'mariadb').with_variant(mysql.LONGTEXT(), 'mysql'), autoincrement=False, nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_run')),
    comment='журнал запусков'
    )
    op.create_table('service',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=100), autoincrement=False, nullable=False),
    sa.Column('unit', sa.String(length=20), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('code', name=op.f('uq_service_code')),
    comment='услуга'
    )
    op.create_table('account',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('account_number', sa.String(length=30), autoincrement=False, nullable=False, comment='new number, stable once issued'),
    sa.Column('legacy_account_number', sa.String(length=30), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('premise_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('opened_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('closed_on', sa.Date(), autoincrement=False, nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('fk_account_person_id_person')),
    sa.ForeignKeyConstraint(['premise_id'], ['premise.id'], name=op.f('fk_account_premise_id_premise')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('account_number', name=op.f('uq_account_account_number')),
    comment='лицевой счёт'
    )
    op.create_table('balance',
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('period', sa.String(length=7), autoincrement=False, nullable=False, comment='YYYY-MM'),
    sa.Column('opening_kopecks', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('charged_kopecks', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('recalculated_kopecks', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('paid_kopecks', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('closing_kopecks', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_balance_account_id_account')),
    sa.ForeignKeyConstraint(['period'], ['period.month'], name=op.f('fk_balance_period_period')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_balance_service_id_service')),
    sa.PrimaryKeyConstraint('account_id', 'service_id', 'period', name=op.f('pk_balance')),
    comment='сальдо; positive = debt, negative = prepaid; closing = opening + charged + recalculated - paid'
    )
    op.create_table('meter',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('serial', sa.String(length=50), autoincrement=False, nullable=False),
    sa.Column('service_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('account_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('installed_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('verified_on', sa.Date(), autoincrement=False, nullable=True),
    sa.Column('verification_interval_years', sa.Integer(), autoincrement=False, nullable=True),
    sa.Column('digit_capacity', sa.Integer(), autoincrement=False, nullable=False, comment='разрядность'),
    sa.Column('multiplier', ExactDecimal(precision=12, scale=4), autoincrement=False, nullable=False),
    sa.Column('zones', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('status', sa.String(length=10), autoincrement=False, nullable=False),
    sa.Column('replaced_by_id', sa.BigInteger(), autoincrement=False, nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_meter_account_id_account')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['meter.id'], name=op.f('fk_meter_replaced_by_id_meter')),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_meter_service_id_service')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meter')),
    comment='прибор учёта'
    )
    op.create_table('reading',
    sa.Column('meter_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('zone', sa.String(length=2), autoincrement=False, nullable=False),
    sa.Column('read_on', sa.Date(), autoincrement=False, nullable=False),
    sa.Column('value', ExactDecimal(precision=22, scale=7), autoincrement=False, nullable=False),
    sa.Column('source', sa.String(length=10), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['meter_id'], ['meter.id'], name=op.f('fk_reading_meter_id_meter')),
    sa.PrimaryKeyConstraint('meter_id', 'zone', 'read_on', name=op.f('pk_reading')),
    comment='показание'
    )


def downgrade() -> None:
    op.drop_table('reading')
    op.drop_table('meter')
    op.drop_table('balance')
    op.drop_table('account')
    op.drop_table('service')
    op.drop_table('run')
    op.drop_table('reject')
    op.drop_table('premise')
    op.drop_table('person')
    op.drop_table('period')
    op.drop_table('key_map')
    op.drop_table('cutover_step')
