"""The example systemd units (deploy/systemd) are valid units, every ``thv`` command and option in them exists,
and the example settings file is read by the real settings code (and refused for serving until filled in)."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from cli.main import cli
from cli.serving import serve
from engine.base.errors import ConfigurationError
from engine.base.settings import Settings
from tests.cli.test_settings import documented_variables
from tests.conftest import PROJECT_ROOT

UNITS = PROJECT_ROOT / "deploy" / "systemd"
THV = "/opt/thv/.venv/bin/thv"
ENV_FILE = "/etc/thv/thv.env"


def _unit(name: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text(encoding="utf-8"))
    return parser


def _thv_calls(line: str) -> list[list[str]]:
    """The thv command lines in an Exec line, also inside ``/bin/sh -c '…'``."""
    words = shlex.split(line.replace("$$", "$").replace("%%", "%"))
    if words[:2] == ["/bin/sh", "-c"]:
        return [shlex.split(part)[1:] for part in re.findall(rf"{re.escape(THV)}[^;|&']*", words[2])]
    return [words[1:]] if words and words[0] == THV else []


def _check_call(args: list[str]) -> None:
    command: click.Command = cli
    while isinstance(command, click.Group):
        name, args = args[0], args[1:]
        assert name in command.commands, f"thv has no command {name}"
        command = command.commands[name]
    with click.Context(command) as ctx:
        command.parse_args(ctx, list(args))  # raises on an unknown option or a bad value


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is needed for this test (Debian: the systemd package)")
    thv = Path(sys.executable).with_name("thv")
    for unit in sorted(UNITS.glob("thv-*.*")):
        # The paths of a real installation, pointed at this checkout's, so verify can check they exist.
        text = unit.read_text(encoding="utf-8").replace(THV, str(thv))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    units = sorted(str(p) for p in tmp_path.glob("thv-*.*"))
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    problems = [line for line in result.stderr.splitlines() if "thv-" in line and "User=" not in line]
    assert result.returncode == 0 and problems == [], result.stderr


def test_every_thv_command_and_option_in_the_units_exists():
    calls = []
    for unit in sorted(UNITS.glob("*.service")):
        service = _unit(unit.name)["Service"]
        for key in ("ExecStart", "ExecStartPre", "ExecStartPost"):
            if key in service:
                calls += _thv_calls(service[key])
        if any(_thv_calls(service.get(k, "")) for k in ("ExecStart",)):
            assert service["EnvironmentFile"] == ENV_FILE, unit.name
    assert sorted(call[0] for call in calls) == ["backup", "serve", "timers"]
    for call in calls:
        _check_call([arg if "$" not in arg else "/tmp/x.sqlite" for arg in call])
    with pytest.raises(click.UsageError):
        _check_call(["timers", "--lus"])  # the check itself notices a wrong option


def test_the_heartbeat_checked_is_the_one_the_worker_writes():
    worker = _unit("thv-timers.service")["Service"]["ExecStart"]
    check = _unit("thv-timers-check.service")["Service"]["ExecStart"]
    heartbeat = shlex.split(worker)[shlex.split(worker).index("--heartbeat") + 1]
    assert heartbeat.startswith("/run/thv/") and _unit("thv-timers.service")["Service"]["RuntimeDirectory"] == "thv"
    assert f"find {heartbeat} -mmin -2" in check and "systemctl restart thv-timers.service" in check


def _example_env() -> dict[str, str]:
    values = {}
    for line in (UNITS / "thv.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            values[name] = value
    return values


def test_the_example_settings_are_documented_and_read_but_refuse_to_serve_until_filled_in():
    example = _example_env()
    assert set(example) <= set(documented_variables())
    commented = re.findall(r"^#(THV_[A-Z_]+)=", (UNITS / "thv.env.example").read_text(), flags=re.MULTILINE)
    assert set(commented) <= set(documented_variables())
    settings = Settings.from_env(example)
    assert settings.mode == "production" and settings.secret_key is None and settings.metrics_token is None
    with pytest.raises(ConfigurationError, match="THV_SECRET_KEY ontbreekt"):
        serve(settings, host="127.0.0.1", port=5000, workers=None, timeout=30, timers=None)
