"""Signed notes, checkpoints and cosignatures (C2SP signed-note, tlog-checkpoint, tlog-cosignature).

Pure functions over text and Ed25519 keys, no Django, so an offline verifier needs only this module and
``merkle``. Key strings use the signed-note conventions of golang.org/x/mod/sumdb/note:

* verifier key (vkey): ``<name>+<key id, 8 hex digits>+<base64(type byte || public key)>``
* signer key:          ``PRIVATE+KEY+<name>+<key id>+<base64(type byte || 32-byte seed)>``

Type 0x01 is a log's Ed25519 note signature; type 0x04 is a witness's timestamped Ed25519 cosignature
(``cosignature/v1``). Type 0x81 is this platform's log signature with SM2 (SM3 digest, default user ID
1234567812345678) for deployments that require Chinese commercial cryptography: the public key is the 65-byte
uncompressed point, the signer key the 32-byte scalar, the signature r ‖ s (64 bytes). The signed-note format does
not assign SM2 a type; 0x81 is documented in docs/ledger-format.md.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ggzy.pki import sm

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
SM2 = 0x81
LOG_TYPES = (ED25519, SM2)
_KEY_LENGTHS = {ED25519: 32, COSIGNATURE_V1: 32, SM2: 65}  # public key bytes after the type byte
_SEED_LENGTHS = {ED25519: 32, COSIGNATURE_V1: 32, SM2: 32}
EM_DASH = "\u2014"


class NoteError(ValueError):
    """A malformed note, key or checkpoint, or a signature that does not verify."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError("invalid base64") from exc


def _check_name(name: str) -> None:
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")


def key_id(name: str, sig_type: int, public_key: bytes) -> bytes:
    """SHA-256(name || 0x0A || type || public key)[:4] (signed-note §Signatures)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public key a note may be signed with: a log key (type 0x01) or a witness key (type 0x04)."""

    name: str
    sig_type: int
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.sig_type, self.public_key)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id.hex()}+{_b64(bytes([self.sig_type]) + self.public_key)}"

    @property
    def is_cosigner(self) -> bool:
        return self.sig_type == COSIGNATURE_V1

    def verify(self, text: str, signature: bytes) -> int | None:
        """Check ``signature`` (after the key id) over note ``text``; returns the cosignature timestamp."""
        if self.sig_type == SM2:
            if len(signature) != 64 or not sm.sm2_verify(self.public_key, text.encode("utf-8"), signature):
                raise NoteError(f"signature by {self.name} does not verify")
            return None
        key = Ed25519PublicKey.from_public_bytes(self.public_key)
        try:
            if self.sig_type == ED25519:
                key.verify(signature, text.encode("utf-8"))
                return None
            if self.sig_type == COSIGNATURE_V1:
                if len(signature) != 8 + 64:
                    raise NoteError("a cosignature is 8 timestamp bytes and 64 signature bytes")
                (timestamp,) = struct.unpack(">Q", signature[:8])
                key.verify(signature[8:], cosigned_message(text, timestamp))
                return timestamp
        except InvalidSignature as exc:
            raise NoteError(f"signature by {self.name} does not verify") from exc
        raise NoteError(f"unsupported signature type {self.sig_type}")


@dataclass(frozen=True)
class Signer:
    """A private Ed25519 (or SM2) key with its name and signature type (never stored in the database)."""

    name: str
    sig_type: int
    private_key: Ed25519PrivateKey | bytes

    @classmethod
    def generate(cls, name: str, sig_type: int = ED25519) -> Signer:
        _check_name(name)
        if sig_type == SM2:
            return cls(name, sig_type, sm.sm2_keypair_new()[0])
        return cls(name, sig_type, Ed25519PrivateKey.generate())

    @property
    def verifier(self) -> Verifier:
        if isinstance(self.private_key, bytes):
            return Verifier(self.name, self.sig_type, sm.sm2_public_key(self.private_key))
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return Verifier(self.name, self.sig_type, raw)

    @property
    def skey(self) -> str:
        if isinstance(self.private_key, bytes):
            seed = self.private_key
        else:
            seed = self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                                  serialization.NoEncryption())
        return f"PRIVATE+KEY+{self.name}+{self.verifier.key_id.hex()}+{_b64(bytes([self.sig_type]) + seed)}"

    def signature_line(self, text: str, *, timestamp: int | None = None) -> str:
        """``— <name> base64(key id || signature)`` over note ``text``."""
        if isinstance(self.private_key, bytes):
            raw = sm.sm2_sign(self.private_key, text.encode("utf-8"))
        elif self.sig_type == ED25519:
            raw = self.private_key.sign(text.encode("utf-8"))
        elif self.sig_type == COSIGNATURE_V1:
            if timestamp is None or not 0 <= timestamp < 2**63:
                raise NoteError("a cosignature needs a POSIX timestamp")
            raw = struct.pack(">Q", timestamp) + self.private_key.sign(cosigned_message(text, timestamp))
        else:
            raise NoteError(f"unsupported signature type {self.sig_type}")
        return f"{EM_DASH} {self.name} {_b64(self.verifier.key_id + raw)}\n"


