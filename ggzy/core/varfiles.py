"""The embedded profile's data directory (var/): private to the platform's user.

The SQLite database, the task queue's SQLite file, stored bids and the keys all live there, so the directory is
created 0700 and the SQLite files 0600 before SQLite creates them (SQLite gives its journal and WAL files the
mode of the database file).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def var_dir_prepare(var_dir: Path, sqlite_files: list[Path]) -> None:
    """Create ``var_dir`` (0700) and empty SQLite files (0600) where missing; tighten them if they are looser."""
    try:
        var_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if var_dir.stat().st_mode & 0o077:
            os.chmod(var_dir, 0o700)
        for path in sqlite_files:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # an empty file is an empty SQLite database
            os.close(fd)
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
    except OSError as exc:
        raise ImproperlyConfigured(
            f"无法创建或使用数据目录 {var_dir}：{exc.strerror}。请检查权限，或用 GGZY_VAR_DIR 指定可写目录。") from exc


def var_dir_require(var_dir: Path, *, purpose: str) -> None:
    """Refuse to start, with a clear message, when a deployment's data directory is missing."""
    if not var_dir.is_dir():
        raise ImproperlyConfigured(
            f"数据目录 {var_dir} 不存在（{purpose}需要它）。请先创建该目录（属主为运行平台的用户，权限 0700），"
            "或用 GGZY_VAR_DIR 指定。")
