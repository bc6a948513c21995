"""The recusal declaration (回避声明, issue 13 item 4), signed with the member's certificate.

At sign-in every member (experts and the tenderer's representative) reads the bidders' names from the published
opening record and signs a statement — no conflict, or recusal with a reason. The statement text is fixed by the
platform (``recusal_statement_text``: it names the bidders, the decision and the reason); the member signs its exact
UTF-8 bytes with their person certificate — through the certificate agent on the lot page (or, behind the warned
choice, a key file read by the page), or with any tool as a detached CMS SignedData (the API) — and the platform
keeps the declaration only when the signature verifies over that text, the certificate is trusted, valid and not
revoked now, and it is bound to the member's own account. Otherwise nothing is stored.

A member who recuses leaves the committee (the declaration stays); a drawn seat is redrawn by the experts app (补抽,
through ``expert_draws.gateway()``), other seats are filled by a direct appointment with a reason; scoring waits
until the committee is full and every member has declared (``committee.scoring_blocker``).
"""

from __future__ import annotations

import hashlib

from django.db import transaction

from ggzy.accounts.models import User
from ggzy.core import clock
from ggzy.core.audit import audit_record
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.pki import certificates as certs
from ggzy.pki.login import account_for_certificate, signature_decode, signature_valid
from ggzy.pki.signing import signature_check
from ggzy.pki.validation import validate_certificate

from .. import masking
from ..choices import CommitteeSeat, LotState
from ..expert_draws import gateway
from ..models import CommitteeMember, Lot, RecusalDeclaration
from ..procedures import lot_fresh

EXPERT_SEATS = (CommitteeSeat.EXPERT_TECHNICAL, CommitteeSeat.EXPERT_ECONOMIC)
MAX_SIGNATURE_BYTES = 64 * 1024


def bidder_names(lot: Lot) -> list[str]:
    """The bidders' names as the published opening record prints them (none before it is published)."""
    if not masking.stage_reached(lot, "opening_published"):
        return []
    return [row.get("bidder", "") for row in lot.opening_record.rows if row.get("bidder")]


def recusal_statement(lot: Lot, user: User) -> str:
    names = "、".join(bidder_names(lot))
    return (
        f"本人{user}作为{lot.project.title}（{lot.code}）评标委员会成员，已阅读投标人名单：{names}。"
        "本人承诺：与上述投标人及其主要负责人无近亲属关系，不是招标人或者其行政监督部门的人员，"
        "与投标人无经济利益关系，未曾因在招标、评标以及其他与招标投标有关活动中从事违法行为而受过行政处罚或者刑事处罚；"
        "如有上述情形之一，本人主动提出回避。"
    )


def recusal_statement_text(lot: Lot, user: User, *, recuse: bool = False, reason: str = "") -> str:
    """The exact text the member signs: the statement (with the bidders' names) and the decision."""
    reason = (reason or "").strip()
    return recusal_statement(lot, user) + (f"本人申请回避，理由：{reason}" if recuse else "本人无应当回避的情形。")


def _member(actor, lot: Lot) -> CommitteeMember:
    member = (
        CommitteeMember.objects.filter(lot=lot, user=actor).first()
        if getattr(actor, "is_authenticated", False)
        else None
    )
    if member is None:
        raise NotAllowed("您不是本标段评标委员会成员")
    return member


def recusal_statement_for(*, actor, lot: Lot, recuse: bool = False, reason: str = "") -> str:
    """The text a member is about to sign (the page fetches it before signing); members only, after the opening
    record is published (the bidders' names are in it)."""
    lot = lot_fresh(lot)
    _member(actor, lot)
    if not masking.stage_reached(lot, "opening_published"):
        raise Conflict("开标记录公布后方可查看投标人名单并签署回避声明", field="state")
    return recusal_statement_text(lot, actor, recuse=recuse, reason=reason)


