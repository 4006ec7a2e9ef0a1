"""retention that destroys: the case husk's destruction time and the destruction reports

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00.000000

See engine.cases.retention.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.add_column(sa.Column("destroyed_at", sa.DateTime(), nullable=True))
    op.create_table(
        "destruction_report",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("variant", sa.String(length=80), nullable=False),
        sa.Column("rule", sa.String(length=200), nullable=False),
        sa.Column("due", sa.DateTime(), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(), nullable=False),
        sa.Column("destroyed_by", sa.String(length=80), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
    )
    op.create_index("ix_destruction_report_case_id", "destruction_report", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_destruction_report_case_id", table_name="destruction_report")
    op.drop_table("destruction_report")
    with op.batch_alter_table("thv_case") as batch:
        batch.drop_column("destroyed_at")
