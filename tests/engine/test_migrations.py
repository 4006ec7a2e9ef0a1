"""The Alembic migrations build exactly the schema of engine.storage.tables, on SQLite and
PostgreSQL, and upgrading again is harmless.
"""

from __future__ import annotations

import warnings
from datetime import timedelta

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, String, Table, inspect, select, text

from engine.accounts.users import add_user
from engine.storage.db import MIGRATIONS, make_session_factory, upgrade_schema
from engine.storage.tables import Base, Case, User
from tests.conftest import START

# Indexes on an expression, which SQLAlchemy cannot read back from the database (it warns and skips them);
# test_expression_indexes_are_built_as_the_model_defines_them compares them instead.
EXPRESSION_INDEXES = frozenset({"ix_task_page"})


def _compared(obj, name, type_, reflected, compare_to) -> bool:
    return not (type_ == "index" and name in EXPRESSION_INDEXES)


COMPARE_OPTIONS = {"compare_type": True, "compare_server_default": True, "include_object": _compared}


def schema_differences(engine, metadata: MetaData) -> list:
    with engine.connect() as conn, warnings.catch_warnings():
        for name in EXPRESSION_INDEXES:
            warnings.filterwarnings("ignore", f"Skipped unsupported reflection of expression-based index {name}")
            warnings.filterwarnings(
                "ignore", f"autogenerate skipping metadata-specified expression-based index '{name}'"
            )
        return compare_metadata(MigrationContext.configure(conn, opts=COMPARE_OPTIONS), metadata)