def parse_vkey(vkey: str) -> Verifier:
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3:
        raise NoteError("a verifier key is name+keyid+base64")
    name, hex_id, data = parts
    _check_name(name)
    raw = _unb64(data)
    if not raw or _KEY_LENGTHS.get(raw[0]) != len(raw) - 1:
        raise NoteError("only Ed25519 (0x01), Ed25519 cosignature (0x04) and SM2 (0x81) keys are supported")
    verifier = Verifier(name, raw[0], raw[1:])
    if verifier.key_id.hex() != hex_id.lower():
        raise NoteError("the key id does not match the key")
    return verifier


def parse_skey(skey: str) -> Signer:
    parts = skey.strip().split("+", 4)
    if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
        raise NoteError("a signer key is PRIVATE+KEY+name+keyid+base64")
    name, hex_id, data = parts[2:]
    _check_name(name)
    raw = _unb64(data)
    if not raw or _SEED_LENGTHS.get(raw[0]) != len(raw) - 1:
        raise NoteError("only Ed25519 and SM2 signer keys are supported")
    key: Ed25519PrivateKey | bytes = raw[1:] if raw[0] == SM2 else Ed25519PrivateKey.from_private_bytes(raw[1:])
    signer = Signer(name, raw[0], key)
    if signer.verifier.key_id.hex() != hex_id.lower():
        raise NoteError("the key id does not match the key")
    return signer


def cosigned_message(text: str, timestamp: int) -> bytes:
    """What a cosignature/v1 signs: a header line, a time line, then the checkpoint body."""
    return f"cosignature/v1\ntime {timestamp}\n".encode() + text.encode("utf-8")


# --- notes ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureLine:
    name: str
    key_id: bytes
    signature: bytes
    line: str


def split_note(note: str) -> tuple[str, list[SignatureLine]]:
    """The text (with its final newline) and the signature lines of a signed note."""
    if any(ord(ch) < 0x20 and ch != "\n" for ch in note):
        raise NoteError("a note may contain no control characters but newline")
    if not note.endswith("\n"):
        raise NoteError("a note ends with a newline")
    cut = note.rfind("\n\n")
    if cut < 0:
        raise NoteError("a note needs a blank line before its signatures")
    text, block = note[:cut + 1], note[cut + 2:]
    lines = []
    for line in block.splitlines():
        if not line.startswith(EM_DASH + " "):
            raise NoteError("malformed signature line")
        fields = line[2:].split(" ")
        if len(fields) != 2:
            raise NoteError("malformed signature line")
        raw = _unb64(fields[1])
        if len(raw) < 5:
            raise NoteError("signature too short")
        lines.append(SignatureLine(fields[0], raw[:4], raw[4:], line + "\n"))
    if not lines:
        raise NoteError("a note needs at least one signature")
    return text, lines


def sign_note(text: str, signer: Signer) -> str:
    if not text.endswith("\n"):
        raise NoteError("note text ends with a newline")
    return text + "\n" + signer.signature_line(text)


def add_signature_lines(note: str, lines: list[str]) -> str:
    """The note with extra signature lines (cosignatures) appended, without duplicates."""
    existing = set(note.splitlines(keepends=True))
    return note + "".join(line for line in lines if line not in existing)


@dataclass(frozen=True)
class VerifiedSignature:
    verifier: Verifier
    line: str
    timestamp: int | None


def verify_note(note: str, verifiers: Sequence[Verifier]) -> tuple[str, list[VerifiedSignature]]:
    """Text and the signatures of known keys, all verified. Unknown keys are ignored (signed-note);
    a known key whose signature fails rejects the whole note; no known signature rejects it too."""
    text, lines = split_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    verified = []
    for sig in lines:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue
        verified.append(VerifiedSignature(verifier, sig.line, verifier.verify(text, sig.signature)))
    if not verified:
        raise NoteError("the note carries no signature from a trusted key")
    return text, verified


# --- checkpoints ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        return "".join(f"{line}\n" for line in (self.origin, str(self.size), _b64(self.root), *self.extensions))


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse a checkpoint body (the note text): origin, decimal size, base64 root, extension lines."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise NoteError("a checkpoint has an origin, a size and a root hash line")
    origin, size, root = lines[0], lines[1], lines[2]
    if not origin:
        raise NoteError("empty checkpoint origin")
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise NoteError("checkpoint size is not a decimal without leading zeros")
    extensions = tuple(lines[3:-1])
    if any(not line for line in extensions):
        raise NoteError("empty checkpoint extension line")
    return Checkpoint(origin, int(size), _unb64(root), extensions)


def open_checkpoint(note: str, log_verifiers: Sequence[Verifier],
                    witness_verifiers: Sequence[Verifier] = ()) -> tuple[Checkpoint, list[VerifiedSignature]]:
    """Verify a checkpoint note: a log signature is required; returns the checkpoint and valid cosignatures."""
    text, verified = verify_note(note, [*log_verifiers, *witness_verifiers])
    if not any(v.verifier.sig_type in LOG_TYPES and v.verifier in log_verifiers for v in verified):
        raise NoteError("the checkpoint is not signed by the log's key")
    checkpoint = parse_checkpoint(text)
    return checkpoint, [v for v in verified if v.verifier.is_cosigner]
