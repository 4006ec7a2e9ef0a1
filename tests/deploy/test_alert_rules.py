"""The example alerting rules (deploy/prometheus) are valid, fire at their thresholds and not before (promtool's
own unit tests in thv-alerts.test.yml), and watch the jobs the README tells Prometheus to scrape."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from tests.conftest import PROJECT_ROOT

RULES = PROJECT_ROOT / "deploy" / "prometheus"


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    if shutil.which("promtool") is None:
        pytest.fail("promtool is needed for this test (Debian: the prometheus package; make deploy-tools)")
    return subprocess.run(["promtool", *args], cwd=RULES, capture_output=True, text=True, timeout=120)


def test_the_rules_are_valid_prometheus_rules():
    result = _promtool("check", "rules", "thv-alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 8 rules found" in result.stdout


def test_every_alert_fires_past_its_threshold_and_not_at_it():
    result = _promtool("test", "rules", "thv-alerts.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    tested = set(re.findall(r"alertname: (\w+)", (RULES / "thv-alerts.test.yml").read_text(encoding="utf-8")))
    defined = set(re.findall(r"- alert: (\w+)", (RULES / "thv-alerts.yml").read_text(encoding="utf-8")))
    assert tested == defined  # no alert without its edge tests


def test_a_broken_threshold_fails_the_edge_tests(tmp_path):
    """The edge tests can fail: the mail alert one second later than documented is caught."""
    rules = (RULES / "thv-alerts.yml").read_text(encoding="utf-8")
    assert rules.count("> 900") == 1
    (tmp_path / "thv-alerts.yml").write_text(rules.replace("> 900", "> 901"), encoding="utf-8")
    shutil.copy(RULES / "thv-alerts.test.yml", tmp_path)
    result = subprocess.run(
        ["promtool", "test", "rules", "thv-alerts.test.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "alertname: ThvMailAchterstand" in result.stdout + result.stderr


def test_the_rules_watch_the_jobs_the_readme_scrapes():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    scraped = set(re.findall(r"job_name: ([\w-]+)", readme))
    watched = set(re.findall(r'job="([\w-]+)"', (RULES / "thv-alerts.yml").read_text(encoding="utf-8")))
    assert watched and watched <= scraped
