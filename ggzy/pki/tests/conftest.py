"""The test PKI, built once per module in a tmp dir, and a trust store holding its CAs and CRLs."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ggzy.pki.testpki import build_test_pki, demo_pki_register

# The moment every validation in these tests is made at (certificates start one day before).
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory):
    return build_test_pki(tmp_path_factory.mktemp("pki"), now=NOW, crl_days=30)


@pytest.fixture
def trust_store(db, demo_pki):
    """Both demo roots registered and both CRLs imported (by the system actor)."""
    demo_pki_register(directory=demo_pki.directory)
    return demo_pki
