"""The browser page of the bidder-holds-the-key path: seal in the page (SM2 certificates: SM4-GCM in JavaScript;
RSA certificates: WebCrypto AES-256-GCM) and decrypt one's own bid at the opening. The page only renders; sealing
and unwrapping happen in ``static/tendering/sealed_bid.js`` and go through the API doors of ``api_sealed`` (the
server never sees the key before the bidder submits it in the decryption window)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.permissions import requires, roles

from . import selectors
from .choices import BidState, LotState
from .procedures import procedure_for
from .services import client_sealed

BIDDER = roles(Role.BIDDER)


@requires(BIDDER)
def lot_sealed_bid_view(request, lot_id: int):
    lot = selectors.lot_get_for_user(user=request.user, lot_id=lot_id)
    if lot is None:
        raise Http404("标段不存在")
    now = clock.now()
    end = client_sealed.window_end(lot)
    my_bid = selectors.bid_for_user(user=request.user, lot=lot)
    # 询价: a quotation once in is final; the page offers no re-submission and states the rule instead
    refusal = procedure_for(lot).bid_change_refusal(has_bid=my_bid is not None and my_bid.state == BidState.SUBMITTED)
    context = {
        "lot": lot, "my_bid": my_bid,
        "accepting": lot.state == LotState.PUBLISHED and lot.bid_deadline is not None and now < lot.bid_deadline,
        "in_window": lot.state == LotState.OPENING and end is not None and now <= end, "window_end": end,
        "bid_change_refusal": gettext(refusal) if refusal else "",
    }
    return render(request, "tendering/pages/lot_sealed.html", context)


urlpatterns = [
    path("lots/<int:lot_id>/sealed-bid/", lot_sealed_bid_view, name="lot_sealed_bid"),
]
