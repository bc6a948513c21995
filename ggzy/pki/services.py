"""Writes to the trust store: registering CAs and importing their CRLs (signatures checked before anything is kept)."""

from __future__ import annotations

import datetime as dt
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.conf import settings
from django.db import transaction

from ggzy.core import clock
from ggzy.core.audit import audit_record, snapshot
from ggzy.core.errors import Conflict, DomainError, NotAllowed

from . import certificates as certs
from . import ocsp
from .models import OcspResponse, RevocationList, Signature, TrustedCA
from .policies import can_manage_trust_store

_SNAPSHOT_EXCLUDE = ("certificate_pem", "crl_der")
OCSP_REFRESH_MARGIN = dt.timedelta(hours=2)  # ask again when a stored status expires sooner than this


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(Encoding.PEM).decode()


def ca_register(*, actor: Any, certificate: bytes | str) -> TrustedCA:
    """Register a CA certificate (PEM or DER). A root must be self-signed; an intermediate must be signed by a
    CA already registered. The certificate must be a CA (basic constraints) and use a recognised algorithm."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以管理可信CA列表")
    try:
        cert = certs.certificate_load(certificate)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="certificate") from None
    algorithm = certs.algorithm_of(cert)
    if algorithm is None:
        raise DomainError("CA证书的公钥算法不是平台支持的算法（RSA、ECDSA、SM2）", field="certificate")
    constraints = certs.extension(cert, x509.BasicConstraints)
    if constraints is None or not constraints.ca:
        raise DomainError("该证书不是CA证书（缺少基本约束 CA=TRUE）", field="certificate")
    fingerprint = certs.fingerprint(cert)
    with transaction.atomic():
        if TrustedCA.objects.filter(fingerprint=fingerprint).exists():
            raise Conflict("该CA证书已登记", field="certificate")
        is_root = cert.subject == cert.issuer
        if is_root and not certs.signature_valid(cert, cert):
            raise DomainError("根CA证书的自签名验证失败", field="certificate")
        if not is_root:
            issuers = [ca for ca in TrustedCA.objects.filter(enabled=True)
                       if certs.certificate_load(ca.certificate_pem).subject == cert.issuer]
            if not any(certs.signature_valid(cert, certs.certificate_load(ca.certificate_pem)) for ca in issuers):
                raise DomainError("中级CA证书的签发者未登记，或签名验证失败；请先登记其上级CA", field="certificate")
        ca = TrustedCA.objects.create(
            name=certs.common_name(cert.subject)[:200], subject=cert.subject.rfc4514_string()[:500],
            certificate_pem=_pem(cert), is_root=is_root, algorithm=algorithm, fingerprint=fingerprint,
            not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, enabled=True,
            registered_at=clock.now(),
        )
        audit_record(actor=actor, action="pki.ca_register", obj=ca,
                     after=snapshot(ca, exclude=_SNAPSHOT_EXCLUDE))
    return ca


def ca_set_enabled(*, actor: Any, ca: TrustedCA, enabled: bool) -> TrustedCA:
    """Stop (or resume) recognising a CA; its certificates fail validation while it is disabled."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以管理可信CA列表")
    with transaction.atomic():
        ca = TrustedCA.objects.select_for_update().get(pk=ca.pk)
        before = snapshot(ca, exclude=_SNAPSHOT_EXCLUDE)
        ca.enabled = enabled
        ca.save(update_fields=["enabled"])
        audit_record(actor=actor, action="pki.ca_enable" if enabled else "pki.ca_disable", obj=ca,
                     before=before, after=snapshot(ca, exclude=_SNAPSHOT_EXCLUDE))
    return ca


