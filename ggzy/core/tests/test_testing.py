"""The shared test data helper: skips without the data on a plain clone, fails in CI, and no test hard-codes a path."""

from __future__ import annotations

import pytest

from ggzy.core import testing


def test_missing_testdata_skips_by_default(monkeypatch, tmp_path):
    # given an empty test data directory and no CI flag
    monkeypatch.setenv("GGZY_TESTDATA_DIR", str(tmp_path))
    monkeypatch.delenv("GGZY_REQUIRE_TESTDATA", raising=False)
    # when / then a test asking for a file is skipped, naming it
    with pytest.raises(pytest.skip.Exception, match="gmt-known-answers.json"):
        testing.shared_data_path("sm", "gmt-known-answers.json")


def test_missing_testdata_fails_when_required(monkeypatch, tmp_path):
    # given CI's flag
    monkeypatch.setenv("GGZY_TESTDATA_DIR", str(tmp_path))
    monkeypatch.setenv("GGZY_REQUIRE_TESTDATA", "1")
    # when / then the test fails instead of skipping
    with pytest.raises(pytest.fail.Exception, match="merkle"):
        testing.shared_data_path("merkle")


def test_present_testdata_is_found(monkeypatch, tmp_path):
    # given a directory holding the file
    (tmp_path / "sm").mkdir()
    (tmp_path / "sm" / "kat.json").write_text("{}")
    monkeypatch.setenv("GGZY_TESTDATA_DIR", str(tmp_path))
    # then its path is returned
    assert testing.shared_data_path("sm", "kat.json") == tmp_path / "sm" / "kat.json"
    assert testing.shared_data_find("sm", "absent.json") is None


def test_the_default_location_is_beside_the_repository(monkeypatch):
    monkeypatch.delenv("GGZY_TESTDATA_DIR", raising=False)
    assert testing.shared_data_dir() == testing.REPOSITORY.parent / "shared" / "testdata"
    assert (testing.REPOSITORY / "manage.py").exists()


def test_no_test_names_an_absolute_checkout_path():
    # given every test module and conftest in the repository
    sources = [p for base in ("ggzy", "tests") for p in (testing.REPOSITORY / base).rglob("*.py")
               if p.name.startswith(("test_", "conftest"))]
    sources.append(testing.REPOSITORY / "conftest.py")
    # then none reaches the shared data (or anything else) through an absolute path of one machine
    needle = "/" + "work/"  # spelt in two halves so this module does not match itself
    offenders = [str(p.relative_to(testing.REPOSITORY)) for p in sources if needle in p.read_text()]
    assert offenders == []
