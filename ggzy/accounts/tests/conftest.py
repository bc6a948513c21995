"""The test PKI for certificate login: both demo CAs, built once per module, registered per test."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from ggzy.pki.testpki import build_test_pki, demo_pki_register

PKI_NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the frozen_clock's moment


@pytest.fixture(scope="module")
def demo_pki(tmp_path_factory):
    return build_test_pki(tmp_path_factory.mktemp("pki"), now=PKI_NOW, crl_days=30)


@pytest.fixture
def trust_store(db, demo_pki):
    demo_pki_register(directory=demo_pki.directory)
    return demo_pki
