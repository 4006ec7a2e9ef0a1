"""persons as data: the persons named in a case, for subject-access requests and provable destruction

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 11:00:00.000000

See engine.cases.persons.
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("thv_case.id"), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_key", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_person_name", "person", ["region", "name_key"])
    op.create_index("ix_person_case", "person", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_person_case", table_name="person")
    op.drop_index("ix_person_name", table_name="person")
    op.drop_table("person")
