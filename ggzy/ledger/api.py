"""The ledger's API: the latest checkpoint, public entries and RFC 9162 proofs, and receipts."""

from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Path, Query, Router, Schema

from ggzy.core.api_errors import MAX_ID, answers
from ggzy.core.errors import NotFound
from ggzy.core.permissions import AUTHENTICATED, PUBLIC, LoginRequired, requires

from . import keys, selectors
from .localwitness import witness_key_holder
from .models import Witness
from .outbox import entry_item, subscriber_acknowledge
from .policies import can_read_feed, can_view_receipt
from .receipts import receipt_for
from .schemas import (
    CheckpointOut,
    ConsistencyProofOut,
    EntryBodyOut,
    EntryPageOut,
    EntryPublicOut,
    FeedEntryOut,
    FeedOut,
    InclusionProofOut,
    LogHeadOut,
    LogKeysOut,
    TreeNodeOut,
    WitnessKeyOut,
    b64,
)

router = Router()


EntryIndex = Annotated[int, Path(ge=0, le=MAX_ID)]


class InclusionQuery(Schema):
    index: int = Field(ge=0, le=MAX_ID)
    size: int | None = Field(None, ge=1, le=MAX_ID)


class FeedQuery(Schema):
    after: int = Field(-1, ge=-1, le=MAX_ID)
    limit: int = Field(100, ge=1, le=selectors.FEED_MAX_LIMIT)


class EntryPageQuery(Schema):
    start: int = Field(0, ge=0, le=MAX_ID)
    limit: int = Field(500, ge=1, le=selectors.ENTRY_PAGE_MAX)


class ConsistencyQuery(Schema):
    first: int = Field(ge=1, le=MAX_ID)
    second: int | None = Field(None, ge=1, le=MAX_ID)


@router.get("/checkpoints/latest", response=answers(CheckpointOut, 404), summary="最新检查点（含见证签名）")
@requires(PUBLIC)
def checkpoint_latest(request):
    checkpoint = selectors.checkpoint_latest()
    if checkpoint is None:
        raise NotFound("尚未签发检查点")
    return CheckpointOut.from_checkpoint(checkpoint)


@router.get("/head", response=LogHeadOut, summary="记录总数与全平台密封记录数")
@requires(PUBLIC)
def log_head(request):
    pending, revealed = selectors.sealed_counts()
    return LogHeadOut(tree_size=selectors.log_head().size, sealed_pending=pending, sealed_revealed=revealed)


@router.get("/keys", response=LogKeysOut, summary="平台与见证方的公钥（signed-note vkey）及密钥持有方")
@requires(PUBLIC)
def log_keys(request):
    witnesses = Witness.objects.order_by("name")
    return LogKeysOut(origin=keys.log_origin(), hash=selectors.log_head().hash_algorithm,
                      log_key=keys.platform_verifier().vkey,
                      witnesses=[WitnessKeyOut(name=w.name, display_name=w.display_name, kind=w.kind, vkey=w.vkey,
                                               url=w.url, key_holder=witness_key_holder(w), is_active=w.is_active)
                                 for w in witnesses])


@router.get("/entries", response=answers(EntryPageOut, 400), summary="按序号读取存证记录内容（叶哈希据以计算的原文）")
@requires(PUBLIC)
def entry_list(request, query: Query[EntryPageQuery]):
    entries = selectors.entry_page(start=query.start, limit=query.limit)
    more = len(entries) == query.limit
    return EntryPageOut(entries=[EntryBodyOut.from_entry(e) for e in entries], tree_size=selectors.log_head().size,
                        next_start=entries[-1].index + 1 if more else None)


@router.get("/tree/{level}/{position}", response=answers(TreeNodeOut, 400, 404), summary="已存完整子树的哈希")
@requires(PUBLIC)
def tree_node(request, level: Annotated[int, Path(ge=0, le=63)], position: EntryIndex):
    return TreeNodeOut(level=level, position=position, hash=b64(selectors.tree_node(level=level, position=position)))


@router.get("/entries/{index}", response=answers(EntryPublicOut, 400, 404), summary="存证记录（公开字段与哈希；密封记录在揭示前只有承诺值）")
@requires(PUBLIC)
def entry_detail(request, index: EntryIndex):
    entry = selectors.entry_get(index=index)
    return EntryPublicOut.from_entry(entry, selectors.sealed_revealed(indexes=[index]).get(index))


@router.get("/proofs/inclusion", response=answers(InclusionProofOut, 400, 404), summary="包含证明（RFC 9162 §2.1.3）")
@requires(PUBLIC)
def proof_inclusion(request, query: Query[InclusionQuery]):
    size = query.size if query.size is not None else selectors.log_head().size
    proof = selectors.inclusion_proof_hashes(index=query.index, size=size)
    entry = selectors.entry_get(index=query.index)
    return InclusionProofOut(index=query.index, tree_size=size, leaf_hash=b64(entry.leaf_hash),
                             root_hash=b64(selectors.root_at(size=size)), proof=[b64(p) for p in proof])


@router.get("/proofs/consistency", response=answers(ConsistencyProofOut, 400, 404), summary="一致性证明（RFC 9162 §2.1.4）")
@requires(PUBLIC)
def proof_consistency(request, query: Query[ConsistencyQuery]):
    second = query.second if query.second is not None else selectors.log_head().size
    proof = selectors.consistency_proof_hashes(first=query.first, second=second)
    return ConsistencyProofOut(first=query.first, second=second, first_root=b64(selectors.root_at(size=query.first)),
                               second_root=b64(selectors.root_at(size=second)), proof=[b64(p) for p in proof])


@router.get("/receipts/{index}", response=answers(dict, 400, 401, 404), summary="存证回执（记录、包含证明、已见证的检查点）")
@requires(AUTHENTICATED)
def receipt(request, index: EntryIndex):
    entry = selectors.entry_get(index=index)
    if not can_view_receipt(request.user, entry):
        raise Http404
    return receipt_for(index)


@router.get("/feed", response=answers(FeedOut, 400, 401, 403), summary="按序读取存证记录（拉取订阅方：Authorization: Bearer <共享密钥>）")
@requires(PUBLIC)  # checked below: a pull subscriber's bearer token, or an administrator / provincial supervisor
def feed(request, query: Query[FeedQuery]):
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    subscriber = selectors.feed_subscriber(token=token)
    if not can_read_feed(request.user, subscriber):
        if not token and not getattr(request.user, "is_authenticated", False):
            raise LoginRequired("请提供订阅方共享密钥或先登录")
        raise PermissionDenied("无权读取存证记录推送")
    entries = selectors.feed_entries(after=query.after, limit=query.limit)
    if subscriber is not None and query.after >= 0:
        subscriber_acknowledge(subscriber=subscriber, after=query.after)
    checkpoint = selectors.checkpoint_latest()
    return FeedOut(entries=[FeedEntryOut(**entry_item(e)) for e in entries], after=query.after,
                   next_after=entries[-1].index if entries else query.after,
                   checkpoint=CheckpointOut.from_checkpoint(checkpoint) if checkpoint else None)
