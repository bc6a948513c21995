"""Sealing of who bid: a per-lot keyed tag for lookups and the identity encrypted to the center's opening key.

Before the opening the database holds no bidder identity in the clear: a database administrator sees tags
(HMAC-SHA256 under a key kept in the opening-key directory, never in the database) and ciphertext. The bidder
recomputes its own tag to find its sign-up and bid. At the opening the identities are unsealed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from django.conf import settings

from ggzy.pki import envelope

_OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def _tag_key() -> bytes:
    path = Path(settings.GGZY_OPENING_KEY_DIR) / "bidder-tag.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32))
        if not path.exists():
            os.replace(tmp, path)
        else:
            os.unlink(tmp)
    return path.read_bytes()


def bidder_tag(*, lot_id: int, entity_id: int) -> str:
    """The bidder's pseudonym in one lot (different in every lot, so rows cannot be linked across lots)."""
    message = f"lot:{lot_id}|entity:{entity_id}".encode()
    return hmac.new(_tag_key(), message, hashlib.sha256).hexdigest()


def user_tag(*, lot_id: int, user_id: int) -> str:
    """A user's pseudonym in one lot (for the document-download log: who to tell of a later clarification)."""
    return user_tags(lot_id=lot_id, user_ids=[user_id])[user_id]


def user_tags(*, lot_id: int, user_ids) -> dict[int, str]:
    """Each user's tag in ``lot_id`` (the key read once): the service finds the recipients of a clarification by
    recomputing these, so no plaintext list of who downloaded is ever stored."""
    key = _tag_key()
    return {uid: hmac.new(key, f"lot:{lot_id}|user:{uid}".encode(), hashlib.sha256).hexdigest() for uid in user_ids}


def opening_key_name(lot) -> str:
    return lot.project.center.code


def seal_small(lot, payload: dict) -> bytes:
    """Encrypt a small JSON payload (an identity, an account) to the lot's opening key."""
    name = opening_key_name(lot)
    envelope.opening_key_ensure(name)
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return envelope.opening_public_key(name).encrypt(data, _OAEP)


def unseal_small(lot, sealed: bytes) -> dict:
    """At the opening only."""
    return json.loads(envelope.opening_private_key(opening_key_name(lot)).decrypt(bytes(sealed), _OAEP))


def seal_large(lot, data: bytes) -> bytes:
    """Encrypt bytes too long for RSA-OAEP (e.g. a bidder's certificate, which names it) to the opening key:
    a fresh AES key seals the data and is itself wrapped; layout = len(wrapped) (2 bytes) ‖ wrapped ‖ sealed."""
    key = envelope.content_key_new()
    wrapped, _key_id = envelope.wrap_key(opening_key_name(lot), key)
    return len(wrapped).to_bytes(2, "big") + wrapped + envelope.seal_bytes(key, data, context=b"ggzy-seal-large")


def unseal_large(lot, sealed: bytes) -> bytes:
    """At the opening only."""
    sealed = bytes(sealed)
    size = int.from_bytes(sealed[:2], "big")
    key = envelope.opening_private_key(opening_key_name(lot)).decrypt(sealed[2 : 2 + size], _OAEP)
    return envelope.open_bytes(key, sealed[2 + size :], context=b"ggzy-seal-large")


def seal_key(lot_id: int) -> str:
    """The lot's opaque seal identifier in the ledger (keyed, so nobody without the key directory can tell which
    lot a sealed entry belongs to, nor link two lots' entries). Entries recorded under it show in public only as
    commitments until the opening lifts it (``ledger.services.seal_lift``)."""
    return hmac.new(_tag_key(), f"ledger-seal|lot:{lot_id}".encode(), hashlib.sha256).hexdigest()


def bond_subaccount(*, lot_id: int, bidder_tag: str) -> str:
    """The sign-up's virtual bond sub-account (虚拟子账号): 18 digits from a keyed HMAC of lot and bidder tag, so the
    number reveals neither the lot nor the bidder, and the bank statement names only it."""
    digest = hmac.new(_tag_key(), f"bond-subaccount|lot:{lot_id}|tag:{bidder_tag}".encode(), hashlib.sha256).digest()
    return "9" + str(int.from_bytes(digest[:16], "big") % 10**17).zfill(17)


def bond_payer_tag(*, lot_id: int, account_number: str) -> str:
    """A payer account as a lot-keyed tag: compared with the bidder's basic accounts without storing the number."""
    normalized = "".join(account_number.split())
    return hmac.new(_tag_key(), f"bond-payer|lot:{lot_id}|account:{normalized}".encode(), hashlib.sha256).hexdigest()


def guarantee_applicant_tag(credit_code: str) -> str:
    """A guarantee's applicant (统一社会信用代码) as a keyed tag, so imported guarantee records name nobody."""
    return hmac.new(_tag_key(), f"guarantee-applicant|{credit_code.strip().upper()}".encode(),
                    hashlib.sha256).hexdigest()


def _bidder_key(bidder_tag: str) -> bytes:
    return hmac.new(_tag_key(), f"bond-payer-hint|{bidder_tag}".encode(), hashlib.sha256).digest()


def seal_for_bidder(bidder_tag: str, payload: dict) -> bytes:
    """Encrypt a small payload (the payer of the bidder's own bond) under a key derived from the bidder's tag, so it
    can be shown to that bidder, whose request recomputes the tag, and to nobody who reads the database."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return envelope.seal_bytes(_bidder_key(bidder_tag), data, context=b"ggzy-bond-payer")


def unseal_for_bidder(bidder_tag: str, sealed: bytes) -> dict:
    return json.loads(envelope.open_bytes(_bidder_key(bidder_tag), bytes(sealed), context=b"ggzy-bond-payer"))
