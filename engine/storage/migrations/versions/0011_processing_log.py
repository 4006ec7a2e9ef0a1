"""processing log: every read and write of personal data, after Logboek Dataverwerkingen

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00.000000

See engine.workflow.processing_log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processing_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("roles_csv", sa.String(length=400), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("data_category", sa.String(length=80), nullable=False),
        sa.Column("legal_ground", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=20), nullable=False),
        sa.Column("trace_id", sa.String(length=64), nullable=True),
    )
    op.create_index("ix_processing_case", "processing_log", ["case_id", "id"])
    op.create_index("ix_processing_region", "processing_log", ["region", "id"])
    op.create_index("ix_processing_actor", "processing_log", ["actor", "id"])


def downgrade() -> None:
    op.drop_index("ix_processing_actor", table_name="processing_log")
    op.drop_index("ix_processing_region", table_name="processing_log")
    op.drop_index("ix_processing_case", table_name="processing_log")
    op.drop_table("processing_log")
