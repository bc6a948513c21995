"""The README tells how to choose the demo's port and address, and the Makefile does what it says."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_demo_honours_port_and_host():
    dry = subprocess.run(["make", "-n", "demo", "serve", "PORT=8080", "HOST=0.0.0.0"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert dry.count("manage.py serve 0.0.0.0:8080") == 2 and "http://0.0.0.0" not in dry
    default = subprocess.run(["make", "-n", "serve"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "manage.py serve 127.0.0.1:8000" in default


def test_readme_says_how_to_choose_the_port():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo PORT=8080 HOST=0.0.0.0 GGZY_ALLOWED_HOSTS=" in readme


def test_the_demo_settings_show_the_platforms_error_pages(monkeypatch):
    import importlib

    import ggzy.settings.dev as dev

    monkeypatch.delenv("GGZY_DEBUG", raising=False)
    assert importlib.reload(dev).DEBUG is False
    monkeypatch.setenv("GGZY_DEBUG", "1")
    assert importlib.reload(dev).DEBUG is True
