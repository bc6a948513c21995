"""Trust-store read endpoints. Mount with ``api.add_router("/v1/pki/trust", trust_router, tags=["CA互认"])``."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from ggzy.core.api_errors import answers
from ggzy.core.permissions import PUBLIC, requires

from .selectors import trusted_ca_list_visible
from .trust_views import TRUST_STORE_VIEWERS, can_view_trust_store, trust_rows

router = Router()


class TrustedCAPublicOut(Schema):
    name: str
    algorithm: str
    not_before: dt.datetime
    not_after: dt.datetime


class TrustedCAOut(TrustedCAPublicOut):
    id: int
    subject: str
    fingerprint: str
    is_root: bool
    enabled: bool
    registered_at: dt.datetime
    crl_state: str
    crl_this_update: dt.datetime | None
    crl_next_update: dt.datetime | None
    ocsp_current: int
    crl_url: str
    ocsp_url: str
    refreshed_at: dt.datetime | None
    refresh_error: str


@router.get("/cas", response=answers(list[TrustedCAPublicOut]), summary="平台认可的CA（CA互认名录）")
@requires(PUBLIC)
def api_recognised_cas(request):
    return list(trusted_ca_list_visible().filter(enabled=True))


@router.get("/store", response=answers(list[TrustedCAOut], 401, 403), summary="可信CA列表与CRL状态（管理员、省级工作人员）")
@requires(TRUST_STORE_VIEWERS)
def api_trust_store(request):
    if not can_view_trust_store(request.user):
        raise PermissionDenied("只有系统管理员和省级工作人员可以查看可信CA列表")
    return [TrustedCAOut(id=ca.pk, name=ca.name, algorithm=ca.algorithm, not_before=ca.not_before,
                         not_after=ca.not_after, subject=ca.subject, fingerprint=ca.fingerprint, is_root=ca.is_root,
                         enabled=ca.enabled, registered_at=ca.registered_at, crl_state=crl.state,
                         crl_this_update=crl.this_update, crl_next_update=crl.next_update,
                         ocsp_current=ca.ocsp_current or 0, crl_url=ca.crl_url, ocsp_url=ca.ocsp_url,
                         refreshed_at=ca.refreshed_at, refresh_error=ca.refresh_error)
            for ca, crl in trust_rows()]
