"""A small DER (X.690) encoder and reader — just what SM2 certificates and CRLs need.

pyca ``cryptography`` parses SM2 certificates but cannot sign them, so the test PKI encodes TBSCertificate and
TBSCertList itself, and the validator reads the SubjectPublicKeyInfo of an SM2 key from the raw TBS bytes.
Only definite-length DER is produced or accepted; anything else raises ``DerError``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Universal tags
BOOLEAN, INTEGER, BIT_STRING, OCTET_STRING, NULL, OID = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06
UTF8_STRING, PRINTABLE_STRING, UTC_TIME, GENERALIZED_TIME = 0x0C, 0x13, 0x17, 0x18
SEQUENCE, SET = 0x30, 0x31


class DerError(ValueError):
    """The bytes are not the DER this module expects."""


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def integer(value: int) -> bytes:
    if value == 0:
        return tlv(INTEGER, b"\x00")
    size = (value.bit_length() + 8) // 8 if value > 0 else ((-value - 1).bit_length() + 8) // 8
    return tlv(INTEGER, value.to_bytes(size, "big", signed=True))


def boolean(value: bool) -> bytes:
    return tlv(BOOLEAN, b"\xff" if value else b"\x00")


def null() -> bytes:
    return tlv(NULL, b"")


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    if len(parts) < 2 or parts[0] > 2 or (parts[0] < 2 and parts[1] >= 40):
        raise DerError(f"invalid OID {dotted}")
    body = bytearray()
    for arc in [parts[0] * 40 + parts[1], *parts[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body.extend(reversed(chunk))
    return tlv(OID, bytes(body))


def sequence(*items: bytes) -> bytes:
    return tlv(SEQUENCE, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv(SET, b"".join(sorted(items)))  # DER: SET OF elements in ascending byte order


def octet_string(value: bytes) -> bytes:
    return tlv(OCTET_STRING, value)


def bit_string(value: bytes, unused_bits: int = 0) -> bytes:
    return tlv(BIT_STRING, bytes([unused_bits]) + value)


def utf8_string(value: str) -> bytes:
    return tlv(UTF8_STRING, value.encode("utf-8"))


def printable_string(value: str) -> bytes:
    return tlv(PRINTABLE_STRING, value.encode("ascii"))


def time(value: dt.datetime) -> bytes:
    """X.509 Time: UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5)."""
    value = value.astimezone(dt.UTC)
    if 1950 <= value.year < 2050:
        return tlv(UTC_TIME, value.strftime("%y%m%d%H%M%SZ").encode())
    return tlv(GENERALIZED_TIME, value.strftime("%Y%m%d%H%M%SZ").encode())


def explicit(number: int, content: bytes) -> bytes:
    """[number] EXPLICIT (constructed, context-specific)."""
    return tlv(0xA0 | number, content)


def key_usage_bits(bits: list[int]) -> bytes:
    """KeyUsage as a DER BIT STRING: named bits numbered from the most significant bit, trailing zeros dropped."""
    if not bits:
        return bit_string(b"")
    value = 0
    width = max(bits) + 1
    for bit in bits:
        value |= 1 << (width - 1 - bit)
    size = (width + 7) // 8
    unused = size * 8 - width
    return bit_string((value << unused).to_bytes(size, "big"), unused)


@dataclass(frozen=True)
class Node:
    """One decoded TLV: its tag, its content bytes and the whole encoding (for hashing/signing)."""

    tag: int
    content: bytes
    raw: bytes

    def children(self) -> list[Node]:
        if not self.tag & 0x20:
            raise DerError("primitive value has no children")
        return read_all(self.content)

    def as_int(self) -> int:
        if self.tag != INTEGER or not self.content:
            raise DerError("not an INTEGER")
        return int.from_bytes(self.content, "big", signed=True)

    def as_oid(self) -> str:
        if self.tag != OID or not self.content:
            raise DerError("not an OBJECT IDENTIFIER")
        arcs: list[int] = []
        value = 0
        for byte in self.content:
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                arcs.append(value)
                value = 0
        first = min(arcs[0] // 40, 2)
        return ".".join(str(a) for a in [first, arcs[0] - 40 * first, *arcs[1:]])

    def as_bits(self) -> bytes:
        if self.tag != BIT_STRING or not self.content:
            raise DerError("not a BIT STRING")
        return self.content[1:]


def read(data: bytes) -> tuple[Node, bytes]:
    """Read one TLV from the front of ``data``; return it and the rest."""
    if len(data) < 2:
        raise DerError("truncated")
    tag = data[0]
    if tag & 0x1F == 0x1F:
        raise DerError("high tag numbers are not supported")
    first = data[1]
    offset = 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or len(data) < 2 + count:
            raise DerError("bad length")
        length = int.from_bytes(data[2 : 2 + count], "big")
        if length < 0x80 or data[2] == 0:
            raise DerError("non-minimal length")
        offset += count
    end = offset + length
    if len(data) < end:
        raise DerError("truncated")
    return Node(tag, data[offset:end], data[:end]), data[end:]


def read_one(data: bytes) -> Node:
    """Exactly one TLV, nothing after it."""
    node, rest = read(data)
    if rest:
        raise DerError("trailing bytes")
    return node


def read_all(data: bytes) -> list[Node]:
    items: list[Node] = []
    while data:
        node, data = read(data)
        items.append(node)
    return items
