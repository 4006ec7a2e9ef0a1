"""time order: the earliest instant a timer fired at since the latest act

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 14:00:00.000000

An act recorded later than it happened, whose instant lies before timers that already fired, is
judged on the state before those timers (see engine.workflow.acts).
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replay_after", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thv_case", schema=None) as batch_op:
        batch_op.drop_column("replay_after")
