"""the workflow text of a case stored zlib-compressed

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 08:00:00.000000

A running ban's workflow text is some 80 kB of JSON that compresses to about a sixth (engine.storage.
tables.CompressedText). The text and the replay base move to the binary columns ``workflow_zlib`` and
``replay_zlib``, case by case, and the old text columns go.
"""

import zlib
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_LEVEL = 1  # CompressedText's level for these columns; a migration keeps its own copy of what it writes
_BATCH = 500


def _copy(source: tuple[str, str], target: tuple[str, str], convert: Callable[[Any], Any]) -> None:
    """Copy both columns of every case from ``source`` to ``target`` names, converted, in batches by id."""
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.text(f"SELECT id, {source[0]}, {source[1]} FROM thv_case WHERE id > :last ORDER BY id LIMIT {_BATCH}"),
            {"last": last},
        ).all()
        if not rows:
            return
        bind.execute(
            sa.text(f"UPDATE thv_case SET {target[0]} = :workflow, {target[1]} = :replay WHERE id = :id"),
            [
                {"id": case_id, "workflow": convert(workflow), "replay": convert(replay)}
                for case_id, workflow, replay in rows
            ],
        )
        last = rows[-1][0]


def _pack(text: str | None) -> bytes | None:
    return None if text is None else zlib.compress(text.encode("utf-8"), _LEVEL)


def _unpack(packed: bytes | None) -> str | None:
    return None if packed is None else zlib.decompress(packed).decode("utf-8")


def _move(source: tuple[str, str], target: tuple[str, str], kind: Any, convert: Callable[[Any], Any]) -> None:
    """Replace the workflow and replay columns ``source`` by ``target`` columns of type ``kind``, converted."""
    with op.batch_alter_table("thv_case") as batch:
        for name in target:
            batch.add_column(sa.Column(name, kind, nullable=True))
    _copy(source, target, convert)
    with op.batch_alter_table("thv_case") as batch:
        batch.alter_column(target[0], existing_type=kind, nullable=False)
        for name in source:
            batch.drop_column(name)


def upgrade() -> None:
    _move(("workflow_json", "replay_json"), ("workflow_zlib", "replay_zlib"), sa.LargeBinary(), _pack)


def downgrade() -> None:
    _move(("workflow_zlib", "replay_zlib"), ("workflow_json", "replay_json"), sa.Text(), _unpack)
