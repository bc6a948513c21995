"""The production and embedded profiles, each loaded in a fresh interpreter as a deployment would load it."""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys

import pytest

from ggzy.core.testing import REPOSITORY


def _manage(tmp_path, settings_module: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("GGZY_", "DATABASE_URL", "REDIS_URL", "DJANGO_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": settings_module, "GGZY_VAR_DIR": str(tmp_path / "var")}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPOSITORY, env=clean, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def production_env(tmp_path):
    """What an operator provides: secrets, PostgreSQL, host names, the secrets key file and a data directory."""
    key_file = tmp_path / "secrets-key"
    key_file.write_text(base64.b64encode(os.urandom(32)).decode())
    (tmp_path / "var").mkdir(mode=0o700)
    return {"GGZY_SECRET_KEY": secrets.token_urlsafe(64), "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
            "GGZY_ALLOWED_HOSTS": "ggzy.example.gov.cn", "GGZY_SECRETS_KEY_FILE": str(key_file)}


def test_check_deploy_reports_nothing_in_production(tmp_path, production_env):
    # when the deployment checks run under the production profile
    result = _manage(tmp_path, "ggzy.settings.prod", "check", "--deploy", "--fail-level", "WARNING", **production_env)
    # then there is no warning and no error
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr and "?:" not in result.stderr


@pytest.mark.parametrize("url", [
    pytest.param("sqlite:////tmp/ggzy.sqlite3", id="sqlite"),
    pytest.param("mysql://u@127.0.0.1/ggzy", id="mysql"),
])
def test_production_refuses_anything_but_postgresql(tmp_path, production_env, url):
    result = _manage(tmp_path, "ggzy.settings.prod", "check", **{**production_env, "DATABASE_URL": url})
    assert result.returncode != 0
    assert "生产环境只支持 PostgreSQL" in result.stderr


@pytest.mark.parametrize("missing", ["GGZY_SECRET_KEY", "DATABASE_URL", "GGZY_ALLOWED_HOSTS", "GGZY_SECRETS_KEY_FILE"])
def test_production_names_a_missing_setting(tmp_path, production_env, missing):
    env = {k: v for k, v in production_env.items() if k != missing}
    result = _manage(tmp_path, "ggzy.settings.prod", "check", **env)
    assert result.returncode != 0
    assert f"生产环境必须设置环境变量 {missing}" in result.stderr


def test_production_without_the_secrets_key_file_fails_the_deploy_check(tmp_path, production_env):
    # given a key file path that was never created
    env = {**production_env, "GGZY_SECRETS_KEY_FILE": str(tmp_path / "absent-key")}
    # when the deployment checks run
    result = _manage(tmp_path, "ggzy.settings.prod", "check", "--deploy", **env)
    # then they fail, naming the command that creates it
    assert result.returncode != 0
    assert "ggzy.E001" in result.stderr and "secrets_key_create" in result.stderr


def test_a_missing_data_directory_is_named_not_a_sqlite_error(tmp_path, production_env):
    # given production without Redis (task queue file in the data directory) and no data directory
    env = {**production_env, "GGZY_VAR_DIR": str(tmp_path / "nowhere")}
    # when the platform starts
    result = _manage(tmp_path, "ggzy.settings.prod", "check", **env)
    # then the message names the directory, not a raw SQLite error from the task queue
    assert result.returncode != 0
    assert f"数据目录 {tmp_path / 'nowhere'} 不存在" in result.stderr
    assert "sqlite3.OperationalError" not in result.stderr


def test_the_embedded_profile_keeps_its_data_private(tmp_path):
    # when the embedded profile starts with no data directory
    result = _manage(tmp_path, "ggzy.settings.dev", "check")
    # then the directory is 0700 and the database and task-queue files are 0600
    assert result.returncode == 0, result.stderr
    var = tmp_path / "var"
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for name in ("ggzy.sqlite3", "huey.sqlite3"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600, name


def test_the_embedded_profile_tightens_a_loose_data_directory(tmp_path):
    # given a data directory and database readable by everyone
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    (var / "ggzy.sqlite3").touch(mode=0o644)
    os.chmod(var, 0o755)
    os.chmod(var / "ggzy.sqlite3", 0o644)
    # when the embedded profile starts
    result = _manage(tmp_path, "ggzy.settings.dev", "check")
    # then both are private again
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    assert stat.S_IMODE((var / "ggzy.sqlite3").stat().st_mode) == 0o600


def test_a_bounded_pool_per_process_when_asked(monkeypatch, tmp_path):
    # under uvicorn each concurrent request has its own thread and connection: GGZY_DB_POOL_MAX bounds them
    from ggzy.settings.base import database_from_env

    monkeypatch.setenv("DATABASE_URL", "postgres://ggzy@127.0.0.1:5432/ggzy")
    monkeypatch.setenv("GGZY_DB_POOL_MAX", "12")
    pooled = database_from_env(tmp_path / "x.sqlite3")
    assert pooled["OPTIONS"]["pool"]["max_size"] == 12 and pooled["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("GGZY_DB_POOL_MAX", "0")
    assert "pool" not in database_from_env(tmp_path / "x.sqlite3").get("OPTIONS", {})
