"""API shapes. Hashes are standard base64, as in checkpoints and the RFC 9162 test vectors.

The public entry shape carries the body as its leaf was computed (so anyone recomputes the leaf, the tree and the
checkpoint), plus the object, action, time and hashes read from it — never a user's name or the before/after values
(sealed-bid privacy); those stay behind the trace page's roles. Version 2 bodies name a user only by a salted
commitment, so they are published as stored; a version 1 body naming a user is published masked and says so
(``canonical.public_body``). A sealed entry shows only its commitment until its seal lifts, then its body and salt too
(``EntryPublicOut.from_entry`` is the one place that decides; docs/adr/0008-sealed-log-entries.md).
"""

import base64
import datetime as dt
import json

from ninja import Schema

from .canonical import is_sealed_stub, public_body


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
    body_masked: bool = False  # a version 1 body naming a user: masked, so it no longer opens the commitment


class EntryBodyOut(Schema):
    index: int
    body: str  # the leaf's data as stored: leaf_hash = H(0x00 || UTF-8 body), unless ``masked``
    leaf_hash: str
    masked: bool  # a version 1 body that named a user: the name is masked, so the leaf cannot be recomputed

    @classmethod
    def from_entry(cls, entry) -> "EntryBodyOut":
        body, masked = public_body(entry.body)
        return cls(index=entry.index, body=body, leaf_hash=b64(entry.leaf_hash), masked=masked)


class EntryPageOut(Schema):
    entries: list[EntryBodyOut]  # in index order, ``index >= start``; a gap in the indexes is a missing entry
    tree_size: int  # the log's size now
    next_start: int | None  # ask again with start=next_start; None at the end


class TreeNodeOut(Schema):
    level: int
    position: int  # the complete subtree of leaves [position·2^level, (position+1)·2^level)
    hash: str


class WitnessKeyOut(Schema):
    name: str
    display_name: str
    kind: str
    vkey: str  # signed-note verifier key, type 0x04 (cosignature/v1)
    url: str
    key_holder: str  # platform (not independent) | remote | remote-same-host | offline
    is_active: bool


class LogKeysOut(Schema):
    origin: str
    hash: str
    log_key: str  # the platform's verifier key: checkpoints are signed with it
    witnesses: list[WitnessKeyOut]


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
    body: str  # the leaf's data as published (a sealed entry's stub); see EntryBodyOut
    masked: bool
    sealed: SealedPublicOut | None = None  # present for sealed entries

    @classmethod
    def from_entry(cls, entry, revealed=None) -> "EntryPublicOut":
        """``revealed``: the entry's ``SealedEntry`` — used only when its seal has lifted."""
        text, masked = public_body(entry.body)
        body = json.loads(entry.body)
        if not is_sealed_stub(body):
            return cls(index=entry.index, created_at=entry.created_at, object_type=entry.object_type,
                       object_id=entry.object_id, action=entry.action, leaf_hash=b64(entry.leaf_hash),
                       before_hash=body.get("before_hash"), after_hash=body.get("after_hash"),
                       documents=body.get("documents", []), body=text, masked=masked)
        if revealed is None or revealed.revealed_at is None or revealed.index != entry.index:
            return cls(index=entry.index, created_at=None, object_type="", object_id="", action="",
                       leaf_hash=b64(entry.leaf_hash), before_hash=None, after_hash=None, documents=[],
                       body=text, masked=False,
                       sealed=SealedPublicOut(commitment=body["commitment"], is_revealed=False, body=None, salt=None))
        full = json.loads(revealed.body)
        revealed_text, revealed_masked = public_body(revealed.body)
        return cls(index=entry.index, created_at=entry.created_at, object_type=full["object"]["type"],
                   object_id=full["object"]["id"], action=full["action"], leaf_hash=b64(entry.leaf_hash),
                   before_hash=full.get("before_hash"), after_hash=full.get("after_hash"),
                   documents=full.get("documents", []), body=text, masked=False,
                   sealed=SealedPublicOut(commitment=body["commitment"], is_revealed=True, body=revealed_text,
                                          salt=b64(revealed.salt), body_masked=revealed_masked))


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
