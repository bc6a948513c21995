"""k-of-n secret sharing (Shamir, over GF(2^8)) with per-share commitments, for the center's opening key.

The secret (e.g. a 32-byte key) is split byte by byte: each byte is the constant term of a random polynomial of
degree k−1 over GF(2^8) (AES field, x^8+x^4+x^3+x+1); share i holds the polynomials' values at x = i. Any k
shares give the secret by Lagrange interpolation at 0; k−1 shares are consistent with every possible secret,
so they reveal nothing about it.

Interpolation never fails on its own: a wrong or altered share would silently yield a different "secret".
So the split also returns a ``Commitment`` (kept with the sealed record, not secret): a SHA-256 digest of
every share, bound to the split's id, index and threshold, and a digest of the secret. ``secret_combine``
checks each presented share against it first and names the custodian whose share is wrong, then checks the
result. (The commitments make the scheme computationally, not information-theoretically, hiding.)
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Sequence
from dataclasses import dataclass

_EXP = [0] * 510
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value ^= (_value << 1) ^ (0x11B if _value & 0x80 else 0)  # multiply by the generator 3
for _power in range(255, 510):
    _EXP[_power] = _EXP[_power - 255]


def _mul(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def _div(a: int, b: int) -> int:
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(2^8)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] - _LOG[b] + 255]


class ShareError(ValueError):
    """The shares cannot give the secret: too few, duplicated, from another split, or wrong/tampered."""

    def __init__(self, message: str, *, bad_indices: Sequence[int] = ()) -> None:
        super().__init__(message)
        self.bad_indices = list(bad_indices)


@dataclass(frozen=True)
class Share:
    """One custodian's share: which split, its x-coordinate (1…255) and the values of every byte's polynomial."""

    split_id: bytes
    threshold: int
    index: int
    value: bytes

    def encode(self) -> str:
        return f"ggzy-share-1:{self.split_id.hex()}:{self.threshold}:{self.index}:{self.value.hex()}"

    @classmethod
    def decode(cls, text: str) -> Share:
        try:
            tag, split_id, threshold, index, value = text.strip().split(":")
            if tag != "ggzy-share-1":
                raise ValueError(tag)
            return cls(bytes.fromhex(split_id), int(threshold), int(index), bytes.fromhex(value))
        except ValueError as exc:
            raise ShareError("密钥分片格式无法识别") from exc


@dataclass(frozen=True)
class Commitment:
    """What is kept beside the sealed record to check shares: per-share digests and the secret's digest."""

    split_id: bytes
    threshold: int
    share_digests: dict[int, bytes]
    secret_digest: bytes


def _share_digest(split_id: bytes, threshold: int, index: int, value: bytes) -> bytes:
    header = b"ggzy-shamir-share\x00" + split_id + bytes([threshold, index])
    return hashlib.sha256(header + value).digest()


def _secret_digest(split_id: bytes, secret: bytes) -> bytes:
    return hashlib.sha256(b"ggzy-shamir-secret\x00" + split_id + secret).digest()


def _evaluate(coefficients: Sequence[int], x: int) -> int:
    result = 0
    for coefficient in reversed(coefficients):  # Horner
        result = _mul(result, x) ^ coefficient
    return result


def secret_split(secret: bytes, *, threshold: int, count: int) -> tuple[list[Share], Commitment]:
    """Split ``secret`` into ``count`` shares of which any ``threshold`` recover it."""
    if not secret:
        raise ValueError("the secret must not be empty")
    if not 2 <= threshold <= count <= 255:
        raise ValueError("need 2 <= threshold <= count <= 255")
    split_id = os.urandom(16)
    randomness = os.urandom(len(secret) * (threshold - 1))
    polynomials = [[byte, *randomness[i * (threshold - 1) : (i + 1) * (threshold - 1)]]
                   for i, byte in enumerate(secret)]
    shares = [Share(split_id, threshold, x, bytes(_evaluate(poly, x) for poly in polynomials))
              for x in range(1, count + 1)]
    commitment = Commitment(
        split_id=split_id, threshold=threshold,
        share_digests={s.index: _share_digest(split_id, threshold, s.index, s.value) for s in shares},
        secret_digest=_secret_digest(split_id, secret),
    )
    return shares, commitment


def _interpolate_at_zero(points: Sequence[tuple[int, bytes]]) -> bytes:
    """Lagrange interpolation at x = 0 of each byte position, through the given (x, values) points."""
    length = len(points[0][1])
    result = bytearray(length)
    for j, (xj, values) in enumerate(points):
        basis = 1
        for m, (xm, _) in enumerate(points):
            if m != j:
                basis = _mul(basis, _div(xm, xm ^ xj))  # x_m / (x_m − x_j), with − being XOR
        for position in range(length):
            result[position] ^= _mul(values[position], basis)
    return bytes(result)


def share_check(share: Share, commitment: Commitment) -> bool:
    """Whether ``share`` is exactly the share the dealer made for its index in this split."""
    expected = commitment.share_digests.get(share.index)
    if expected is None or share.split_id != commitment.split_id or share.threshold != commitment.threshold:
        return False
    return hmac.compare_digest(expected, _share_digest(share.split_id, share.threshold, share.index, share.value))


def secret_combine(shares: Sequence[Share], commitment: Commitment) -> bytes:
    """Recover the secret from at least ``threshold`` checked shares; any bad share is named, never used."""
    bad = sorted({share.index for share in shares if not share_check(share, commitment)})
    if bad:
        raise ShareError(f"第{'、'.join(map(str, bad))}号密钥分片与登记的承诺值不符（分片错误或被篡改）",
                         bad_indices=bad)
    distinct = {share.index: share for share in shares}
    if len(distinct) < commitment.threshold:
        raise ShareError(f"有效密钥分片不足：需要{commitment.threshold}份，只有{len(distinct)}份")
    chosen = sorted(distinct.values(), key=lambda share: share.index)[: commitment.threshold]
    secret = _interpolate_at_zero([(share.index, share.value) for share in chosen])
    if not hmac.compare_digest(_secret_digest(commitment.split_id, secret), commitment.secret_digest):
        raise ShareError("由分片恢复的密钥与登记的承诺值不符")
    return secret
