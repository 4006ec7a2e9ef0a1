"""time order: the instant of the latest act, the state to replay late-recorded acts on, revoked events

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 12:00:00.000000

Existing cases count their last change as their latest act.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acted_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("replay_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("replay_event_id", sa.Integer(), nullable=True))
    op.execute("UPDATE thv_case SET acted_at = updated_at")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=400), nullable=True))
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_by", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("case_event", schema=None) as batch_op:
        batch_op.drop_column("revoked_by")
    with op.batch_alter_table("human_task", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
    with op.batch_alter_table("thv_case", schema=None) as batch_op:
        batch_op.drop_column("replay_event_id")
        batch_op.drop_column("replay_json")
        batch_op.drop_column("acted_at")
