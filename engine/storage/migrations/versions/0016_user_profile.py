"""people, not logins: a user's display name, function and organisation (documents and history show them)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 12:00:00.000000

See engine.accounts.users.set_profile.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_user") as batch:
        batch.add_column(sa.Column("display_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("job_title", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("organisation", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thv_user") as batch:
        batch.drop_column("organisation")
        batch.drop_column("job_title")
        batch.drop_column("display_name")
