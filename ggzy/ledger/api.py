"""The ledger's API: the latest checkpoint, public entries and RFC 9162 proofs, and receipts."""

from django.http import Http404
from ninja import Query, Router, Schema

from ggzy.core.errors import NotFound
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, requires

from . import selectors
from .policies import can_view_receipt
from .receipts import receipt_for
from .schemas import CheckpointOut, ConsistencyProofOut, EntryPublicOut, InclusionProofOut, b64

router = Router()


class InclusionQuery(Schema):
    index: int
    size: int | None = None


class ConsistencyQuery(Schema):
    first: int
    second: int | None = None


@router.get("/checkpoints/latest", response=CheckpointOut, summary="最新检查点（含见证签名）")
@requires(PUBLIC)
def checkpoint_latest(request):
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        raise NotFound("尚未签发检查点")
    return CheckpointOut.from_checkpoint(checkpoint)


@router.get("/entries/{index}", response=EntryPublicOut, summary="存证记录（公开字段与哈希）")
@requires(PUBLIC)
def entry_detail(request, index: int):
    return EntryPublicOut.from_entry(selectors.entry_get(index=index))


@router.get("/proofs/inclusion", response=InclusionProofOut, summary="包含证明（RFC 9162 §2.1.3）")
@requires(PUBLIC)
def proof_inclusion(request, query: Query[InclusionQuery]):
    size = query.size if query.size is not None else selectors.log_head().size
    proof = selectors.inclusion_proof_hashes(index=query.index, size=size)
    entry = selectors.entry_get(index=query.index)
    return InclusionProofOut(index=query.index, tree_size=size, leaf_hash=b64(entry.leaf_hash),
                             root_hash=b64(selectors.root_at(size=size)), proof=[b64(p) for p in proof])


@router.get("/proofs/consistency", response=ConsistencyProofOut, summary="一致性证明（RFC 9162 §2.1.4）")
@requires(PUBLIC)
def proof_consistency(request, query: Query[ConsistencyQuery]):
    second = query.second if query.second is not None else selectors.log_head().size
    proof = selectors.consistency_proof_hashes(first=query.first, second=second)
    return ConsistencyProofOut(first=query.first, second=second, first_root=b64(selectors.root_at(size=query.first)),
                               second_root=b64(selectors.root_at(size=second)), proof=[b64(p) for p in proof])


@router.get("/receipts/{index}", summary="存证回执（记录、包含证明、已见证的检查点）")
@requires(AUTHENTICATED)
def receipt(request, index: int):
    entry = selectors.entry_get(index=index)
    if not can_view_receipt(request.user, entry):
        raise Http404
    return receipt_for(index)
