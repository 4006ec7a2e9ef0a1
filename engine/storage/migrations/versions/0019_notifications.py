"""e-mail notifications: each user's address and choice, the outbox, the days whose digest was made

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04 12:00:00.000000

See engine.notify. Existing users get no address (so no mail) and the choice "all" (opt-out).
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thv_user") as batch:
        batch.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("notify", sa.String(length=10), server_default="all", nullable=False))
    op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("dedup_key", sa.String(length=120), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["thv_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("dedup_key"),
    )
    with op.batch_alter_table("mail_outbox") as batch:
        batch.create_index("ix_mail_due", ["state", "next_attempt_at"], unique=False)
        batch.create_index("ix_mail_outbox_user_id", ["user_id"], unique=False)
    op.create_table(
        "mail_digest_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        sa.Column("mails", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )


def downgrade() -> None:
    op.drop_table("mail_digest_day")
    with op.batch_alter_table("mail_outbox") as batch:
        batch.drop_index("ix_mail_outbox_user_id")
        batch.drop_index("ix_mail_due")
    op.drop_table("mail_outbox")
    with op.batch_alter_table("thv_user") as batch:
        batch.drop_column("notify")
        batch.drop_column("email")
