"""Every refusal of the REST API is 400/401/403/404/409 in Chinese and names the field — the framework's own too."""

import json
import re
from decimal import Decimal

import pytest

from ggzy.accounts.roles import Role
from ggzy.core.api_errors import MESSAGES, StrictJSONParser, validation_error_as_domain
from ggzy.disclosure.models import Notice

pytestmark = pytest.mark.django_db

NOTICES = "/api/v1/disclosure/notices"
PAYLOAD = {"notice_type": "tender", "category_code": "01", "region_code": "370102",
           "title": "历下区某道路工程招标公告", "body": "正文"}
ENGLISH = re.compile(r"\b(Input|should|valid|field|required|Expecting|Cannot|parse)\b")


@pytest.fixture
def staff_client(client, make_user, centers):
    client.force_login(make_user(Role.CENTER_STAFF, center=centers["jinan"]))
    return client


def _post(client, body: str | bytes, url: str = NOTICES):
    return client.post(url, body, content_type="application/json")


def _assert_chinese(response, status: int = 400) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == {"detail", "errors"}
    for text in [body["detail"], *(m for msgs in body["errors"].values() for m in msgs)]:
        assert re.search(r"[\u4e00-\u9fff]", text) and not ENGLISH.search(text), text
    return body


@pytest.mark.parametrize("raw", [
    pytest.param('{"title": ', id="truncated"),
    pytest.param("{'title': 'x'}", id="single-quotes"),
    pytest.param('{"title": "x"} trailing', id="extra-data"),
    pytest.param(b'{"title": "\xff"}', id="not-utf8"),
])
def test_malformed_json_is_400_in_chinese(staff_client, raw):
    # when
    body = _assert_chinese(_post(staff_client, raw))
    # then
    assert body["detail"].startswith("请求体不是有效的 JSON：") and body["errors"]["__all__"]
    assert Notice.objects.count() == 0


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(staff_client, constant):
    body = _assert_chinese(_post(staff_client, f'{{"budget": {constant}, "title": "x"}}'))
    assert constant in body["detail"]


def test_json_fractions_are_parsed_as_exact_decimals(rf):
    # given a number whose float is not exact
    request = rf.post(NOTICES, '{"budget": 12345678901234567.89, "n": 3, "list": [0.1]}',
                      content_type="application/json")
    # when
    data = StrictJSONParser().parse_body(request)
    # then
    assert data == {"budget": Decimal("12345678901234567.89"), "n": 3, "list": [Decimal("0.1")]}
    assert isinstance(data["n"], int)


def test_json_amounts_reach_the_service(staff_client, frozen_clock):
    raw = json.dumps({**PAYLOAD, "budget": 0}).replace('"budget": 0', '"budget": 1234.5')
    response = _post(staff_client, raw)
    assert response.status_code == 201, response.json()
    assert Notice.objects.get().budget == Decimal("1234.50")


@pytest.mark.parametrize(("change", "field", "words"), [
    pytest.param({"title": 5}, "title", "文本", id="string_type"),
    pytest.param({"title": None}, "title", "文本", id="none"),
    pytest.param({"title": ["x"]}, "title", "文本", id="list-for-string"),
    pytest.param({"deadline": "tomorrow"}, "deadline", "ISO 8601", id="datetime_parsing"),
    pytest.param({"deadline": "2026-02-30T09:00:00+08:00"}, "deadline", "ISO 8601", id="datetime-invalid-day"),
    pytest.param({"title": "x" * 201}, "title", "200", id="string_too_long"),
    pytest.param({"body": "x" * 100_001}, "body", "100000", id="text-too-long"),
    pytest.param({"title": "a\u0000b"}, "title", "空字符", id="nul"),
])
def test_wrong_types_name_the_field_in_chinese(staff_client, change, field, words):
    # when
    body = _assert_chinese(_post(staff_client, json.dumps({**PAYLOAD, **change})))
    # then
    assert field in body["errors"] and body["detail"].startswith(f"{field}: ")
    assert words in body["detail"]
    assert Notice.objects.count() == 0


def test_missing_field_and_missing_body(staff_client):
    payload = dict(PAYLOAD)
    del payload["title"]
    body = _assert_chinese(_post(staff_client, json.dumps(payload)))
    assert body["errors"]["title"] == ["此项为必填项"]
    assert _assert_chinese(_post(staff_client, b""))["errors"] == {"__all__": ["缺少请求体"]}
    for not_an_object in ("[1, 2]", '"text"', "3"):
        assert _assert_chinese(_post(staff_client, not_an_object))["errors"] == {"__all__": ["请求体必须为 JSON 对象"]}


