"""recognisable cases: the address of the home a ban concerns, the title of the case on worklist rows

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 01:30:00.000000

See engine.cases.persons.record_address; the retention sweep clears it with the rest of the case.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.add_column(sa.Column("adres", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.drop_column("adres")
