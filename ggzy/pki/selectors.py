"""Reads of the trust store. The list of recognised CAs is public information (CA互认名录)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import OcspResponse, RevocationList, TrustedCA


def trusted_ca_list_visible(*, user=None) -> QuerySet[TrustedCA]:
    """Every registered CA, enabled first; the trust list is published, so no user scope applies."""
    return TrustedCA.objects.order_by("-enabled", "name", "id")


def revocation_list_latest(*, ca: TrustedCA) -> RevocationList | None:
    return RevocationList.objects.filter(ca=ca).order_by("-this_update").first()


def ocsp_response_list_recent(*, limit: int = 20) -> QuerySet[OcspResponse]:
    """The newest imported OCSP answers (any CA), for the trust-store page."""
    return OcspResponse.objects.select_related("ca").defer("response_der").order_by("-fetched_at", "-id")[:limit]
