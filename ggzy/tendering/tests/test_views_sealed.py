"""The bidder-holds-the-key page: who may open it and what it offers at each stage."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from ggzy.core import clock
from ggzy.core.models import AuditEntry
from ggzy.tendering import services

from .conftest import lot_ready

pytestmark = pytest.mark.django_db


def _url(lot):
    return reverse("tendering:lot_sealed_bid", args=[lot.pk])


def test_anonymous_is_sent_to_login(client, world):
    # given a published lot
    lot = lot_ready(world)
    before = AuditEntry.objects.count()
    # when an anonymous visitor opens the page
    response = client.get(_url(lot))
    # then it is refused and nothing is written
    assert response.status_code in (302, 403)
    assert "sealed-bid-panel" not in response.content.decode()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize("who", ["staff", "tenderer"])
def test_wrong_role_is_refused(client, world, who):
    # given a published lot and a non-bidder
    lot = lot_ready(world)
    before = AuditEntry.objects.count()
    client.force_login(getattr(world, who))
    # when they open the page
    response = client.get(_url(lot))
    # then 403 and nothing written
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before


def test_unknown_lot_is_not_found(client, world):
    client.force_login(world.bidders[0])
    assert client.get(reverse("tendering:lot_sealed_bid", args=[999999])).status_code == 404


def test_bidder_gets_the_sealing_form_before_the_deadline(client, world, django_assert_max_num_queries):
    # given a published lot the bidder signed up for
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[0], lot=lot)
    client.force_login(world.bidders[0])
    # when the bidder opens the page
    with django_assert_max_num_queries(12):
        response = client.get(_url(lot))
    # then the in-browser sealing form and its script are there, and no decryption form
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="sealed-submit"' in body and "tendering/sealed_bid.js" in body
    assert 'id="sealed-decrypt"' not in body and "尚未递交" in body


def test_after_the_deadline_without_a_bid_nothing_is_offered(client, world):
    # given the deadline has passed
    lot = lot_ready(world)
    clock.advance(dt.timedelta(days=22))
    client.force_login(world.bidders[0])
    # when the bidder opens the page
    body = client.get(_url(lot)).content.decode()
    # then neither sealing nor decrypting is offered
    assert 'id="sealed-submit"' not in body and 'id="sealed-decrypt"' not in body
    assert "当前不在投标或解密时段" in body
