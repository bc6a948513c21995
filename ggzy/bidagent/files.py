"""The agent's home directory and its private files (created 0600, written atomically)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def default_home() -> Path:
    """%APPDATA%\\ggzy-agent on Windows, ~/Library/Application Support/ggzy-agent on macOS, else
    $XDG_CONFIG_HOME/ggzy-agent (~/.config/ggzy-agent)."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "ggzy-agent"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "ggzy-agent"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "ggzy-agent"


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a 0600 temporary file and an atomic rename."""
    ensure_dir(path.parent)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def read_json(path: Path, default: dict) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    return value if isinstance(value, dict) else default


def write_json(path: Path, value: dict) -> None:
    write_private(path, json.dumps(value, ensure_ascii=False, indent=1).encode())
