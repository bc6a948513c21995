import re

import pytest

from ggzy.accounts.roles import Role
from ggzy.disclosure.tests.factories import notice_make
from ggzy.publication import services
from ggzy.publication.models import MessageState, PushMessage, PushSubscriber

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


@pytest.fixture
def admin_client(client, make_user):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    return client


def _dead(make_user, centers):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    subscriber = services.subscriber_register(actor=None, name="Provincial site (test)", url="http://127.0.0.1:9/p",
                                              kinds=["notice"], secret="s" * 32, max_attempts=1)
    notice_make(actor=staff, center=centers["jinan"])
    services.publication_push()
    return PushMessage.objects.get(subscriber=subscriber)


def test_only_administrators_see_the_push_page(client, make_user, centers):
    assert client.get("/publication/").status_code in (302, 401, 403)
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    assert client.get("/publication/").status_code == 403
    assert client.post("/publication/subscribers/", {"name": "x"}).status_code == 403


def test_dead_letter_is_listed_and_staff_retry_it(admin_client, make_user, centers, frozen_clock):
    dead = _dead(make_user, centers)
    assert dead.state == MessageState.DEAD
    page = admin_client.get("/publication/").content.decode()
    assert dead.publication.idempotency_key in page and "死信队列" in page
    answer = admin_client.post(f"/publication/dead-letters/{dead.pk}/retry/")
    assert answer.status_code == 302
    dead.refresh_from_db()
    assert dead.state in (MessageState.PENDING, MessageState.DEAD)  # requeued (and, eagerly, tried again)
    assert dead.attempts <= 1


def test_registering_with_a_bad_address_says_so_in_chinese_and_saves_nothing(admin_client):
    answer = admin_client.post("/publication/subscribers/", {"name": "省网", "url": "not a url", "kinds": ["notice"]})
    assert answer.status_code == 400 and "推送地址须为 http(s) 地址" in answer.content.decode()
    assert not PushSubscriber.objects.exists()
    answer = admin_client.post("/publication/subscribers/", {"name": "省网", "url": "http://127.0.0.1:9/p",
                                                            "kinds": ["notice", "result"]})
    assert answer.status_code == 302 and PushSubscriber.objects.get().kinds == ["notice", "result"]


def test_the_push_page_in_english_has_no_chinese_ui_text(admin_client, make_user, centers, frozen_clock):
    _dead(make_user, centers)
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get("/publication/").content.decode()
    panel = html[html.index('id="push-panel"'):html.rindex("</div>")]
    text = re.sub(r"<[^>]+>", " ", panel)
    text = text.replace("测试公告", "")
    assert not HAN.search(text), HAN.findall(text)[:20]


def test_the_feed_pages_by_offset_and_never_goes_backwards(client, make_user, centers, frozen_clock):
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    for n in range(5):
        notice_make(actor=staff, center=centers["jinan"], title=f"公告{n}")
    first = client.get("/api/v1/publications/feed?offset=0&limit=3").json()
    assert [i["offset"] for i in first["items"]] == [1, 2, 3] and first["next_offset"] == 3
    second = client.get(f"/api/v1/publications/feed?offset={first['next_offset']}&limit=3").json()
    assert [i["offset"] for i in second["items"]] == [4, 5] and second["next_offset"] == 5
    empty = client.get("/api/v1/publications/feed?offset=5").json()
    assert empty == {"items": [], "next_offset": 5}
    assert all(i["signature"] for i in first["items"])
    for bad in ("-1", "1e400", "abc", "NaN", str(2**70)):
        assert client.get(f"/api/v1/publications/feed?offset={bad}").status_code == 400
