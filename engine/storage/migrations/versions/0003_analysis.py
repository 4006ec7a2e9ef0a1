"""analysis: the live pointer per region and variant (rollback) and its history

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 09:00:00.000000

Existing databases get a live pointer for every region and variant, set to the
highest version number: exactly what was live before this migration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_version",
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("variant", sa.String(length=80), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("set_by", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_version.id"],
        ),
        sa.PrimaryKeyConstraint("region", "variant"),
    )
    op.create_table(
        "live_version_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=40), nullable=False),
        sa.Column("variant", sa.String(length=80), nullable=False),
        sa.Column("model_version_id", sa.Integer(), nullable=False),
        sa.Column("previous_version_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["model_version_id"],
            ["model_version.id"],
        ),
        sa.ForeignKeyConstraint(
            ["previous_version_id"],
            ["model_version.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("live_version_change", schema=None) as batch_op:
        batch_op.create_index("ix_live_change_variant", ["region", "variant", "id"], unique=False)

    op.execute(
        "INSERT INTO live_version (region, variant, model_version_id, set_at, set_by) "
        "SELECT mv.region, mv.variant, mv.id, mv.created_at, mv.created_by FROM model_version mv "
        "WHERE mv.version = (SELECT MAX(m2.version) FROM model_version m2 "
        "WHERE m2.region = mv.region AND m2.variant = mv.variant)"
    )


def downgrade() -> None:
    with op.batch_alter_table("live_version_change", schema=None) as batch_op:
        batch_op.drop_index("ix_live_change_variant")

    op.drop_table("live_version_change")
    op.drop_table("live_version")