def crl_import(*, actor: Any, crl: bytes | str) -> RevocationList:
    """Import a CRL (PEM or DER) after checking it is signed by the registered CA that names itself its issuer."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以导入证书吊销列表")
    return _crl_store(actor=actor, crl=crl)


def _crl_parse(crl: bytes | str) -> x509.CertificateRevocationList:
    try:
        parsed = certs.crl_load(crl)
    except certs.CertificateFormatError as exc:
        raise DomainError(str(exc), field="crl") from None
    if parsed.next_update_utc is None:
        raise DomainError("CRL缺少下次更新时间（nextUpdate），无法判断其是否过期", field="crl")
    if parsed.next_update_utc <= parsed.last_update_utc:
        raise DomainError("CRL的下次更新时间早于本次更新时间", field="crl")
    return parsed


def _crl_store(*, actor: Any, crl: bytes | str, expected: TrustedCA | None = None) -> RevocationList:
    parsed = _crl_parse(crl)
    next_update = parsed.next_update_utc
    assert next_update is not None  # checked by _crl_parse
    with transaction.atomic():
        candidates = [ca for ca in TrustedCA.objects.all()
                      if certs.certificate_load(ca.certificate_pem).subject == parsed.issuer]
        if not candidates:
            raise DomainError(f"CRL的签发者“{certs.common_name(parsed.issuer)}”不是已登记的CA", field="crl")
        issuer = next((ca for ca in candidates
                       if certs.signature_valid(parsed, certs.certificate_load(ca.certificate_pem))), None)
        if issuer is None:
            raise DomainError("CRL签名验证失败：内容已被改动，或并非由登记的CA签发", field="crl")
        if expected is not None and issuer.pk != expected.pk:
            raise DomainError(f"下载的CRL由“{issuer.name}”签发，不是“{expected.name}”的CRL", field="crl_url")
        if RevocationList.objects.filter(ca=issuer, this_update=parsed.last_update_utc).exists():
            raise Conflict("该CRL已导入", field="crl")
        newest = RevocationList.objects.filter(ca=issuer).order_by("-this_update").first()
        number = _crl_number(parsed)
        if newest is not None and number is not None and newest.number is not None and number < newest.number \
                and parsed.last_update_utc > newest.this_update:
            raise DomainError("CRL编号倒退，拒绝导入", field="crl")
        revocation_list = RevocationList.objects.create(
            ca=issuer, crl_der=parsed.public_bytes(Encoding.DER), number=number,
            this_update=parsed.last_update_utc, next_update=next_update,
            revoked_count=len(parsed), fetched_at=clock.now(),
        )
        audit_record(actor=actor, action="pki.crl_import", obj=revocation_list,
                     after=snapshot(revocation_list, exclude=_SNAPSHOT_EXCLUDE))
    return revocation_list


# --- OCSP ---------------------------------------------------------------------------------------------------


def ocsp_import(*, actor: Any, response: bytes) -> list[OcspResponse]:
    """Import an OCSP response (DER) after checking it is signed by a registered CA or a responder that CA
    authorised; one row per certificate status it carries. A status already imported is not duplicated."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以导入OCSP响应")
    return _ocsp_store(actor=actor, response=response)


def _ocsp_store(*, actor: Any, response: bytes, expected: TrustedCA | None = None) -> list[OcspResponse]:
    data = bytes(response or b"")
    if not data:
        raise DomainError("请上传OCSP响应文件", field="response")
    try:
        parsed = ocsp.response_load(data)
        ocsp.status_check(parsed)
    except ocsp.OcspError as exc:
        raise DomainError(str(exc), field="response") from None
    with transaction.atomic():
        cas = [expected] if expected is not None else list(TrustedCA.objects.all())
        issuer, checked, error = None, None, None
        for ca in cas:
            certificate = certs.certificate_load(ca.certificate_pem)
            if not any(ocsp.cert_id_matches(single, certificate) for single in parsed.responses):
                continue
            try:
                checked = ocsp.response_check(data, issuer=certificate)
            except ocsp.OcspError as exc:
                error = str(exc)
                continue
            issuer = ca
            break
        if issuer is None or checked is None:
            raise DomainError(error or "OCSP响应中的证书不是由已登记的CA签发的", field="response")
        rows = []
        for status in checked.statuses:
            serial = format(status.serial_number, "x")
            row = OcspResponse.objects.filter(ca=issuer, serial_number=serial, this_update=status.this_update).first()
            if row is None:
                row = OcspResponse.objects.create(
                    ca=issuer, serial_number=serial, status=status.status, revocation_time=status.revocation_time,
                    this_update=status.this_update, next_update=status.next_update, produced_at=checked.produced_at,
                    responder=checked.responder[:200], response_der=data, fetched_at=clock.now())
                audit_record(actor=actor, action="pki.ocsp_import", obj=row,
                             after=snapshot(row, exclude=("response_der",)))
            rows.append(row)
    return rows


# --- where revocation data comes from, and the scheduled refresh ------------------------------------------------


