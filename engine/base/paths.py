"""Where the project's own files are: the checkout the engine runs from."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
FORMS_DIR = PROJECT_ROOT / "forms"  # the default; THV_FORMS_DIR overrides it (engine.base.settings)
