"""the regiehouder on the case row: a party to the case that reads and finds it without a task

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 13:00:00.000000

See engine.workflow.need_to_know. Until now the form took the regiehouder as free text, which names no
role; cases that exist keep that text in their data and get no regiehouder column (nobody gains access
by an upgrade). A regiehouder named from now on is a role code.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.add_column(sa.Column("regiehouder", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.drop_column("regiehouder")
