"""The bid form (issue 11, item 3): the same submission sent twice is one submission, and an empty or partial
submit names every missing part at once — on the page and in the API — changing nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.tendering.models import Bid, BidEvent
from ggzy.tendering.services import bidding

from .conftest import lot_ready, sign_up

TOKEN = "form-token-0123456789abcdef"


@pytest.fixture
def lot(world):
    lot = lot_ready(world)
    sign_up(world, lot, [0])
    return lot


def _submit(world, lot, token, price="7650000.00"):
    return bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": price},
                              files=[bidding.IncomingFile("技术标.pdf", [b"proposal"])], submission_token=token)


def test_the_same_submission_twice_makes_one_and_no_modification(world, lot):
    # given a first submission, then a modification from a new form
    _submit(world, lot, "first-form-token-0123456789")
    bid = _submit(world, lot, TOKEN, price="7600000.00")
    assert bid.modified_count == 1
    events = BidEvent.objects.filter(lot=lot).count()
    # when the same modification is sent again (double click, retried upload)
    again = _submit(world, lot, TOKEN, price="7600000.00")
    # then it is the same bid, still one modification, no new event or ledger entry
    assert again.pk == bid.pk
    bid.refresh_from_db()
    assert bid.modified_count == 1 and bid.arrived_at == again.arrived_at
    assert BidEvent.objects.filter(lot=lot).count() == events


def test_a_repeat_arriving_while_the_first_is_stored_is_recognised_under_the_lock(world, lot, monkeypatch):
    # given the early check does not see the first send (as when both arrive together)
    bid = _submit(world, lot, TOKEN)
    real_filter = Bid.objects.filter
    calls = {"n": 0}

    def blind_first_lookup(*args, **kwargs):
        calls["n"] += 1
        query = real_filter(*args, **kwargs)
        return query.none() if calls["n"] == 1 else query

    monkeypatch.setattr(Bid.objects, "filter", blind_first_lookup)
    # when the repeat reaches the store
    again = _submit(world, lot, TOKEN)
    monkeypatch.undo()
    # then the lot's lock finds it stored and nothing changes
    bid.refresh_from_db()
    assert again.pk == bid.pk and bid.modified_count == 0


def test_the_page_form_sent_twice_makes_one_submission(client, world, lot):
    client.force_login(world.bidders[0])
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    token = page.split('name="submission_token" value="')[1].split('"')[0]
    assert len(token) >= 16

    def send():
        return client.post(f"/tendering/lots/{lot.pk}/act/bid/", {
            "submission_token": token, "total_price": "7650000", "quality": "合格",
            "files": SimpleUploadedFile("技术标.pdf", b"proposal")}, HTTP_HX_REQUEST="true")

    first, second = send(), send()
    assert first["HX-Redirect"] == f"/tendering/lots/{lot.pk}/" and second.status_code == 200
    bid = Bid.objects.get(lot=lot)
    assert bid.modified_count == 0 and BidEvent.objects.filter(lot=lot, kind__in=["submit", "modify"]).count() == 1
    # and a fresh rendering of the form gives a new token, so a real modification still counts
    assert token not in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


def test_the_api_honours_an_idempotency_key(client, world, lot):
    client.force_login(world.bidders[0])

    def send():
        return client.post(f"/api/v1/tendering/lots/{lot.pk}/bid",
                           {"price_sheet": '{"total_price": "7650000"}',
                            "files": SimpleUploadedFile("技术标.pdf", b"proposal")}, HTTP_IDEMPOTENCY_KEY=TOKEN)

    assert send().status_code == 201
    second = send()
    assert second.status_code == 201 and second.json()["modified_count"] == 0
    assert Bid.objects.get(lot=lot).modified_count == 0


def test_an_empty_submit_names_every_missing_part_in_the_api(client, world, lot):
    client.force_login(world.bidders[0])
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid", {})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"files", "price_sheet"}
    assert "请至少上传一个投标文件" in response.json()["detail"] and "报价单" in response.json()["detail"]
    assert not Bid.objects.filter(lot=lot).exists()


def test_a_partial_submit_names_every_wrong_field(client, world, lot):
    client.force_login(world.bidders[0])
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid",
                           {"price_sheet": '{"total_price": "", "duration_days": 0, "items": [{"name": ""}]}'})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"files", "price_sheet.total_price", "price_sheet.duration_days",
                           "price_sheet.items.0.name"}
    assert errors["price_sheet.total_price"] == ["请填写投标总价"]
    assert not Bid.objects.filter(lot=lot).exists()


def test_an_empty_page_submit_shows_every_missing_part(client, world, lot):
    client.force_login(world.bidders[0])
    response = client.post(f"/tendering/lots/{lot.pk}/act/bid/", {"total_price": "", "duration_days": "十天",
                                                                  "submission_token": TOKEN}, follow=True)
    text = response.content.decode()
    assert "请至少上传一个投标文件" in text and "请填写投标总价" in text and "工期（天）必须为" in text
    assert not Bid.objects.filter(lot=lot).exists()


def test_a_bad_token_is_refused_by_name(world, lot):
    with pytest.raises(bidding.DomainError) as refused:
        _submit(world, lot, "short")
    assert "submission_token" in refused.value.errors


@pytest.mark.django_db(transaction=True)
def test_four_sends_of_one_submission_at_once_store_one(world):
    import threading

    from django.db import connection, connections

    lot = lot_ready(world)
    sign_up(world, lot, [0])
    _submit(world, lot, "earlier-form-token-0123456789")
    start = threading.Barrier(4)
    outcomes: list[object] = []
    guard = threading.Lock()
    # SQLite's shared-cache test database refuses a second writer at once: there the threads take turns; on
    # PostgreSQL they race for the lot's row lock.
    in_turn = threading.Lock() if connection.vendor == "sqlite" else None

    def send() -> None:
        try:
            start.wait(timeout=10)
            if in_turn:
                in_turn.acquire()
            try:
                result: object = _submit(world, lot, TOKEN, price="7600000.00").pk
            finally:
                if in_turn:
                    in_turn.release()
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            result = exc
        finally:
            connections["default"].close()
        with guard:
            outcomes.append(result)

    # when the same modification is sent four times at the same moment
    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then every send answers with the one bid, which counts one modification
    bid = Bid.objects.get(lot=lot)
    assert outcomes == [bid.pk] * 4, outcomes
    assert bid.modified_count == 1 and bid.submission_token == TOKEN
    assert BidEvent.objects.filter(lot=lot, kind="modify").count() == 1
