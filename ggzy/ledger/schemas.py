"""API shapes. Hashes are standard base64, as in checkpoints and the RFC 9162 test vectors.

The public entry shape carries the object, action, time and hashes only — never the actor or the
before/after values (sealed-bid privacy); those stay behind the trace page's roles. A sealed entry shows only its
commitment until its seal lifts, then its body and salt too (``EntryPublicOut.from_entry`` is the one place that
decides; docs/adr/0008-sealed-log-entries.md).
"""

import base64
import datetime as dt
import json

from ninja import Schema

from .canonical import is_sealed_stub


def b64(data: bytes | memoryview | None) -> str:
    return base64.b64encode(bytes(data or b"")).decode("ascii")


class CosignatureOut(Schema):
    witness: str
    display_name: str
    kind: str
    signed_at: dt.datetime


class CheckpointOut(Schema):
    origin: str
    tree_size: int
    root_hash: str
    issued_at: dt.datetime
    note: str
    cosignatures: list[CosignatureOut]

    @classmethod
    def from_checkpoint(cls, checkpoint) -> "CheckpointOut":
        cosignatures = list(checkpoint.cosignatures.all())
        return cls(origin=checkpoint.note.split("\n", 1)[0], tree_size=checkpoint.tree_size,
                   root_hash=b64(checkpoint.root_hash), issued_at=checkpoint.issued_at,
                   note=checkpoint.note_with_cosignatures(cosignatures),
                   cosignatures=[CosignatureOut(witness=c.witness.name, display_name=c.witness.display_name,
                                                kind=c.witness.kind, signed_at=c.signed_at) for c in cosignatures])


class SealedPublicOut(Schema):
    commitment: str  # hex H(salt || body): the leaf's body is {"v", "index", "kind": "sealed", "commitment"}
    is_revealed: bool
    body: str | None  # the entry's canonical JSON, once the seal has lifted
    salt: str | None  # base64, once the seal has lifted


class EntryPublicOut(Schema):
    index: int
    created_at: dt.datetime | None  # None for a sealed entry until revealed (its place in the log is public)
    object_type: str
    object_id: str
    action: str
    leaf_hash: str
    before_hash: str | None
    after_hash: str | None
    documents: list[str]
    sealed: SealedPublicOut | None = None  # present for sealed entries

    @classmethod
    def from_entry(cls, entry, revealed=None) -> "EntryPublicOut":
        """``revealed``: the entry's ``SealedEntry`` — used only when its seal has lifted."""
        body = json.loads(entry.body)
        if not is_sealed_stub(body):
            return cls(index=entry.index, created_at=entry.created_at, object_type=entry.object_type,
                       object_id=entry.object_id, action=entry.action, leaf_hash=b64(entry.leaf_hash),
                       before_hash=body.get("before_hash"), after_hash=body.get("after_hash"),
                       documents=body.get("documents", []))
        if revealed is None or revealed.revealed_at is None or revealed.index != entry.index:
            return cls(index=entry.index, created_at=None, object_type="", object_id="", action="",
                       leaf_hash=b64(entry.leaf_hash), before_hash=None, after_hash=None, documents=[],
                       sealed=SealedPublicOut(commitment=body["commitment"], is_revealed=False, body=None, salt=None))
        full = json.loads(revealed.body)
        return cls(index=entry.index, created_at=entry.created_at, object_type=full["object"]["type"],
                   object_id=full["object"]["id"], action=full["action"], leaf_hash=b64(entry.leaf_hash),
                   before_hash=full.get("before_hash"), after_hash=full.get("after_hash"),
                   documents=full.get("documents", []),
                   sealed=SealedPublicOut(commitment=body["commitment"], is_revealed=True, body=revealed.body,
                                          salt=b64(revealed.salt)))


class LogHeadOut(Schema):
    tree_size: int
    sealed_pending: int  # platform-wide: entries still sealed (no lot, action or time is published for them)
    sealed_revealed: int


class InclusionProofOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyProofOut(Schema):
    first: int
    second: int
    first_root: str
    second_root: str
    proof: list[str]


class FeedEntryOut(Schema):
    index: int
    body: str  # canonical JSON: the leaf hash is H(0x00 || body)
    leaf_hash: str


class FeedOut(Schema):
    entries: list[FeedEntryOut]
    after: int
    next_after: int  # ask again with after=next_after
    checkpoint: CheckpointOut | None  # the latest signed checkpoint with its cosignatures
