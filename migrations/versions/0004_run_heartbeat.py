"""run heartbeat: who runs a run, and whether it still does

The host, process and process start of the run's process, and a heartbeat it updates while it
works: a run left ``running`` by a killed process is told from one still at work (`cutover runs`
shows it ``interrupted``), and a month-end lock is judged by its run's heartbeat rather than by
a pid that a reboot may have given to another process.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('host', sa.String(length=100), nullable=True,
                                      comment='host of the process running it'))
        batch_op.add_column(sa.Column('pid', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('process_key', sa.String(length=80), nullable=True,
                                      comment='boot id and start time of the process: a reused pid is another process'))
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True,
                                      comment='updated while the run works; a running run whose heartbeat stopped '
                                              'was interrupted'))


def downgrade() -> None:
    with op.batch_alter_table('run', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
        batch_op.drop_column('process_key')
        batch_op.drop_column('pid')
        batch_op.drop_column('host')