def _url_clean(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError("地址应以 http:// 或 https:// 开头", field=field)
    if len(value) > 500:
        raise DomainError("地址过长（不超过500个字符）", field=field)
    return value


def ca_sources_set(*, actor: Any, ca: TrustedCA, crl_url: str, ocsp_url: str) -> TrustedCA:
    """Where the scheduled job fetches this CA's CRL and asks for certificate status (blank: imported by hand)."""
    if not can_manage_trust_store(actor):
        raise NotAllowed("只有系统管理员可以管理可信CA列表")
    errors = {}
    cleaned = {}
    for name, value in (("crl_url", crl_url), ("ocsp_url", ocsp_url)):
        try:
            cleaned[name] = _url_clean(value, name)
        except DomainError as exc:
            errors[name] = str(exc)
    if errors:
        raise DomainError("吊销信息地址有误", errors=errors)
    with transaction.atomic():
        ca = TrustedCA.objects.select_for_update().get(pk=ca.pk)
        before = snapshot(ca, exclude=_SNAPSHOT_EXCLUDE)
        ca.crl_url, ca.ocsp_url = cleaned["crl_url"], cleaned["ocsp_url"]
        ca.save(update_fields=["crl_url", "ocsp_url"])
        audit_record(actor=actor, action="pki.ca_sources", obj=ca, before=before,
                     after=snapshot(ca, exclude=_SNAPSHOT_EXCLUDE))
    return ca


class FetchError(Exception):
    pass


def _fetch(url: str, *, body: bytes | None = None, content_type: str = "") -> bytes:
    """GET (or POST ``body``) ``url`` with a timeout and a size cap; FetchError with a Chinese reason."""
    limit = int(getattr(settings, "GGZY_PKI_FETCH_MAX_BYTES", 32 * 1024 * 1024))
    headers = {"User-Agent": "ggzy-pki/1"}
    if content_type:
        headers["Content-Type"] = content_type
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"不支持的地址：{url}")
    request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310 (http/https only, checked above)
                                     method="POST" if body is not None else "GET")
    timeout = float(getattr(settings, "GGZY_PKI_FETCH_TIMEOUT", 10))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 (http/https only)
            data = reply.read(limit + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url} 返回 HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"无法连接 {url}（{reason}）") from None
    if len(data) > limit:
        raise FetchError(f"{url} 返回的内容过大")
    return data


@dataclass
class RefreshResult:
    ca: TrustedCA
    crl: str = ""  # imported / unchanged / failed / not configured
    ocsp_checked: int = 0
    ocsp_imported: int = 0
    errors: list[str] = field(default_factory=list)


def _certificates_to_watch(ca: TrustedCA) -> list[x509.Certificate]:
    """Certificates the platform relies on that ``ca`` issued: signers of recorded signatures still in their
    validity period, and intermediate CAs registered under it."""
    now = clock.now()
    issuer = certs.certificate_load(ca.certificate_pem).subject
    seen: dict[str, x509.Certificate] = {}
    pems = Signature.objects.order_by().values_list("certificate_fingerprint", "certificate_pem").distinct()
    for fingerprint, pem in pems:
        if fingerprint in seen:
            continue
        certificate = certs.certificate_load(pem)
        if certificate.issuer == issuer and certificate.not_valid_after_utc > now:
            seen[fingerprint] = certificate
    for child in TrustedCA.objects.filter(is_root=False).exclude(pk=ca.pk):
        certificate = certs.certificate_load(child.certificate_pem)
        if certificate.issuer == issuer:
            seen[child.fingerprint] = certificate
    return list(seen.values())


def _ocsp_url_of(certificate: x509.Certificate, ca: TrustedCA) -> str:
    access = certs.extension(certificate, x509.AuthorityInformationAccess)
    for description in access or []:
        if description.access_method == x509.oid.AuthorityInformationAccessOID.OCSP:
            location = description.access_location.value
            if isinstance(location, str) and location.startswith(("http://", "https://")):
                return location
    return ca.ocsp_url


