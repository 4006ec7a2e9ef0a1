"""flat completion cost: finished subprocesses move out of the hot workflow text

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 19:40:00.000000

A completion loads and saves only the parts of a case that can still change; the finished
subprocesses are written once to case_archive (see engine.workflow.case_store).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_archive",
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("thv_case.id"), primary_key=True),
        sa.Column("subprocess_id", sa.String(length=36), primary_key=True),
        sa.Column("workflow_zlib", sa.LargeBinary(), nullable=False),
        sa.Column("archived_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_archive")
