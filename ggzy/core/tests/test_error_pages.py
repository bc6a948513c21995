"""403, 404, 500 and CSRF failures: in the site's frame and the page's language, saying why."""

import re

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client

from ggzy.accounts.roles import Role

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _visible_text(response) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.django_db
def test_403_names_the_roles_needed_and_the_visitors_role(make_user, centers):
    client = Client()
    client.force_login(make_user(Role.BIDDER, username="b1"))
    response = client.get("/notices/manage/")
    text = _visible_text(response)
    assert response.status_code == 403 and 'class="site-header"' in response.content.decode()
    assert "无权访问" in text and "交易中心工作人员" in text and "系统管理员" in text and "投标人（市场主体）" in text
    response = _english(client).get("/notices/manage/")
    text = _visible_text(response)
    assert response.status_code == 403 and "Access denied" in text and "Your role may not do this" in text
    assert "Trading center staff" in text or "trading center staff" in text.lower()
    assert not HAN.search(text.replace("中文", "").replace("鲁", "")), text


@pytest.mark.django_db
def test_404_says_what_was_not_found(make_user):
    response = Client().get("/tendering/lots/999999/")
    assert response.status_code == 404 and "标段不存在" in _visible_text(response)
    assert 'class="site-header"' in response.content.decode()
    response = _english(Client()).get("/tendering/lots/999999/")
    text = _visible_text(response)
    assert response.status_code == 404 and "No such lot" in text and "/tendering/lots/999999/" in text
    assert not HAN.search(text.replace("中文", "").replace("鲁", "")), text
    assert "Page not found" in _visible_text(_english(Client()).get("/no-such-page/"))


@pytest.mark.django_db
def test_500_renders_when_the_database_is_down(monkeypatch):
    def down(self):
        raise OperationalError("database is down")

    client = _english(Client(raise_request_exception=False))
    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", down)
    response = client.get("/notices/")
    assert response.status_code == 500
    text = _visible_text(response)
    assert "Server error" in text and "try again later" in text and not HAN.search(text.replace("鲁", ""))
    response = Client(raise_request_exception=False).get("/notices/")
    assert response.status_code == 500 and "服务器内部错误" in _visible_text(response)


@pytest.mark.django_db
def test_csrf_failure_explains_what_to_do():
    client = _english(Client(enforce_csrf_checks=True))
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Submission expired" in _visible_text(response) and 'class="site-header"' in response.content.decode()


@pytest.mark.django_db
def test_api_errors_stay_json(make_user):
    response = Client().get("/api/no-such-endpoint")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("application/json")
