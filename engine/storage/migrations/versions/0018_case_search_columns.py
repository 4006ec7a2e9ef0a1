"""finding cases: the ban's status and end on the case row, and the address's search key

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04 04:00:00.000000

See engine.workflow.ban_state. Cases that exist already get the state of their latest milestone that
still counts, as the case page shows it, and the key of their address (Person.key_of: casefolded, so
that SQLite finds "É" by "é" as PostgreSQL does).
"""

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def _instant(text: object) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))
    return value.astimezone(UTC).replace(tzinfo=None)  # UtcDateTime stores naive UTC


def upgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.add_column(sa.Column("huisverbod_status", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("huisverbod_einde", sa.DateTime(), nullable=True))
        batch.create_index("ix_thv_case_huisverbod_einde", ["huisverbod_einde"])
        batch.add_column(sa.Column("adres_key", sa.String(length=200), nullable=True))
    bind = op.get_bind()
    for case_id, address in bind.execute(sa.text("SELECT id, adres FROM thv_case WHERE adres IS NOT NULL")).all():
        key = " ".join(address.split()).casefold()
        bind.execute(sa.text("UPDATE thv_case SET adres_key = :key WHERE id = :id"), {"key": key, "id": case_id})
    rows = bind.execute(
        sa.text(
            "SELECT case_id, detail FROM case_event WHERE milestone IS NOT NULL AND revoked_by IS NULL "
            "AND detail IS NOT NULL ORDER BY id"
        )
    )
    latest: dict[int, dict[str, object]] = {}
    for case_id, detail in rows:
        try:
            snapshot = json.loads(detail).get("huisverbod")
        except (ValueError, AttributeError):
            continue
        if isinstance(snapshot, dict):
            latest[case_id] = snapshot
    for case_id, snapshot in latest.items():
        status = snapshot.get("status")
        bind.execute(
            sa.text("UPDATE thv_case SET huisverbod_status = :status, huisverbod_einde = :end WHERE id = :id"),
            {
                "status": status[:40] if isinstance(status, str) else None,
                "end": _instant(snapshot.get("einde")),
                "id": case_id,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("thv_case") as batch:
        batch.drop_column("adres_key")
        batch.drop_index("ix_thv_case_huisverbod_einde")
        batch.drop_column("huisverbod_einde")
        batch.drop_column("huisverbod_status")
