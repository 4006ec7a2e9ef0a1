"""urgency: worklist rows of a case on the acute route are marked (their due time comes from behandeltermijn)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 11:00:00.000000

See engine.workflow.state.is_acute and processes/README.md ("Urgency").
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.add_column(sa.Column("acute", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("human_task") as batch:
        batch.drop_column("acute")
