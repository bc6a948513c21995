import os

import pytest

from ggzy.pki import envelope


@pytest.fixture(autouse=True)
def _key_dir(settings, tmp_path):
    settings.GGZY_OPENING_KEY_DIR = tmp_path / "keys"


@pytest.mark.parametrize("size", [0, 1, envelope.SEGMENT - 1, envelope.SEGMENT, envelope.SEGMENT + 1,
                                  3 * envelope.SEGMENT + 17])
def test_seal_and_open_round_trip_at_segment_edges(size):
    data = os.urandom(size)
    key = envelope.content_key_new()
    sealed = b"".join(envelope.seal_stream(key, [data[i:i + 333_333] for i in range(0, size, 333_333)] or [b""],
                                           context=b"lot-1|bid-1"))
    assert data not in sealed or size < 16  # a short random input can occur in any ciphertext by chance
    assert envelope.open_bytes(key, sealed, context=b"lot-1|bid-1") == data


def test_tampering_truncation_and_wrong_context_are_detected():
    key = envelope.content_key_new()
    data = os.urandom(2 * envelope.SEGMENT + 5)
    sealed = envelope.seal_bytes(key, data, context=b"ctx")
    flipped = bytearray(sealed)
    flipped[len(sealed) // 2] ^= 1
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, bytes(flipped), context=b"ctx")
    # dropping the final segment: the previous one is not marked final, so this is caught
    truncated = sealed[: len(envelope.HEADER) + 8 + 2 * (envelope.SEGMENT + envelope.TAG)]
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, truncated, context=b"ctx")
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, sealed, context=b"other-bid")
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(envelope.content_key_new(), sealed, context=b"ctx")


def test_wrapped_key_opens_only_with_the_same_opening_key(settings, tmp_path):
    key = envelope.content_key_new()
    wrapped, key_id = envelope.wrap_key("370100", key)
    assert envelope.unwrap_key("370100", wrapped, key_id) == key
    # a replaced key file is refused rather than producing garbage
    (tmp_path / "keys" / "opening-370100.pem").unlink()
    (tmp_path / "keys" / "opening-370100.pub.pem").unlink()
    envelope.opening_key_ensure("370100")
    with pytest.raises(envelope.SealError):
        envelope.unwrap_key("370100", wrapped, key_id)


@pytest.mark.parametrize("size", [0, 5, envelope.SEGMENT, 2 * envelope.SEGMENT + 3])
def test_sm4_gcm_round_trip_and_sealed_size(size):
    # given SM4-GCM content (an SM2 certificate holder's bid)
    data = os.urandom(size)
    key = envelope.content_key_new(envelope.SM4_GCM)
    # when sealed and opened
    sealed = envelope.seal_bytes(key, data, context=b"ctx", algorithm=envelope.SM4_GCM)
    # then it round-trips, and the plaintext size follows from the sealed size
    assert len(key) == 16
    assert envelope.open_bytes(key, sealed, context=b"ctx", algorithm=envelope.SM4_GCM) == data
    assert envelope.sealed_plaintext_size(len(sealed)) == size


def test_sm4_gcm_matches_the_sm_module_and_refuses_tampering_and_the_other_algorithm():
    # given an SM4-GCM sealed item
    from ggzy.pki import sm

    key = envelope.content_key_new(envelope.SM4_GCM)
    sealed = envelope.seal_bytes(key, b"price sheet", context=b"ctx", algorithm=envelope.SM4_GCM)
    header = len(envelope.HEADER) + 8
    nonce = sealed[len(envelope.HEADER):header] + (0).to_bytes(4, "big")
    # then its one segment is plain RFC 8998 SM4-GCM (as sm.py computes it, checked against the KATs)
    assert sm.sm4_gcm_decrypt(key, nonce, sealed[header:], b"ctx" + b"\x00\x00\x00\x00\x01") == b"price sheet"
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(envelope.SealError):
        envelope.open_bytes(key, bytes(flipped), context=b"ctx", algorithm=envelope.SM4_GCM)
    with pytest.raises(envelope.SealError):  # an SM4 envelope is not an AES one
        envelope.open_bytes(key + key, sealed, context=b"ctx")
