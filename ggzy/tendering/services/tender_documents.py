"""Tender documents (招标文件): upload with kind and version, publication, logged downloads, and telling each
downloader of a later clarification or amendment.

Who downloaded is sealed like the sign-up list: a download row holds the bidder's tag, the user's tag and the
identity encrypted to the opening key, never a user or entity id. A clarification finds its recipients by
recomputing the tags of the platform's bidder users inside the service, so no plaintext list of downloaders is
stored or shown; nobody but the bidder itself sees its downloads before the opening.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.accounts.services import notify
from ggzy.core import clock
from ggzy.core import files as file_store
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed, NotFound
from ggzy.registry.models import MarketEntityAccount

from .. import policies, sealing
from ..choices import DocumentKind, LotState
from ..models import Clarification, DocumentDownload, Lot, SignUp, TenderDocument
from ..procedures import lot_fresh

DOCUMENT_MAX_BYTES = 100 * 1024 * 1024
# What a center publishes as tender documents: office and PDF/OFD documents, drawings, bills of quantities (GEF/XML),
# images and archives of these. Executables and scripts are refused.
ALLOWED_SUFFIXES = (".pdf", ".ofd", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt", ".xml", ".gef",
                    ".dwg", ".dxf", ".jpg", ".jpeg", ".png", ".zip", ".rar", ".7z")


def _check_upload(name: str, content: bytes, kind: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError("文件名不能为空", field="name")
    if kind not in DocumentKind.values:
        raise DomainError("文件类别无效（招标文件、澄清、修改、答疑、附件）", field="kind")
    if PurePosixPath(name.lower()).suffix not in ALLOWED_SUFFIXES:
        raise DomainError(f"文件类型不允许，可上传：{'、'.join(s[1:] for s in ALLOWED_SUFFIXES)}", field="file")
    if not content:
        raise DomainError("文件为空", field="file")
    if len(content) > DOCUMENT_MAX_BYTES:
        raise DomainError("文件超过100MB", field="file")
    return name[:200]


def lot_document_add(*, actor, lot: Lot, name: str, content: bytes, kind: str = DocumentKind.TENDER,
                     supersedes_id: int | None = None) -> TenderDocument:
    """The tenderer, its agency or the center's staff uploads a document. Before publication it is published with
    the notice; after, it waits for the next clarification (which moves the deadline if needed and tells every
    downloader). ``supersedes_id`` names the earlier version this one replaces (an amendment: v2, v3 …)."""
    from .projects import _require_accepted

    lot = lot_fresh(lot)
    if not (policies.can_prepare_lot(actor, lot) or policies.can_publish_lot(actor, lot)):
        raise NotAllowed("只有招标人、代理机构或本中心工作人员可以上传招标文件")
    _require_accepted(lot)
    if lot.state not in (LotState.DRAFT, LotState.PUBLISHED):
        raise Conflict("投标截止后不能再上传招标文件", field="state")
    if lot.state == LotState.PUBLISHED and lot.bid_deadline and clock.now() >= lot.bid_deadline:
        raise Conflict("投标截止后不能再上传招标文件", field="state")
    name = _check_upload(name, content, kind)
    previous = None
    if supersedes_id not in (None, ""):
        previous = TenderDocument.objects.filter(lot=lot, pk=supersedes_id).first()
        if previous is None:
            raise DomainError("要取代的文件不存在", field="supersedes")
        if TenderDocument.objects.filter(supersedes=previous).exists():
            raise Conflict(f"《{previous.name}》v{previous.version} 已有新版本，请选择当前版本", field="supersedes")
    digest = file_store.put(content)
    try:
        with transaction.atomic():
            document = TenderDocument.objects.create(
                lot=lot, name=name, kind=kind, version=previous.version + 1 if previous else 1, supersedes=previous,
                sha256=digest, size=len(content), uploaded_at=clock.now())
            audit_record(actor=actor, action="lot.document_add", obj=lot, center_id=lot.project.center_id,
                         after={"document": document.name, "kind": kind, "version": document.version,
                                "sha256": digest, "size": len(content)})
    except IntegrityError:
        raise Conflict("该文件已有新版本，请选择当前版本", field="supersedes") from None
    return document


def documents_publish_pending(*, lot: Lot, at: dt.datetime, clarification: Clarification | None = None
                              ) -> list[TenderDocument]:
    """Publish the lot's documents uploaded since the last publication (inside the caller's transaction)."""
    pending = list(TenderDocument.objects.filter(lot=lot, published_at__isnull=True).select_related("supersedes"))
    TenderDocument.objects.filter(pk__in=[d.pk for d in pending]).update(published_at=at, clarification=clarification)
    return pending


@dataclass(frozen=True)
class DocumentStream:
    """A download: the document and its bytes, verified against the stored SHA-256 before the first byte goes
    out and again as they stream (a file changed in between breaks the response instead of passing)."""

    document: TenderDocument
    chunks: Iterator[bytes]


def _verified_chunks(document: TenderDocument) -> Iterator[bytes]:
    digest = hashlib.sha256()
    for chunk in file_store.iter_chunks(document.sha256):
        digest.update(chunk)
        yield chunk
    if digest.hexdigest() != document.sha256:
        raise ValueError(f"document {document.pk} changed while it was being sent")


def _hash_matches(document: TenderDocument) -> bool:
    digest = hashlib.sha256()
    try:
        for chunk in file_store.iter_chunks(document.sha256):
            digest.update(chunk)
    except FileNotFoundError:
        return False
    return digest.hexdigest() == document.sha256


def document_download(*, actor, lot: Lot, document_id: int) -> DocumentStream:
    """A signed-up bidder downloads one published document; every download is logged, sealed."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("请先登录并报名，报名后方可下载招标文件", field="lot")
    if not policies.can_bid(actor):
        raise NotAllowed("只有已报名的投标人可以下载招标文件", field="lot")
    bidder = policies.acting_entity(actor)
    tag = sealing.bidder_tag(lot_id=lot.pk, entity_id=bidder.pk)
    signup = SignUp.objects.filter(lot=lot, bidder_tag=tag).first()
    if signup is None:
        raise NotAllowed("请先报名，报名后方可下载招标文件", field="lot")
    document = TenderDocument.objects.filter(lot=lot, pk=document_id, published_at__isnull=False).first()
    if document is None:
        raise NotFound("文件不存在或尚未发布", field="document")
    if not _hash_matches(document):
        raise Conflict("文件校验失败（与公布的 SHA-256 不符），请联系交易中心", field="document")
    now = clock.now()
    with transaction.atomic():
        DocumentDownload.objects.create(
            lot=lot, document=document, bidder_tag=tag, user_tag=sealing.user_tag(lot_id=lot.pk, user_id=actor.pk),
            bidder_sealed=sealing.seal_small(lot, {"entity_id": bidder.pk, "user_id": actor.pk}), downloaded_at=now)
        SignUp.objects.filter(pk=signup.pk, documents_downloaded_at__isnull=True).update(documents_downloaded_at=now)
        # Who downloaded is sealed like the sign-up: the audit names the lot and the file, never the bidder.
        audit_record(actor=actor, action="lot.document_download", object_type="tendering.lot",
                     object_id=str(lot.pk), object_repr="招标文件下载", center_id=lot.project.center_id, sealed=True,
                     after={"document": document.pk, "sha256": document.sha256, "downloaded_at": now},
                     seal_key=sealing.seal_key(lot.pk))
    return DocumentStream(document, _verified_chunks(document))


