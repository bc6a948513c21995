"""API shapes. Hashes are standard base64, as in checkpoints and the RFC 9162 test vectors.

The public entry shape carries the object, action, time and hashes only — never the actor or the
before/after values (sealed-bid privacy); those stay behind the trace page's roles.
"""

import base64
import datetime as dt
import json

from ninja import Schema


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


class EntryPublicOut(Schema):
    index: int
    created_at: dt.datetime
    object_type: str
    object_id: str
    action: str
    leaf_hash: str
    before_hash: str | None
    after_hash: str | None
    documents: list[str]

    @classmethod
    def from_entry(cls, entry) -> "EntryPublicOut":
        body = json.loads(entry.body)
        return cls(index=entry.index, created_at=entry.created_at, object_type=entry.object_type,
                   object_id=entry.object_id, action=entry.action, leaf_hash=b64(entry.leaf_hash),
                   before_hash=body.get("before_hash"), after_hash=body.get("after_hash"),
                   documents=body.get("documents", []))


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
