"""single sign-on: the OpenID provider's issuer and subject a user account is bound to

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00.000000

See engine.accounts.sso.
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_user") as batch:
        batch.add_column(sa.Column("sso_subject", sa.String(length=400), nullable=True))
    op.create_index("ux_user_sso_subject", "thv_user", ["sso_subject"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_user_sso_subject", table_name="thv_user")
    with op.batch_alter_table("thv_user") as batch:
        batch.drop_column("sso_subject")
