"""need-to-know: break-the-glass grants to read a case without a relation to it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 08:00:00.000000

See engine.workflow.need_to_know.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_access_grant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("thv_case.id"), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("user_name", sa.String(length=80), nullable=False),
        sa.Column("roles_csv", sa.String(length=400), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_grant_case_user", "case_access_grant", ["case_id", "user_name", "expires_at"])
    op.create_index("ix_grant_region", "case_access_grant", ["region", "granted_at"])


def downgrade() -> None:
    op.drop_index("ix_grant_region", table_name="case_access_grant")
    op.drop_index("ix_grant_case_user", table_name="case_access_grant")
    op.drop_table("case_access_grant")