def _index_definition(engine, name: str) -> str:
    """The index as the database holds it, in one spelling for both databases."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}).scalar_one()
        else:
            sql = conn.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": name}).scalar_one()
    return _index_definition_of(sql)


def test_expression_indexes_are_built_as_the_model_defines_them(fresh_engine):
    from sqlalchemy.schema import CreateIndex

    upgrade_schema(fresh_engine)
    for table in Base.metadata.sorted_tables:
        for index in table.indexes:
            if index.name in EXPRESSION_INDEXES:
                defined = str(CreateIndex(index).compile(fresh_engine))
                assert _index_definition(fresh_engine, index.name) == _index_definition_of(defined), index.name
    assert {i.name for t in Base.metadata.sorted_tables for i in t.indexes} >= EXPRESSION_INDEXES


def _index_definition_of(sql: str) -> str:
    """The column list of CREATE INDEX, without the quotes and brackets each database adds its own way."""
    columns = sql[sql.index("(") + 1 : sql.rindex(")")]
    return " ".join(columns.replace('"', "").replace("(", "").replace(")", "").split()).lower()


def test_migrations_have_one_head():
    script = ScriptDirectory(str(MIGRATIONS))
    assert len(script.get_heads()) == 1


def test_upgrade_builds_exactly_the_model_schema(fresh_engine):
    assert inspect(fresh_engine).get_table_names() == []
    upgrade_schema(fresh_engine)

    assert schema_differences(fresh_engine, Base.metadata) == []
    tables = set(inspect(fresh_engine).get_table_names())
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    indexes = {i["name"] for i in inspect(fresh_engine).get_indexes("thv_case")}
    assert {"ix_case_timer_due", "ix_thv_case_region", "ix_thv_case_model_version_id"} <= indexes


def test_the_comparison_notices_a_difference(fresh_engine):
    """compare_metadata is not silent by accident: an extra table and column show up."""
    upgrade_schema(fresh_engine)
    changed = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["thv_case"].append_column(Column("extra", Integer, nullable=True))
    Table("extra_table", changed, Column("id", Integer, primary_key=True))

    differences = [d for d in schema_differences(fresh_engine, changed) if isinstance(d, tuple)]
    assert [d[1].name for d in differences if d[0] == "add_table"] == ["extra_table"]
    assert [(d[2], d[3].name) for d in differences if d[0] == "add_column"] == [("thv_case", "extra")]


def test_upgrading_twice_is_harmless(fresh_engine):
    upgrade_schema(fresh_engine)
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        add_user(session, "pol", ["politie"], ["basis"], password="geheim-wachtwoord", now=START)

    upgrade_schema(fresh_engine)
    upgrade_schema(fresh_engine)

    assert schema_differences(fresh_engine, Base.metadata) == []
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with fresh_engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]
    with sessions() as session:
        user = session.scalars(select(User)).one()
        assert (user.name, user.created_at) == ("pol", START)
        assert session.scalars(select(Case)).all() == []


def test_timestamps_round_trip_as_utc_on_the_migrated_schema(fresh_engine):
    """The migrated DateTime columns hold UtcDateTime values without shifting them."""
    upgrade_schema(fresh_engine)
    sessions = make_session_factory(fresh_engine)
    later = START + timedelta(days=200)  # other side of a DST change in Amsterdam
    with sessions() as session:
        add_user(session, "bm", ["burgemeester"], ["basis"], password="geheim-wachtwoord", now=later)
    with sessions() as session:
        assert session.scalars(select(User.created_at)).one() == later


def _insert_row(conn, table: Table, **values) -> None:
    """A row with ``values`` and a plain value in every other column that needs one (reflected, so the test
    follows the schema as it stood at that revision)."""
    plain = {Integer: 1, String: "x", DateTime: START.replace(tzinfo=None), Boolean: False}
    for column in table.columns:
        if column.name in values or column.nullable or column.autoincrement is True or column.server_default:
            continue
        values[column.name] = next(v for kind, v in plain.items() if isinstance(column.type, kind))
    conn.execute(table.insert().values(**values))


def test_the_search_columns_are_filled_for_existing_cases(fresh_engine):
    """0018 gives existing cases the ban's status and end of their latest milestone that was not revoked, and the
    casefolded key of their address."""
    upgrade_schema(fresh_engine, "0017")
    tables = MetaData()
    tables.reflect(fresh_engine, only=["model_version", "thv_case", "case_event"])
    ban = '{"huisverbod": {"status": "%s", "einde": "%s"}}'
    with fresh_engine.begin() as conn:
        _insert_row(conn, tables.tables["model_version"], id=1)
        for case_id in (1, 2):
            _insert_row(conn, tables.tables["thv_case"], id=case_id, model_version_id=1, adres=f"Élysée  {case_id}")
        events = tables.tables["case_event"]
        for event_id, milestone, detail, revoked in (
            (1, "huisverbod_opgelegd", ban % ("opgelegd", "2026-02-12T20:15:00+00:00"), None),
            (2, "huisverbod_verlengd", ban % ("verlengd", "2026-03-02T21:15:00+01:00"), None),
            (3, "huisverbod_verlopen", ban % ("verlopen", "2026-03-02T20:15:00+00:00"), 4),  # revoked
        ):
            _insert_row(conn, events, id=event_id, case_id=1, milestone=milestone, detail=detail, revoked_by=revoked)
    upgrade_schema(fresh_engine)
    with fresh_engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, huisverbod_status, huisverbod_einde, adres_key FROM thv_case ORDER BY id")
        ).all()
    assert [(r[0], r[1], str(r[2])[:19] if r[2] else None, r[3]) for r in rows] == [
        (1, "verlengd", "2026-03-02 20:15:00", "élysée 1"),
        (2, None, None, "élysée 2"),
    ]


def test_the_workflow_text_is_compressed_and_back(fresh_engine):
    """0020 moves each case's workflow text and replay base into compressed columns that read as the same
    text, and its downgrade gives the text columns back unchanged."""
    upgrade_schema(fresh_engine, "0019")
    tables = MetaData()
    tables.reflect(fresh_engine, only=["model_version", "thv_case"])
    workflows = {case_id: f'{{"tasks":{{"é":{case_id}}},"root":"x"}}' * 40 for case_id in range(1, 4)}
    with fresh_engine.begin() as conn:
        _insert_row(conn, tables.tables["model_version"], id=1)
        for case_id, workflow in workflows.items():
            replay = workflow[::-1] if case_id == 2 else None
            _insert_row(conn, tables.tables["thv_case"], id=case_id, model_version_id=1, workflow_json=workflow)
            conn.execute(text("UPDATE thv_case SET replay_json = :r WHERE id = :id"), {"r": replay, "id": case_id})
    upgrade_schema(fresh_engine)
    assert {c["name"] for c in inspect(fresh_engine).get_columns("thv_case")} >= {"workflow_zlib", "replay_zlib"}
    if fresh_engine.dialect.name == "sqlite":  # the rebuild switched foreign keys off; the pool gets them back on
        with fresh_engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    with make_session_factory(fresh_engine)() as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
        assert {i: c.workflow_json for i, c in cases.items()} == workflows
        assert [cases[i].replay_json for i in (1, 2, 3)] == [None, workflows[2][::-1], None]
    with fresh_engine.connect() as conn:
        stored = conn.execute(text("SELECT workflow_zlib FROM thv_case WHERE id = 1")).scalar_one()
    assert len(stored) < len(workflows[1]) / 5

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = fresh_engine
    command.downgrade(config, "0019")
    with fresh_engine.connect() as conn:
        rows = conn.execute(text("SELECT id, workflow_json, replay_json FROM thv_case ORDER BY id")).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (1, workflows[1], None),
        (2, workflows[2], workflows[2][::-1]),
        (3, workflows[3], None),
    ]