def test_query_parameters_are_checked_in_chinese(client):
    body = _assert_chinese(client.get(NOTICES, {"page": "x"}))
    assert body["errors"] == {"page": ["必须为整数"]}
    body = _assert_chinese(client.get(NOTICES, {"date_from": "2026-13-01"}))
    assert "date_from" in body["errors"]
    body = _assert_chinese(client.get(NOTICES, {"q": "污水\x00"}))
    assert body["errors"] == {"q": ["不能包含空字符（\\u0000）"]}


def test_path_ids_too_large_for_the_database_are_refused(client):
    body = _assert_chinese(client.get(f"{NOTICES}/{10**30}"))
    assert "notice_id" in body["errors"]


def test_page_past_the_end_is_an_empty_page(client):
    response = client.get(NOTICES, {"page": 99999})
    assert response.status_code == 200 and response.json()["items"] == []
    response = client.get("/api/v1/registry/entities", {"page": 99999})
    assert response.status_code == 200 and response.json()["page"] == 1


@pytest.mark.parametrize("page", ["99999", "abc", "-1", "1" * 40])
@pytest.mark.parametrize("url", ["/notices/", "/registry/entities/"])
def test_pages_past_the_end_are_not_errors(client, url, page):
    assert client.get(url, {"page": page}).status_code == 200


@pytest.mark.parametrize(("item", "expected"), [
    ({"type": "int_parsing", "loc": ("query", "page"), "msg": "Input should be a valid integer"},
     {"page": ["必须为整数"]}),
    ({"type": "bool_parsing", "loc": ("body", "payload", "is_qualified"), "msg": "x"},
     {"is_qualified": ["必须为 true 或 false"]}),
    ({"type": "float_parsing", "loc": ("query", "x"), "msg": "x"}, {"x": ["必须为数字"]}),
    ({"type": "datetime_from_date_parsing", "loc": ("body", "payload", "at"), "msg": "x"},
     {"at": ["时间格式应为 ISO 8601，例如 2026-03-02T09:00:00+08:00"]}),
    ({"type": "list_type", "loc": ("body", "payload", "lots"), "msg": "x"}, {"lots": ["必须为数组"]}),
    ({"type": "dict_type", "loc": ("body", "payload", "account"), "msg": "x"}, {"account": ["必须为 JSON 对象"]}),
    ({"type": "model_attributes_type", "loc": ("body", "payload", "lots", 0), "msg": "x"},
     {"lots.0": ["必须为 JSON 对象"]}),
    ({"type": "too_long", "loc": ("body", "payload", "lots"), "msg": "x", "ctx": {"max_length": 50}},
     {"lots": ["最多 50 项"]}),
    ({"type": "greater_than_equal", "loc": ("path", "year"), "msg": "x", "ctx": {"ge": 1900}},
     {"year": ["不能小于 1900"]}),
    ({"type": "less_than_equal", "loc": ("path", "year"), "msg": "x", "ctx": {"le": 2199}},
     {"year": ["不能大于 2199"]}),
    ({"type": "literal_error", "loc": ("path", "purpose"), "msg": "x", "ctx": {"expected": "'a' or 'b'"}},
     {"purpose": ["取值必须是 'a'、'b' 之一"]}),
    ({"type": "url_parsing", "loc": ("body", "payload", "crl_url"), "msg": "x"}, {"crl_url": ["网址格式不正确"]}),
    ({"type": "extra_forbidden", "loc": ("body", "payload", "bogus"), "msg": "x"}, {"bogus": ["不接受此字段"]}),
    ({"type": "value_error", "loc": ("body", "payload", "x"), "msg": "Value error, 金额不能为负数",
      "ctx": {"error": "金额不能为负数"}}, {"x": ["金额不能为负数"]}),
    ({"type": "value_error", "loc": ("body", "payload", "x"), "msg": "Value error, bad", "ctx": {"error": "bad"}},
     {"x": ["取值不正确"]}),
    ({"type": "money", "loc": ("body", "payload", "amount"), "msg": "金额最多保留2位小数"},
     {"amount": ["金额最多保留2位小数"]}),
    ({"type": "something_new", "loc": ("body", "payload", "x"), "msg": "Something English"}, {"x": ["格式不正确"]}),
])
def test_every_pydantic_error_type_reads_in_chinese(item, expected):
    error = validation_error_as_domain([item])
    assert error.errors == expected
    field, messages = next(iter(expected.items()))
    assert error.as_dict()["detail"] == f"{field}: {messages[0]}"


def test_the_message_table_has_no_english():
    for kind, message in MESSAGES.items():
        assert re.search(r"[\u4e00-\u9fff]", message) and not ENGLISH.search(message), kind


def test_django_forms_refuse_nul_characters():
    from django import forms

    field = forms.CharField()
    with pytest.raises(forms.ValidationError):
        field.clean("a\x00b")