def _verified_signer(actor, text: str, *, certificate_pem: str, signature) -> tuple[str, str, str]:
    """(certificate PEM, fingerprint, holder's name) once the signature over ``text`` verifies and its certificate
    is trusted, valid, not revoked and bound to ``actor``; a Chinese refusal naming the field otherwise."""
    raw = signature if isinstance(signature, bytes | bytearray) else signature_decode(str(signature or ""))
    raw = bytes(raw)
    if not raw:
        raise DomainError("请用数字证书签署回避声明", field="signature")
    if len(raw) > MAX_SIGNATURE_BYTES:
        raise DomainError("签名过大（不超过64KB）", field="signature")
    message = text.encode("utf-8")
    certificate_pem = (certificate_pem or "").strip()
    if certificate_pem:
        # a raw signature from the certificate agent or the key file (SM2-SM3, ECDSA, RSA) with its certificate
        checked = validate_certificate(certificate_pem, at=clock.now(), usage="digital_signature")
        if not checked.ok or checked.subject is None:
            raise DomainError(f"证书不能用于签署回避声明：{checked.reason or '证书主体无法识别'}", field="certificate")
        try:
            certificate = certs.certificate_load(certificate_pem)
        except (certs.CertificateFormatError, ValueError):
            raise DomainError("证书格式错误", field="certificate") from None
        if not signature_valid(certificate, message, raw):
            raise DomainError("签名验证失败：签名不是用该证书的私钥对本回避声明全文所做", field="signature")
        subject, pem = checked.subject, certificate_pem
    else:
        # a detached CMS SignedData (RFC 5652 / GM/T 0010) over the statement, carrying its certificate
        check = signature_check(raw, at=clock.now(), content=message)
        if not check.ok or check.signer is None:
            raise DomainError(f"签名验证失败：{check.reason or '无法识别签名证书'}", field="signature")
        subject, pem = check.signer, check.certificate_pem
    if subject.is_entity:
        raise DomainError("回避声明须由成员本人用个人证书签署（不能使用单位证书）", field="certificate")
    try:
        owner = account_for_certificate(subject, username=actor.username)
    except DomainError as exc:
        raise DomainError(exc.message, field="certificate") from None
    if owner.pk != actor.pk:
        raise DomainError("该证书不属于当前登录的账户", field="certificate")
    return pem, subject.fingerprint, (subject.common_name or "")[:255]


def recusal_declare(
    *,
    actor,
    lot: Lot,
    confirm: bool,
    recuse: bool = False,
    reason: str = "",
    signature: bytes | str = b"",
    certificate_pem: str = "",
) -> RecusalDeclaration:
    """A member declares at sign-in, after reading the bidders' names: no conflict, or recusal with a reason —
    signed with their certificate over the exact statement text (``recusal_statement_text``)."""
    lot = lot_fresh(lot)
    member = _member(actor, lot)
    if not masking.stage_reached(lot, "opening_published"):
        raise Conflict("开标记录公布后方可查看投标人名单并签署回避声明", field="state")
    if lot.state != LotState.EVALUATING and lot.state != LotState.OPENING:
        raise Conflict("当前不在评标阶段", field="state")
    if not confirm:
        raise DomainError("请确认已阅读投标人名单并如实声明", field="confirm")
    reason = (reason or "").strip()
    if recuse and not reason:
        raise DomainError("申请回避须说明理由", field="reason")
    if RecusalDeclaration.objects.filter(lot=lot, user=actor).exists():
        raise Conflict("您已签署回避声明", field="recusal")
    statement = recusal_statement_text(lot, actor, recuse=recuse, reason=reason)
    pem, fingerprint, holder = _verified_signer(actor, statement, certificate_pem=certificate_pem,
                                                signature=signature)
    raw = signature if isinstance(signature, bytes | bytearray) else signature_decode(str(signature))
    digest = hashlib.sha256(statement.encode()).hexdigest()
    formation = getattr(lot, "committee_formation", None)
    with transaction.atomic():
        declaration = RecusalDeclaration.objects.create(
            lot=lot,
            user=actor,
            seat=member.seat,
            recused=recuse,
            reason=reason if recuse else "",
            statement=statement,
            statement_sha256=digest,
            declared_at=clock.now(),
            certificate_pem=pem,
            certificate_fingerprint=fingerprint,
            certificate_subject=holder,
            signature=bytes(raw),
            signature_format="raw" if (certificate_pem or "").strip() else "cms",
        )
        if recuse:
            was_chair, expert_ref, source = member.is_chair, member.expert_ref, member.source
            member.delete()  # no score exists yet: scoring waits for every declaration
            if was_chair:
                heir = lot.committee.filter(seat__in=EXPERT_SEATS).order_by("appointed_at", "pk").first()
                if heir is not None:
                    heir.is_chair = True
                    heir.save(update_fields=["is_chair"])
            if formation is not None and formation.method == "draw" and source == "draw" and expert_ref:
                # 补抽 from the same draw request: never this expert again, nor anyone who refused
                gateway().redraw(
                    actor=actor,
                    request_id=formation.draw_request_id or 0,
                    expert_id=expert_ref,
                    reason=reason,
                )
        audit_record(
            actor=actor,
            action="committee.recusal",
            obj=lot,
            center_id=lot.project.center_id,
            after={
                "recused": recuse,
                "reason": reason if recuse else "",
                "sha256": digest,
                "certificate": fingerprint,
            },
        )
    return declaration
