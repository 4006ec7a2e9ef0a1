"""The engine is a library: it knows nothing of the web layer, and importing it
(or the web package) does nothing but define things.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys

from tests.conftest import PROJECT_ROOT

ENGINE = PROJECT_ROOT / "engine"
FORBIDDEN = {"flask", "flask_sqlalchemy", "web", "cli"}


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in the source, also imports nested in functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def test_the_import_check_sees_every_kind_of_import():
    source = "import flask\nfrom web.api import bp\ndef f():\n    import flask_sqlalchemy as fs\nfrom . import x\n"
    assert imported_modules(source) == [(1, "flask"), (2, "web.api"), (4, "flask_sqlalchemy")]


def test_no_engine_module_imports_the_web_layer():
    files = sorted(ENGINE.rglob("*.py"))
    assert ENGINE / "cases" / "operations.py" in files and ENGINE / "storage" / "migrations" / "env.py" in files
    offenders = [
        f"{path.relative_to(PROJECT_ROOT)}:{line}: {module}"
        for path in files
        for line, module in imported_modules(path.read_text(encoding="utf-8"))
        if module.split(".")[0] in FORBIDDEN
    ]
    assert offenders == []


# Bottom to top; a module may import engine modules of its own layer and of the layers below.
LAYERS = (
    "base",
    "storage",
    "accounts",
    "notify",
    "rihg",
    "modeling",
    "workflow",
    "documents",
    "cases",
    "design",
    "simulation",
    "runtime",
    "demo",
)


def layer_of(module: str) -> int:
    return LAYERS.index(module.split(".")[1])


def test_every_engine_module_sits_in_a_layer():
    loose = [path.name for path in ENGINE.glob("*.py") if path.stem not in LAYERS and path.name != "__init__.py"]
    packages = {path.parent.name for path in ENGINE.glob("*/__init__.py")}
    assert loose == [] and packages | {"runtime"} == set(LAYERS)


def test_engine_packages_import_only_downwards():
    offenders = []
    for path in sorted(ENGINE.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        if len(parts) < 3 and parts[-1] != "runtime":
            continue  # engine/__init__.py
        own = layer_of(".".join(parts))
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            if module.startswith("engine.") and layer_of(module) > own:
                offenders.append(f"{path.relative_to(PROJECT_ROOT)}:{line}: {module}")
    assert offenders == []


def test_the_layer_check_sees_an_upward_import():
    assert layer_of("engine.workflow.acts") > layer_of("engine.modeling.registry")
    assert layer_of("engine.base.clock") < layer_of("engine.storage.transaction")


PROBE = r"""
import importlib, json, pkgutil, sqlite3, sys, threading
threads_before = threading.active_count()
connections = []
real_connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connections.append(str(a[:1])) or real_connect(*a, **k)
import psycopg
psycopg.Connection.connect = classmethod(lambda cls, *a, **k: connections.append("postgres"))
imported = []
for package in ("engine", "web", "cli"):
    root = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        if info.name.startswith("engine.storage.migrations"):
            continue  # Alembic's env.py runs migrations when imported, by design
        importlib.import_module(info.name)
        imported.append(info.name)
print(json.dumps({"threads_before": threads_before, "threads_after": threading.active_count(),
                  "thread_names": [t.name for t in threading.enumerate()],
                  "connections": connections, "imported": imported}))
"""


def test_importing_engine_and_web_starts_nothing(tmp_path):
    instance = PROJECT_ROOT / "instance"
    instance_existed = instance.exists()
    env = {k: v for k, v in os.environ.items() if not k.startswith("THV_")}
    env.update(
        THV_DATABASE_URL=f"sqlite:///{tmp_path / 'thv.sqlite'}", THV_MODE="development", PYTHONPATH=str(PROJECT_ROOT)
    )
    run = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])

    assert {"engine.cases.operations", "engine.workflow.timers", "web.api", "web.timer_worker", "cli.main"} <= set(
        report["imported"]
    )
    assert report["threads_after"] == report["threads_before"], report["thread_names"]
    assert report["connections"] == []
    assert list(tmp_path.iterdir()) == []  # no database file, no log, nothing
    assert instance.exists() == instance_existed
