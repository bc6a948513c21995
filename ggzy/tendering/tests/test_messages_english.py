"""Sign-up, bond and bid: the messages a bidder reads are in the page's language (translated at render time)."""

import html
import re

import pytest
from django.test import Client

from .conftest import bond_arrive, lot_ready

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _messages(response) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in
            re.findall(r'<li class="msg-[a-z ]+">(.*?)</li>', response.content.decode(), re.S)]


def _act(client, lot, action, data=None):
    return client.post(f"/tendering/lots/{lot.pk}/act/{action}/?lang=en", data or {}, follow=True)


@pytest.mark.django_db
def test_bidder_path_messages_are_english(world):
    lot = lot_ready(world)
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.bidders[0])
    assert _messages(_act(client, lot, "bid")) == ["Sign up first"]
    assert _messages(_act(client, lot, "signup")) == ["Signed up"]
    assert _messages(_act(client, lot, "signup")) == ["You have already signed up for this lot"]
    refused = _messages(_act(client, lot, "bid", {"total_price": "100"}))
    assert refused and refused[0].startswith("Bond not received:") and not HAN.search(refused[0]), refused
    bond_arrive(world, lot, 0, amount="100")
    refused = _messages(_act(client, lot, "bid", {"total_price": "100"}))
    assert refused and refused[0].startswith("Bond short:") and not HAN.search(refused[0]), refused
    refused = _messages(_act(client, lot, "guarantee", {"guarantee_number": "NO-SUCH-1"}))
    assert refused == ["Guarantee NO-SUCH-1 not found: the platform has no record of it from its issuer"], refused
    bond_arrive(world, lot, 0)
    refused = _messages(_act(client, lot, "bid", {"total_price": "100"}))
    assert refused and not any(HAN.search(m) for m in refused), refused


@pytest.mark.django_db
def test_the_same_messages_stay_chinese_in_chinese(world):
    lot = lot_ready(world)
    client = Client()
    client.force_login(world.bidders[0])
    assert _messages(client.post(f"/tendering/lots/{lot.pk}/act/bid/", {}, follow=True)) == ["请先报名"]
    assert _messages(client.post(f"/tendering/lots/{lot.pk}/act/signup/", {}, follow=True)) == ["报名成功"]
