"""Drive ``thv`` in-process against a fresh SQLite file, with a fixed clock in test mode."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from cli.main import main
from tests.conftest import TEST_FORMS

CLOCK = "2026-02-02T21:15:00+01:00"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def thv(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("THV_DATABASE_URL", f"sqlite:///{tmp_path / 'thv.sqlite'}")
    monkeypatch.setenv("THV_MODE", "test")
    monkeypatch.setenv("THV_CLOCK", CLOCK)
    monkeypatch.setenv("THV_FORMS_DIR", str(TEST_FORMS))

    def run(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        if stdin is not None:
            import io

            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    assert run("init-db").code == 0
    return run