def revocation_refresh(*, ca: TrustedCA) -> RefreshResult:
    """Fetch ``ca``'s CRL from its download address and ask its OCSP service about the certificates in use;
    idempotent (an unchanged CRL or status is not stored twice). The outcome is kept on the CA row."""
    result = RefreshResult(ca=ca)
    if ca.crl_url:
        try:
            _crl_store(actor=None, crl=_fetch(ca.crl_url), expected=ca)
            result.crl = "imported"
        except Conflict:
            result.crl = "unchanged"
        except (FetchError, DomainError) as exc:
            result.crl = "failed"
            result.errors.append(f"CRL：{exc}")
    else:
        result.crl = "not configured"
    issuer = certs.certificate_load(ca.certificate_pem)
    for certificate in _certificates_to_watch(ca):
        url = _ocsp_url_of(certificate, ca)
        if not url:
            continue
        serial = format(certificate.serial_number, "x")
        fresh = OcspResponse.objects.filter(ca=ca, serial_number=serial,
                                            next_update__gt=clock.now() + OCSP_REFRESH_MARGIN).exists()
        if fresh:
            continue
        result.ocsp_checked += 1
        try:
            reply = _fetch(url, body=ocsp.request_build(certificate, issuer), content_type="application/ocsp-request")
            before = OcspResponse.objects.filter(ca=ca).count()
            _ocsp_store(actor=None, response=reply, expected=ca)
            result.ocsp_imported += OcspResponse.objects.filter(ca=ca).count() - before
        except (FetchError, DomainError) as exc:
            result.errors.append(f"OCSP（序列号 {serial}）：{exc}")
    latest = RevocationList.objects.filter(ca=ca).order_by("-this_update").first()
    if ca.crl_url and latest is not None and latest.next_update < clock.now():
        result.errors.append("CA发布的CRL已过期，证书校验将失败")
    with transaction.atomic():
        TrustedCA.objects.filter(pk=ca.pk).update(refreshed_at=clock.now(),
                                                  refresh_error="；".join(result.errors)[:500])
    return result


def revocation_refresh_all() -> list[RefreshResult]:
    """The scheduled job: every enabled CA with a CRL or OCSP address."""
    cas = TrustedCA.objects.filter(enabled=True).exclude(crl_url="", ocsp_url="")
    return [revocation_refresh(ca=ca) for ca in cas]


def _crl_number(crl: x509.CertificateRevocationList) -> int | None:
    try:
        return int(crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number)
    except x509.ExtensionNotFound:
        return None


def platform_sign(content: bytes) -> bytes:
    """A detached CMS signature (DER) over ``content`` with the platform's signing certificate (平台签章): what the
    platform attaches to content it publishes to other systems (the publication push). Verify with
    ``ggzy.pki.signing.verify_detached``."""
    from .platform_signing import platform_signer
    from .signing import sign_detached

    signer = platform_signer()
    return sign_detached(content, cert_pem=signer.cert_pem, key_pem=signer.key_pem)


def platform_pdf_sign(pdf_bytes: bytes, *, attachment: bytes, attachment_name: str, description: str, reason: str,
                      field_name: str) -> bytes:
    """Sign a document the platform issues (with its machine-readable attachment) with the platform's signing
    certificate (``platform_signing``); checked offline by ``signed_pdf.signed_pdf_check``."""
    from .platform_signing import platform_signer
    from .signed_pdf import signed_pdf_sign

    signer = platform_signer()
    return signed_pdf_sign(pdf_bytes, attachment=attachment, attachment_name=attachment_name,
                           description=description, reason=reason, field_name=field_name, cert_pem=signer.cert_pem,
                           key_pem=signer.key_pem, chain_pems=list(signer.chain_pems))


def signed_pdf_verify(pdf_bytes: bytes, *, attachment_name: str, trust_pems: list[bytes] | None, what: str):
    """Check a PDF the platform signed, offline (``signed_pdf.signed_pdf_check``): the public face for the apps above
    pki. Raises ``SignedPdfError`` (a ValueError) naming what is wrong."""
    from .signed_pdf import SignedPdfInvalid, signed_pdf_check

    try:
        return signed_pdf_check(pdf_bytes, attachment_name=attachment_name, trust_pems=trust_pems, what=what)
    except SignedPdfInvalid as exc:
        raise SignedPdfError(str(exc)) from None


class SignedPdfError(ValueError):
    """A signed PDF failed its offline check (the message says why)."""


def platform_trust_root() -> bytes | None:
    """The certificate (PEM) at the top of the platform signing chain (the offline verifier's trust anchor)."""
    from .platform_signing import platform_signer

    chain = platform_signer().chain_pems
    return chain[-1] if chain else None
