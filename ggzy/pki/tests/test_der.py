"""The small DER encoder/reader used for SM2 certificates and CRLs."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.pki import der


@pytest.mark.parametrize(("value", "encoded"), [
    pytest.param(0, "020100", id="zero"),
    pytest.param(127, "02017f", id="127"),
    pytest.param(128, "02020080", id="128-needs-leading-zero"),
    pytest.param(256, "02020100", id="256"),
    pytest.param(-129, "0202ff7f", id="negative"),
])
def test_integer_encodings(value, encoded):
    assert der.integer(value).hex() == encoded
    assert der.read_one(der.integer(value)).as_int() == value


@given(st.integers(min_value=-(2**300), max_value=2**300))
def test_integer_round_trip(value):
    assert der.read_one(der.integer(value)).as_int() == value


@pytest.mark.parametrize(("dotted", "encoded"), [
    pytest.param("1.2.840.10045.2.1", "06072a8648ce3d0201", id="ecPublicKey"),
    pytest.param("1.2.156.10197.1.501", "06082a811ccf55018375", id="sm2-with-sm3"),
    pytest.param("2.5.4.97", "0603550461", id="organizationIdentifier"),
])
def test_oid_encodings(dotted, encoded):
    assert der.oid(dotted).hex() == encoded
    assert der.read_one(der.oid(dotted)).as_oid() == dotted


def test_long_lengths_round_trip():
    # given
    payload = b"x" * 70000
    # when
    node = der.read_one(der.octet_string(payload))
    # then
    assert node.content == payload
    assert der.octet_string(payload)[:4].hex() == "04830111"


def test_reader_refuses_truncated_and_trailing_bytes():
    encoded = der.sequence(der.integer(5))
    with pytest.raises(der.DerError):
        der.read_one(encoded[:-1])
    with pytest.raises(der.DerError):
        der.read_one(encoded + b"\x00")
    with pytest.raises(der.DerError):
        der.read_one(b"\x04\x81\x05hello")  # non-minimal length


def test_times_use_utctime_before_2050_and_generalized_after():
    assert der.time(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)) == der.tlv(der.UTC_TIME, b"260102030405Z")
    assert der.time(dt.datetime(2051, 1, 2, tzinfo=dt.UTC)) == der.tlv(der.GENERALIZED_TIME, b"20510102000000Z")


def test_key_usage_bits():
    # digitalSignature only → 03 02 07 80 ; keyCertSign + cRLSign (bits 5, 6) → 03 02 01 06
    assert der.key_usage_bits([0]).hex() == "03020780"
    assert der.key_usage_bits([5, 6]).hex() == "03020106"
    assert der.key_usage_bits([2]).hex() == "03020520"
