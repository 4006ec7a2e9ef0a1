"""observability: each timer worker's latest successful sweep

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 20:00:00.000000

/health/ready on any web node reads it to tell whether timers are running (see engine.workflow.heartbeats).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "timer_heartbeat",
        sa.Column("worker", sa.String(length=200), primary_key=True),
        sa.Column("swept_at", sa.DateTime(), nullable=False),
        sa.Column("fired", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("timer_heartbeat")