def _version_lines(documents: list[TenderDocument], downloaded_ids: set[int]) -> list[str]:
    lines = []
    for doc in documents:
        label = f"{DocumentKind(doc.kind).label}《{doc.name}》v{doc.version}"
        chain, earlier = [], doc.supersedes
        while earlier is not None:
            chain.append(earlier)
            earlier = earlier.supersedes
        if chain:
            had_old = any(old.pk in downloaded_ids for old in chain)
            lines.append(f"{label} 取代 v{chain[0].version}，现为当前版本"
                         + ("；您下载的旧版本已不再有效，请下载当前版本。" if had_old else "。"))
        else:
            lines.append(f"新增{label}。")
    return lines


def clarification_notify(*, lot: Lot, clarification: Clarification, documents: list[TenderDocument]) -> int:
    """Send 站内消息 to every user who downloaded a document of ``lot`` (inside the caller's transaction).

    Recipients are found by recomputing each bidder user's tag for this lot and matching the download log, so
    the log never holds who downloaded in the clear. Returns how many were told (for the caller only: it is a
    count of bidders and is neither stored nor shown)."""
    downloaded = DocumentDownload.objects.filter(lot=lot)
    present = set(downloaded.values_list("user_tag", flat=True).distinct())
    if not present:
        return 0
    user_ids = list(MarketEntityAccount.objects.filter(user__role=Role.BIDDER, user__is_active=True)
                    .values_list("user_id", flat=True).distinct())
    tags = {tag: uid for uid, tag in sealing.user_tags(lot_id=lot.pk, user_ids=user_ids).items() if tag in present}
    if not tags:
        return 0
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.in_bulk(list(tags.values()))
    moved = clarification.new_deadline != clarification.old_deadline
    head = f"{lot.project.title}（{lot.name}）发布了{'修改' if documents else '澄清'}：{clarification.text[:500]}"
    deadline = (f"投标截止时间由 {timezone.localtime(clarification.old_deadline):%Y-%m-%d %H:%M} 顺延至 "
                f"{timezone.localtime(clarification.new_deadline):%Y-%m-%d %H:%M}（距截止不足法定期限，自动顺延）。"
                if moved else "投标截止时间不变。")
    link = f"{reverse('tendering:lot', args=[lot.pk])}#clarification-{clarification.pk}"
    told = 0
    for tag, uid in tags.items():
        mine = set(downloaded.filter(user_tag=tag).values_list("document_id", flat=True))
        body = "\n".join([head, deadline, *_version_lines(documents, mine)])
        told += notify(users=[users[uid]], title=f"澄清/修改通知：{lot.code}", body=body, link=link)
    return told
