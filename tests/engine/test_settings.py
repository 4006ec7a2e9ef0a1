"""Settings: read once from an environment, checked, frozen. (Their effect in the CLI and the web
app is tests/cli/test_settings.py; the clock's own rules are in test_clock.py.)"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from engine.base.errors import ConfigurationError
from engine.base.paths import FORMS_DIR
from engine.base.settings import MAX_THEME_BYTES, Settings
from engine.storage.db import database_url


def test_an_empty_environment_gives_the_production_defaults(monkeypatch):
    monkeypatch.setenv("THV_MODE", "test")  # the process environment is not read when one is given
    assert Settings.from_env({}) == Settings(
        mode="production", clock=None, database_url=None, forms_dir=FORMS_DIR, secret_key=None, secure_cookies=None
    )


def test_empty_values_mean_the_default():
    empty = {name: "" for name in ("THV_CLOCK", "THV_DATABASE_URL", "THV_FORMS_DIR", "THV_SECRET_KEY")}
    assert Settings.from_env({"THV_MODE": "test", **empty, "THV_SECURE_COOKIES": " "}) == Settings(mode="test")


def test_every_value_is_read(tmp_path):
    settings = Settings.from_env(
        {
            "THV_MODE": "training",
            "THV_CLOCK": "2026-02-02T21:15",
            "THV_DATABASE_URL": "postgresql://db/thv",
            "THV_FORMS_DIR": str(tmp_path),
            "THV_SECRET_KEY": "geheim",
            "THV_SECURE_COOKIES": "ja",
        }
    )
    assert settings == Settings(
        mode="training",
        clock=datetime(2026, 2, 2, 20, 15, tzinfo=UTC),  # without offset: Amsterdam time
        database_url="postgresql://db/thv",
        forms_dir=tmp_path,
        secret_key="geheim",
        secure_cookies=True,
    )
    assert database_url(settings) == "postgresql+psycopg://db/thv"


@pytest.mark.parametrize(
    ("text", "value"),
    [("1", True), ("true", True), ("YES", True), ("on", True), ("ja", True), ("aan", True)]
    + [("0", False), ("false", False), ("No", False), ("off", False), ("nee", False), ("uit", False)],
)
def test_secure_cookies_is_a_boolean(text, value):
    assert Settings.from_env({"THV_SECURE_COOKIES": text}).secure_cookies is value


@pytest.mark.parametrize("text", ["2", "waar", "y", "enabled"])
def test_a_bad_boolean_is_refused_in_dutch(text):
    with pytest.raises(ConfigurationError, match=f"THV_SECURE_COOKIES '{text}' is geen ja/nee-waarde"):
        Settings.from_env({"THV_SECURE_COOKIES": text})


def test_a_forms_dir_must_be_an_existing_folder(tmp_path):
    (tmp_path / "bestand").write_text("x")
    for value in (str(tmp_path / "weg"), str(tmp_path / "bestand")):
        with pytest.raises(ConfigurationError, match="THV_FORMS_DIR .* is geen bestaande map"):
            Settings.from_env({"THV_FORMS_DIR": value})


def test_settings_are_frozen_and_checked_again_when_changed():
    settings = Settings(mode="test", clock=datetime(2026, 2, 2, tzinfo=UTC))
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.mode = "production"  # type: ignore[misc]
    with pytest.raises(ConfigurationError, match="THV_CLOCK is alleen toegestaan"):
        dataclasses.replace(settings, mode="production")
    with pytest.raises(ConfigurationError, match="THV_DATABASE_URL"):
        Settings(database_url="mysql://x")


def test_without_a_database_url_the_sqlite_file_in_the_instance_folder(tmp_path):
    assert database_url(Settings(), instance_path=tmp_path / "instance") == f"sqlite:///{tmp_path}/instance/thv.sqlite"
    assert (tmp_path / "instance").is_dir()


def test_a_region_theme_is_a_readable_utf8_css_file_of_limited_size(tmp_path):
    theme = tmp_path / "regio.css"
    theme.write_text(".thv-theme { --basis-text-font-family-default: serif; }", encoding="utf-8")
    assert Settings.from_env({"THV_THEME_CSS": str(theme)}).theme_css == theme
    assert Settings.from_env({"THV_THEME_CSS": ""}).theme_css is None

    refusals = {
        tmp_path / "weg.css": "is geen bestaand bestand",
        tmp_path / "regio.txt": "is geen .css-bestand",
        tmp_path / "latin1.css": "is geen UTF-8-tekst",
        tmp_path / "groot.css": "is groter dan 512 kB",
    }
    (tmp_path / "regio.txt").write_text(".thv-theme {}", encoding="utf-8")
    (tmp_path / "latin1.css").write_bytes("/* régio */".encode("latin-1"))
    (tmp_path / "groot.css").write_bytes(b"/*" + b" " * MAX_THEME_BYTES + b"*/")
    for path, message in refusals.items():
        with pytest.raises(ConfigurationError, match=f"THV_THEME_CSS '.*' {message}"):
            Settings.from_env({"THV_THEME_CSS": str(path)})


def test_a_theme_that_cannot_be_read_is_refused(tmp_path, monkeypatch):
    theme = tmp_path / "regio.css"
    theme.write_text(".thv-theme {}", encoding="utf-8")

    def unreadable(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(theme), "read_bytes", unreadable)
    with pytest.raises(ConfigurationError, match="THV_THEME_CSS '.*' is niet te lezen"):
        Settings.from_env({"THV_THEME_CSS": str(theme)})
