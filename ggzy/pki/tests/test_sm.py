"""Known-answer tests for SM2/SM3/SM4 against ../shared/testdata/sm/gmt-known-answers.json (GM/T examples)."""

import json

import pytest

from ggzy.core.testing import shared_data_path
from ggzy.pki import sm


@pytest.fixture(scope="module")
def kat():
    return json.loads(shared_data_path("sm", "gmt-known-answers.json").read_text())


def _h(value: str) -> bytes:
    return bytes.fromhex(value)


def _little_endian_nonce(k_hex: str):
    # gmalglib reads the bytes its random source returns as a little-endian scalar
    return lambda size: int(k_hex, 16).to_bytes(size, "little")


def test_sm3_known_answers(kat):
    for case in kat["sm3"]:
        # given
        if "message_ascii" in case:
            message = case["message_ascii"].encode()
        else:
            message = case["message_ascii_repeat"]["unit"].encode() * case["message_ascii_repeat"]["times"]
        # when / then
        assert sm.sm3(message).hex() == case["digest"].lower()


def test_sm4_block_known_answer(kat):
    # given
    case = kat["sm4_ecb"]
    # when
    ciphertext = sm.sm4_encrypt_block(_h(case["key"]), _h(case["plaintext"]))
    # then
    assert ciphertext.hex() == case["ciphertext"].lower()
    assert sm.sm4_decrypt_block(_h(case["key"]), ciphertext) == _h(case["plaintext"])


def test_sm2_public_key_from_private_key_matches_the_standard(kat):
    # given
    case = kat["sm2_signature"]
    # when
    public_key = sm.sm2_public_key(_h(case["private_key_d"]))
    # then
    assert public_key == b"\x04" + _h(case["public_key_x"]) + _h(case["public_key_y"])


def test_sm2_z_and_digest_match_the_standard(kat):
    # given
    case = kat["sm2_signature"]
    public_key = b"\x04" + _h(case["public_key_x"]) + _h(case["public_key_y"])
    # when
    e = sm.sm2_digest(public_key, case["message_ascii"].encode(), case["user_id_ascii"].encode())
    # then: our own Z computation agrees with the standard's e and with the C library's entity info
    assert e.hex() == case["e_sm3_of_Z_and_message"].lower()
    assert sm.sm2_z(public_key) == sm._signer(None, public_key, sm.DEFAULT_USER_ID).get_entity_info()


def test_sm2_signature_known_answer_verifies(kat):
    # given
    case = kat["sm2_signature"]
    public_key = b"\x04" + _h(case["public_key_x"]) + _h(case["public_key_y"])
    signature = _h(case["r"] + case["s"])
    # when / then
    assert sm.sm2_verify(public_key, case["message_ascii"].encode(), signature)
    assert sm.sm2_verify(public_key, case["message_ascii"].encode(), sm.sm2_signature_to_der(signature))
    assert not sm.sm2_verify(public_key, b"message digesT", signature)
    assert not sm.sm2_verify(public_key, case["message_ascii"].encode(), signature,
                             user_id=b"8765432187654321")


def test_sm2_signature_with_the_standards_k_reproduces_r_and_s(kat):
    # given: the library's random-source hook lets the test supply the standard's k
    case = kat["sm2_signature"]
    signer = sm._signer(_h(case["private_key_d"]), None, case["user_id_ascii"].encode(),
                        _little_endian_nonce(case["nonce_k"]))
    # when
    signature = signer.sign(case["message_ascii"].encode())
    # then
    assert signature.hex() == (case["r"] + case["s"]).lower()


def test_sm2_decrypts_the_standards_ciphertext(kat):
    # given: the file's C1 is x ‖ y without the 04 prefix (its DER form shows x itself begins with 0x04)
    case = kat["sm2_encryption"]
    c1 = _h(case["c1_uncompressed_point"])
    c1 = c1 if len(c1) == 65 else b"\x04" + c1
    raw = c1 + _h(case["c3"]) + _h(case["c2"])
    # when / then
    assert sm.sm2_decrypt(_h(case["private_key_d"]), raw) == case["plaintext_ascii"].encode()
    assert sm.sm2_decrypt(_h(case["private_key_d"]), _h(case["ciphertext_der_c1c3c2"])) == b"encryption standard"
    assert sm.sm2_ciphertext_to_der(raw).hex() == case["ciphertext_der_c1c3c2"].lower()


def test_sm2_encryption_with_the_standards_k_reproduces_the_ciphertext(kat):
    # given: the file gives no k for encryption; the standard's example uses the signature example's k
    case = kat["sm2_encryption"]
    private_key = _h(case["private_key_d"])
    encryptor = sm._signer(None, sm.sm2_public_key(private_key), sm.DEFAULT_USER_ID,
                           _little_endian_nonce(kat["sm2_signature"]["nonce_k"]))
    # when
    ciphertext = encryptor.encrypt(case["plaintext_ascii"].encode())
    # then
    assert sm.sm2_ciphertext_to_der(ciphertext).hex() == case["ciphertext_der_c1c3c2"].lower()


def test_sm2_sign_and_verify_round_trip_with_fresh_keys():
    # given
    private_key, public_key = sm.sm2_keypair_new()
    # when
    signature = sm.sm2_sign(private_key, b"bid", user_id=b"ALICE")
    # then
    assert sm.sm2_verify(public_key, b"bid", signature, user_id=b"ALICE")
    assert not sm.sm2_verify(public_key, b"bid", signature)
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    assert not sm.sm2_verify(public_key, b"bid", tampered)
    assert not sm.sm2_verify(public_key, b"bid", b"junk")


def test_sm2_encrypt_round_trip_and_tamper_detected():
    # given
    private_key, public_key = sm.sm2_keypair_new()
    other_private, _ = sm.sm2_keypair_new()
    ciphertext = sm.sm2_encrypt(public_key, b"content key 0123")
    # when / then
    assert sm.sm2_decrypt(private_key, ciphertext) == b"content key 0123"
    with pytest.raises(sm.SMError):
        sm.sm2_decrypt(private_key, ciphertext[:-1] + bytes([ciphertext[-1] ^ 1]))
    with pytest.raises(sm.SMError):
        sm.sm2_decrypt(other_private, ciphertext)


def test_sm2_rejects_invalid_keys():
    with pytest.raises(sm.SMError):
        sm.sm2_sign(b"\x00" * 32, b"m")
    with pytest.raises(sm.SMError):
        sm.sm2_encrypt(b"\x04" + b"\x01" * 64, b"m")
    assert not sm.sm2_public_key_valid(b"\x04" + b"\x01" * 64)


def test_sm4_gcm_round_trip_and_tamper_detected():
    # given
    key, nonce = sm.sm4_key_new(), b"\x01" * 12
    sealed = sm.sm4_gcm_encrypt(key, nonce, b"bid file", b"ctx")
    # when / then
    assert sm.sm4_gcm_decrypt(key, nonce, sealed, b"ctx") == b"bid file"
    with pytest.raises(sm.SMError):
        sm.sm4_gcm_decrypt(key, nonce, sealed, b"other ctx")
    with pytest.raises(sm.SMError):
        sm.sm4_gcm_decrypt(key, nonce, bytes([sealed[0] ^ 1]) + sealed[1:], b"ctx")


def test_sm3_hmac_differs_by_key():
    assert sm.sm3_hmac(b"k1", b"m") != sm.sm3_hmac(b"k2", b"m")
    assert len(sm.sm3_hmac(b"k1", b"m")) == 32
