"""Fixtures of the process tests: the real forms (forms/) and the real common
models (processes/common/), instead of the small fixtures the engine tests use.

``rt`` overrides the top-level fixture of the same name, so ``session``,
``people`` and every test in this folder run against a registry that reads
forms/; everything else (databases, clock) is shared with tests/conftest.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.accounts.users import add_user
from engine.modeling import settled_history
from engine.modeling.forms import FORMS_DIR
from engine.modeling.registry import deploy_bundle
from engine.runtime import Runtime
from engine.storage.tables import User
from tests.conftest import BUNDLES, PASSWORD, PROJECT_ROOT, runtime_for

COMMON = PROJECT_ROOT / "processes" / "common"
RIHG_WRAPPER = BUNDLES / "rihg_wrapper"


# `make test` runs this folder a second time with THV_TEST_CUT_EVERY_ACT=1: every save cuts all the settled
# history it may (engine.modeling.settled_history), and every path through every model must still pass.
CUT_EVERY_ACT = os.environ.get("THV_TEST_CUT_EVERY_ACT") == "1"


@pytest.fixture(autouse=True)
def cut_every_act(monkeypatch) -> None:
    if CUT_EVERY_ACT:
        monkeypatch.setattr(settled_history, "MIN_CUT", 1)


@pytest.fixture
def rt(db_url: str, clock) -> Iterator[Runtime]:
    yield from runtime_for(db_url, clock, FORMS_DIR)


@pytest.fixture
def people(people, session, clock) -> dict[str, User]:
    """The top-level users plus every role that can take the RiHG."""
    extra = {"crisis": (["crisisteam"], ["basis"]), "wt": (["weegteam"], ["basis"])}
    added = {
        name: add_user(session, name, roles, regions, password=PASSWORD, now=clock.now())[0]
        for name, (roles, regions) in extra.items()
    }
    return {**people, **added}


def rihg_bundle_files(wrapper: Path = RIHG_WRAPPER) -> dict[str, bytes]:
    """A test main process plus the RiHG models of processes/common.

    Only the rihg* files are taken, so a half-finished model of another
    process in processes/common cannot break these tests.
    """
    files = {p.name: p.read_bytes() for p in sorted(wrapper.glob("*.bpmn"))}
    for path in sorted(COMMON.glob("rihg*")):
        if path.suffix in (".bpmn", ".dmn"):
            files[f"common/{path.name}"] = path.read_bytes()
    return files


@pytest.fixture
def rihg_deployed(session, rt: Runtime):
    return deploy_bundle(
        session, rt.registry, rihg_bundle_files(), region="basis", variant="rihg-test", actor="test", now=rt.clock.now()
    ).version
