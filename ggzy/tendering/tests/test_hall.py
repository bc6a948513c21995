"""The online opening hall (不见面开标): who enters, what it shows before and after the deadline (sealed: no count,
no names, in the page and in the event stream), the event stream after the opening, objections raised and answered
on the record, and the bidders' sign-in with their certificates."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.tendering import tasks
from ggzy.tendering.models import HallSignIn, Lot
from ggzy.tendering.services import bidding, opening
from ggzy.tendering.views_hall import hall_event_stream

from .conftest import lot_ready, sign_up


def _bid(world, lot, i, price):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                              files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal"])],
                              fingerprint={"mac": f"00:11:22:33:44:{i:02d}", "public_ip": "1.2.3.4"})


@pytest.fixture
def hall_lot(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0, 1, 2])
    for i, price in enumerate(["7800000.00", "7650000.00", "7900000.00"]):
        _bid(world, lot, i, price)
    return lot


def _pass_deadline(lot):
    clock.freeze(Lot.objects.get(pk=lot.pk).bid_deadline + dt.timedelta(seconds=30))


def _stream(user, lot, **kwargs) -> str:
    return "".join(hall_event_stream(user=user, lot=lot, seconds=0, sleep=lambda s: None, **kwargs))


def _hall(client, user, lot):
    client.force_login(user)
    return client.get(f"/tendering/lots/{lot.pk}/hall/")


# -- who enters -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("who, status", [
    ("bidder", 200), ("tenderer", 200), ("agency_of_another_project", 403), ("staff", 200), ("supervisor", 200),
    ("other_staff", 403), ("bidder_without_bid", 403), ("expert", 403),
])
def test_hall_is_open_to_the_parties_of_the_opening(client, world, hall_lot, make_user, who, status):
    # given the hall of a published lot with three bids
    user = {"bidder": world.bidders[0], "tenderer": world.tenderer, "agency_of_another_project": world.agency, "staff": world.staff,
            "supervisor": make_user(Role.SUPERVISOR, center=world.center), "other_staff": world.other_staff,
            "bidder_without_bid": world.bidders[3], "expert": world.experts[0]}[who]
    # when the user opens it
    response = _hall(client, user, hall_lot)
    # then the parties get in, others are refused with the reason
    assert response.status_code == status


def test_anonymous_is_sent_to_login(client, hall_lot):
    response = client.get(f"/tendering/lots/{hall_lot.pk}/hall/")
    assert response.status_code in (302, 403)


# -- sealed before the deadline ---------------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["bidder", "staff", "tenderer"])
def test_before_the_deadline_the_hall_shows_no_bidder_and_no_count(client, world, hall_lot, who):
    # given three sealed bids before the deadline
    user = {"bidder": world.bidders[0], "staff": world.staff, "tenderer": world.tenderer}[who]
    # when a party opens the hall page and its event stream
    page = _hall(client, user, hall_lot).content.decode()
    stream = _stream(user, hall_lot)
    # then neither names a bidder, a price, or anything countable
    for text in (page, stream):
        for entity in world.bidder_entities:
            assert entity.name not in text
        assert "7650000" not in text and "7,650,000" not in text and 'data-key="b' not in text
    assert "event: bids\ndata: []" in stream and "event: sign_ins\ndata: []" in stream
    assert "event: clock" in stream and '"phase": "before"' in stream


def test_a_bid_arriving_while_the_stream_runs_sends_nothing(world, hall_lot):
    # given a stream watched by the tenderer before the deadline, polled three times (time moves only by sleeping)
    wall = [0.0]

    def sleep(seconds):
        if wall[0] == 0.0:  # between the first and second poll a fourth bidder bids
            sign_up(world, hall_lot, [3])
            _bid(world, hall_lot, 3, "7700000.00")
        wall[0] += seconds

    events = list(hall_event_stream(user=world.tenderer, lot=hall_lot, seconds=1.5, interval=1.0, sleep=sleep,
                                    monotonic=lambda: wall[0]))
    # then the first poll sent the five parts, and the later polls nothing but the goodbye: the bid moved nothing
    names = [e.split("\n")[1] for e in events[1:]]
    assert wall[0] == 2.0
    assert names == ["event: clock", "event: sign_ins", "event: bids", "event: objections", "event: record", "event: bye"]


def test_countdown_is_sent_in_server_time(client, world, hall_lot):
    response = _hall(client, world.bidders[0], hall_lot)
    html = response.content.decode()
    assert f'data-server-now="{clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat(timespec="seconds")}"' in html
    assert "data-deadline=" in html and "tendering/hall.js" in html


# -- live after the opening -------------------------------------------------------------------------------------
def test_stream_sends_decryption_status_and_record_rows_after_the_opening(world, hall_lot):
    # given the deadline passed and the chronograph opened the lot
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    # when a bidder watches before decryption
    pending = _stream(world.bidders[1], hall_lot)
    # then every bid is listed as waiting for decryption, with its bidder, without price
    assert pending.count('"status": "pending"') == 3 and "待解密" in pending
    assert world.bidder_entities[0].name in pending and "7650000" not in pending and "7,650,000" not in pending
    # when the chronograph decrypts the platform-sealed bids
    assert tasks.openings_decrypt_due_safely() == 3
    done = _stream(world.bidders[1], hall_lot, last_event_id="")
    # then each row carries its price and the decrypted status
    assert done.count('"status": "decrypted"') == 3 and "7,650,000.00" in done and "已解密" in done


def test_reconnecting_with_the_last_event_id_sends_only_the_clock(world, hall_lot):
    # given a client that has the current state (the id of the last event it got)
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    first = _stream(world.staff, hall_lot)
    last_id = first.strip().split("\n\n")[-1].split("\n")[0].removeprefix("id: ")
    # when it reconnects with Last-Event-ID
    again = _stream(world.staff, hall_lot, last_event_id=last_id)
    # then the server resends the clock only
    assert "event: clock" in again and "event: bids" not in again


def test_a_failed_decryption_shows_its_reason(world, hall_lot):
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    bid = hall_lot.bids.order_by("pk").first()
    bid.files.update(plaintext_sha256="0" * 64)  # the stored file no longer matches its hash
    tasks.openings_decrypt_due_safely()
    text = _stream(world.staff, hall_lot)
    assert '"status": "failed"' in text and "解密失败" in text and "文件摘要与递交时不一致" in text


def test_event_stream_endpoint_is_bounded_and_refuses_outsiders(client, world, hall_lot, settings):
    settings.GGZY_HALL_STREAM_SECONDS = 0
    client.force_login(world.staff)
    response = client.get(f"/tendering/lots/{hall_lot.pk}/hall/events/")
    assert response["Content-Type"].startswith("text/event-stream")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("retry: 1000") and body.rstrip().split("\n")[-2] == "event: bye"
    client.force_login(world.other_staff)
    assert client.get(f"/tendering/lots/{hall_lot.pk}/hall/events/").status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_stream_is_sent_event_by_event_under_asgi(world, hall_lot, settings):
    # given the hall served by Django's ASGI handler (uvicorn in production)
    import asyncio

    from django.test import AsyncClient

    settings.GGZY_HALL_STREAM_SECONDS = 0
    client = AsyncClient()

    async def read():
        await client.aforce_login(world.staff)
        response = await client.get(f"/tendering/lots/{hall_lot.pk}/hall/events/")
        assert response.is_async  # an asynchronous iterator: each event goes out when it is ready
        return "".join([part.decode() async for part in response.streaming_content])

    # when the stream is read
    body = asyncio.run(read())
    # then it carries the same events as under WSGI
    assert body.startswith("retry: 1000") and "event: clock" in body and "event: bye" in body


def test_objection_raised_in_the_hall_and_answered_appears(client, world, hall_lot):
    # given the lot being opened
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    tasks.openings_decrypt_due_safely()
    # when a bidder raises an objection from the hall and the tenderer answers it there
    client.force_login(world.bidders[2])
    response = client.post(f"/tendering/lots/{hall_lot.pk}/act/opening_objection/",
                           {"text": "第二名报价的工期栏有误", "back": "hall"})
    assert response["Location"] == f"/tendering/lots/{hall_lot.pk}/hall/"
    raised = _stream(world.bidders[0], hall_lot)
    assert "第二名报价的工期栏有误" in raised and '"is_open": true' in raised
    objection = hall_lot.opening_objections.get()
    client.force_login(world.tenderer)
    client.post(f"/tendering/lots/{hall_lot.pk}/act/opening_answer/",
                {"objection": objection.pk, "answer": "经核实工期为300天，已记录", "back": "hall"})
    # then every party sees the answer on the record
    answered = _stream(world.bidders[0], hall_lot)
    assert "经核实工期为300天，已记录" in answered and '"is_open": false' in answered
    assert "经核实工期为300天" in _hall(client, world.staff, hall_lot).content.decode()


def test_after_the_record_is_published_anyone_may_read_the_hall(client, world, hall_lot, make_user):
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    tasks.openings_decrypt_due_safely()
    opening.opening_record_publish(actor=world.staff, lot=Lot.objects.get(pk=hall_lot.pk))
    page = _hall(client, world.bidders[3], hall_lot).content.decode()
    assert world.bidder_entities[1].name in page and "¥7,650,000.00" in page and "hall-objection-form" not in page


# -- sign-in with the certificate -------------------------------------------------------------------------------
@pytest.fixture
def bidder_pki(world, tmp_path):
    """ECDSA entity certificates for the first two bidders, their CA in the trust store."""
    entities = [(e.name, e.credit_code, Algorithm.ECDSA) for e in world.bidder_entities[:2]]
    built = build_test_pki(tmp_path / "pki", now=clock.now(), entities=entities, persons=[], crl_days=365)
    demo_pki_register(directory=built.directory)
    return built


def _sign(issued, text: str) -> str:
    return base64.b64encode(issued.private_key.sign(text.encode(), ec.ECDSA(hashes.SHA256()))).decode()


def _sign_in(client, lot, issued, *, text=None):
    challenge = client.get(f"/tendering/lots/{lot.pk}/hall/challenge/").json()
    return client.post(f"/tendering/lots/{lot.pk}/hall/sign-in/", {
        "certificate": issued.pem.decode(), "nonce": challenge["nonce"],
        "signature": _sign(issued, text or challenge["challenge"])}, follow=True)


def test_bidder_signs_in_with_its_certificate(client, world, hall_lot, bidder_pki):
    # given the deadline passed
    _pass_deadline(hall_lot)
    client.force_login(world.bidders[0])
    # when the bidder signs the hall's challenge with its entity certificate
    response = _sign_in(client, hall_lot, bidder_pki.users[f"{world.bidder_entities[0].name}/sign"])
    # then the sign-in is recorded and shown to the hall
    assert "签到成功" in response.content.decode()
    sign_in = HallSignIn.objects.get(lot=hall_lot)
    assert sign_in.bidder == world.bidder_entities[0] and sign_in.user == world.bidders[0]
    assert world.bidder_entities[0].name in _stream(world.staff, hall_lot)


@pytest.mark.parametrize("case", ["other_text", "other_entity_certificate", "before_deadline"])
def test_a_wrong_signature_or_certificate_is_refused(client, world, hall_lot, bidder_pki, case):
    if case != "before_deadline":
        _pass_deadline(hall_lot)
    client.force_login(world.bidders[0])
    own = bidder_pki.users[f"{world.bidder_entities[0].name}/sign"]
    other = bidder_pki.users[f"{world.bidder_entities[1].name}/sign"]
    if case == "before_deadline":
        response = _sign_in(client, hall_lot, own)
        expected = "投标截止（开标）时间到达后方可签到"
    elif case == "other_text":
        response = _sign_in(client, hall_lot, own, text="山东省公共资源交易平台证书登录")
        expected = "签名验证失败"
    else:
        response = _sign_in(client, hall_lot, other)
        expected = "不属于"
    # then nothing is recorded and the page says why
    assert expected in response.content.decode()
    assert not HallSignIn.objects.exists()


def test_a_challenge_for_one_lot_does_not_sign_in_to_another(client, world, hall_lot, bidder_pki):
    other_lot = lot_ready(world)
    sign_up(world, other_lot, [0])
    _bid(world, other_lot, 0, "7000000.00")
    _pass_deadline(hall_lot)
    client.force_login(world.bidders[0])
    own = bidder_pki.users[f"{world.bidder_entities[0].name}/sign"]
    challenge = client.get(f"/tendering/lots/{hall_lot.pk}/hall/challenge/").json()
    response = client.post(f"/tendering/lots/{other_lot.pk}/hall/sign-in/", {
        "certificate": own.pem.decode(), "nonce": challenge["nonce"], "signature": _sign(own, challenge["challenge"])},
        follow=True)
    assert "挑战码无效" in response.content.decode() and not HallSignIn.objects.exists()


@pytest.mark.parametrize("who", ["bidder", "staff"])
def test_hall_in_english_shows_no_chinese_ui_text(client, world, hall_lot, who):
    from tests.test_english_mode import _chinese_left, _data_strings

    # given a lot being opened, its bids decrypted and an objection raised
    _pass_deadline(hall_lot)
    tasks.lots_open_due()
    tasks.openings_decrypt_due_safely()
    opening.opening_objection_raise(actor=world.bidders[1], lot=Lot.objects.get(pk=hall_lot.pk), text="工期有误")
    # when a party reads the hall in English
    client.cookies["django_language"] = "en"
    html = _hall(client, world.bidders[0] if who == "bidder" else world.staff, hall_lot).content.decode()
    # then no UI text is left in Chinese (names, titles and the objection's text are data)
    assert _chinese_left(html, _data_strings()) == []
    assert "Online opening hall" in html
