"""an index in the worklist's order: a page of one role in one region without sorting every open task

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 14:00:00.000000

See engine.storage.tables (ix_task_page) and engine.workflow.worklist.WORKLIST_ORDER: with 2,000 open tasks
a page of 20 read 2,000 rows and sorted them; in this order it reads 20.
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_task_page",
        "human_task",
        ["state", "role", "region", sa.text("(due_at IS NULL)"), "due_at", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_task_page", table_name="human_task")
