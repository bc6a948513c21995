"""Reads of the trust store. The list of recognised CAs is public information (CA互认名录)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from ggzy.core import clock

from .models import OcspResponse, RevocationList, TrustedCA
from .validation import validate_certificate


def trusted_ca_list_visible(*, user=None) -> QuerySet[TrustedCA]:
    """Every registered CA, enabled first; the trust list is published, so no user scope applies."""
    return TrustedCA.objects.order_by("-enabled", "name", "id")


def revocation_list_latest(*, ca: TrustedCA) -> RevocationList | None:
    return RevocationList.objects.filter(ca=ca).order_by("-this_update").first()


def ocsp_response_list_recent(*, limit: int = 20) -> QuerySet[OcspResponse]:
    """The newest imported OCSP answers (any CA), for the trust-store page."""
    return OcspResponse.objects.select_related("ca").defer("response_der").order_by("-fetched_at", "-id")[:limit]


@dataclass(frozen=True)
class CertificateStatus:
    """What the platform says about a certificate before a page asks the certificate agent to use its key:
    the trust store's verdict (``code``: ok, expired, revoked, …) and whether it is the user's own."""

    ok: bool
    code: str
    reason: str
    matches: bool | None  # None: nobody signed in, or the certificate could not be read


CERTIFICATE_PURPOSES = {"login": "digital_signature", "sign": "digital_signature", "encrypt": "key_encipherment"}


def certificate_status(*, certificate_pem: str, purpose: str, user: Any = None) -> CertificateStatus:
    """The trust store's answer for ``certificate_pem`` used for ``purpose`` (login, sign, encrypt) now, and, for
    a signed-in ``user``, whether the certificate is theirs: a person certificate bound to the account, or an
    entity certificate whose credit code maps to the account (as certificate login decides)."""
    from .bindings import person_certificate_account
    from .login import entity_certificate_accounts

    result = validate_certificate(certificate_pem, at=clock.now(), usage=CERTIFICATE_PURPOSES[purpose])
    matches: bool | None = None
    if user is not None and getattr(user, "is_authenticated", False) and result.subject is not None:
        subject = result.subject
        if subject.is_entity:
            matches = any(account.pk == user.pk for account in entity_certificate_accounts(subject))
        else:
            account = person_certificate_account(subject.fingerprint)
            matches = account is not None and account.pk == user.pk
    return CertificateStatus(ok=result.ok, code=result.code, reason=result.reason, matches=matches)
