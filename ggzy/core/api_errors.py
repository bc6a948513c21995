"""How the REST API refuses: one error shape, in Chinese, naming the field — the framework's refusals included.

- ``ErrorOut`` is the shape of every error answer: ``{"detail": "field: message", "errors": {field: [messages]}}``.
- ``answers(OkSchema, 400, 404, ...)`` builds an operation's ``response=`` so its OpenAPI entry lists the error
  statuses it really returns.
- ``StrictJSONParser`` reads request bodies: malformed JSON, NaN/Infinity and NUL characters are refused with a
  Chinese message, and JSON numbers with a fraction become ``Decimal`` so an amount keeps its exact text.
- ``validation_error_as_domain`` turns pydantic's (English) validation errors into a ``DomainError`` (400).
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any

from django.db import models
from ninja import Schema
from ninja.parser import Parser
from pydantic import Field

from .errors import DomainError
from .jsontext import NonFiniteNumber, strict_json_loads

MAX_ID = 2**63 - 1  # BigAutoField; a larger id would overflow the database driver instead of finding nothing
ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]


class ErrorOut(Schema):
    """Every refusal: ``detail`` is the first message prefixed with its field; ``errors`` lists them all."""

    detail: str
    errors: dict[str, list[str]]


# The error statuses most operations share: a step of a procedure (bad input, signed out, wrong role, an object the
# caller may not see, a state that forbids it) and a signed-in read.
ACTION = (400, 401, 403, 404, 409)
LOOKUP = (400, 401, 403, 404)


def answers(ok: Any, *errors: int, status: int = 200) -> dict[int, Any]:
    """``response=`` of an operation: its success schema and the error statuses it can answer with."""
    return {status: ok, **dict.fromkeys(sorted(errors), ErrorOut)}


TEXT_MAX = 100_000  # a TextField has no column limit; no notice, objection or answer is longer than this


def column_limit(model: type[models.Model], field: str) -> int:
    """The database column's ``max_length``, so an API schema refuses what the table could not store."""
    limit = getattr(model._meta.get_field(field), "max_length", None)
    if limit is None:
        raise ValueError(f"{model.__name__}.{field} has no max_length")
    return int(limit)


# --- request bodies --------------------------------------------------------------------------------------------
class InputRejected(DomainError):
    """The request itself is malformed (parser or schema refusal, 400); ``detail`` reads ``field: message``."""

    def as_dict(self) -> dict:
        return {"detail": detail_of(self), "errors": self.errors}


_JSON_REASONS = {
    "Expecting value": "此处应为一个值",
    "Expecting property name enclosed in double quotes": "属性名须用双引号括起",
    "Expecting ':' delimiter": "此处应为冒号",
    "Expecting ',' delimiter": "此处应为逗号",
    "Extra data": "JSON 之后还有多余内容",
    "Unterminated string starting at": "字符串未结束",
    "Invalid control character at": "字符串中有未转义的控制字符",
    "Invalid \\escape": "转义序列不正确",
    "Invalid \\uXXXX escape": "\\u 转义序列不正确",
}


def _json_reason(exc: json.JSONDecodeError) -> str:
    reason = _JSON_REASONS.get(exc.msg, "格式不正确")
    return f"第 {exc.lineno} 行第 {exc.colno} 列{reason}"


def nul_field(data: Any, path: tuple[str, ...] = ()) -> str | None:
    """The dotted path of the first string (value or key) in ``data`` that contains a NUL character."""
    if isinstance(data, str):
        return (".".join(path) or "__all__") if "\x00" in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            if "\x00" in str(key):
                return ".".join(path) or "__all__"
            found = nul_field(value, (*path, str(key)))
            if found:
                return found
    if isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found = nul_field(value, (*path, str(index)))
            if found:
                return found
    return None


NUL_MESSAGE = "不能包含空字符（\\u0000）"


class StrictJSONParser(Parser):
    """JSON bodies as the platform accepts them; query strings and form fields are checked for NUL as well."""

    def parse_body(self, request):
        try:
            data = strict_json_loads(request.body)
        except NonFiniteNumber as exc:
            raise InputRejected(f"请求体不是有效的 JSON：不接受 {exc.name}，数字必须是有限值") from None
        except json.JSONDecodeError as exc:
            raise InputRejected(f"请求体不是有效的 JSON：{_json_reason(exc)}") from None
        except (UnicodeDecodeError, RecursionError):
            raise InputRejected("请求体不是有效的 JSON：须为 UTF-8 编码、嵌套层数有限的 JSON") from None
        if not isinstance(data, dict):
            # every operation's body is one object (a *In schema); a bare list or string would be read field by field
            raise InputRejected("请求体必须为 JSON 对象")
        field = nul_field(data)
        if field:
            raise InputRejected(NUL_MESSAGE, field=field)
        return data

    def parse_querydict(self, data, list_fields, request):
        for key, values in data.lists():
            if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
                raise InputRejected(NUL_MESSAGE, field=key.replace("\x00", "") or "__all__")
        return super().parse_querydict(data, list_fields, request)


# --- pydantic's validation errors ------------------------------------------------------------------------------
_NUMBER = "必须为数字"
_INTEGER = "必须为整数"
_DATE = "日期格式应为 YYYY-MM-DD"
_DATETIME = "时间格式应为 ISO 8601，例如 2026-03-02T09:00:00+08:00"
_OBJECT = "必须为 JSON 对象"
_LIST = "必须为数组"
_URL = "网址格式不正确"

MESSAGES: dict[str, str] = {
    "missing": "此项为必填项",
    "string_type": "必须为文本",
    "string_sub_type": "必须为文本",
    "string_unicode": "必须为有效的 UTF-8 文本",
    "string_too_short": "至少需要 {min_length} 个字符",
    "string_too_long": "不能超过 {max_length} 个字符",
    "string_pattern_mismatch": "格式不正确",
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": "必须为整数，不能带小数",
    "int_parsing_size": "整数超出范围",
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "finite_number": "必须为有限数字",
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "decimal_max_digits": "数字不能超过 {max_digits} 位",
    "decimal_max_places": "小数不能超过 {decimal_places} 位",
    "decimal_whole_digits": "整数部分不能超过 {whole_digits} 位",
    "bool_type": "必须为 true 或 false",
    "bool_parsing": "必须为 true 或 false",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": "应为日期，不能带时间",
    "date_past": "必须是过去的日期",
    "date_future": "必须是将来的日期",
    "datetime_type": _DATETIME,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_object_invalid": _DATETIME,
    "timezone_aware": "时间必须带时区",
    "timezone_naive": "时间不能带时区",
    "time_type": "时间格式应为 HH:MM[:SS]",
    "time_parsing": "时间格式应为 HH:MM[:SS]",
    "time_delta_type": "时长格式不正确",
    "time_delta_parsing": "时长格式不正确",
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "frozen_set_type": _LIST,
    "iterable_type": _LIST,
    "dict_type": _OBJECT,
    "mapping_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "too_short": "至少需要 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "greater_than": "必须大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "必须小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "必须是 {multiple_of} 的整数倍",
    "enum": "取值必须是 {expected} 之一",
    "literal_error": "取值必须是 {expected} 之一",
    "url_type": _URL,
    "url_parsing": _URL,
    "url_syntax_violation": _URL,
    "url_too_long": "网址过长",
    "url_scheme": "网址协议不正确",
    "uuid_type": "UUID 格式不正确",
    "uuid_parsing": "UUID 格式不正确",
    "uuid_version": "UUID 版本不正确",
    "extra_forbidden": "不接受此字段",
    "json_invalid": "JSON 格式不正确",
    "json_type": "必须为 JSON 文本",
    "bytes_type": "必须为文本",
    "bytes_too_short": "内容过短",
    "bytes_too_long": "内容过长",
    "none_required": "必须为空",
    "is_instance_of": "类型不正确",
    "union_tag_invalid": "类型不正确",
    "union_tag_not_found": "缺少类型标记",
    "value_error": "取值不正确",
    "assertion_error": "取值不正确",
}
FALLBACK = "格式不正确"
_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _zh_message(item: dict) -> str:
    kind = item.get("type", "")
    ctx = dict(item.get("ctx") or {})
    original = str(item.get("msg", ""))
    if kind in ("value_error", "assertion_error"):
        said = str(ctx.get("error", original))
        return said if _CJK.search(said) else MESSAGES[kind]
    if kind not in MESSAGES:
        # Our own validators (PydanticCustomError) already speak Chinese; anything else gets the fallback.
        return original if _CJK.search(original) else FALLBACK
    if "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace(" or ", "、").replace(", ", "、")
    try:
        return MESSAGES[kind].format(**ctx)
    except (KeyError, IndexError, ValueError):
        return MESSAGES[kind].split("{")[0].rstrip() or FALLBACK


def _field(loc: list | tuple) -> str:
    """``("body", "payload", "lots", 0, "name")`` → ``lots.0.name``; ``("query", "page")`` → ``page``."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and parts:
        parts.pop(0)  # the operation's body parameter (``payload``)
    return ".".join(str(p) for p in parts) or "__all__"


def validation_error_as_domain(errors: list[dict]) -> InputRejected:
    """pydantic/ninja validation errors as one DomainError (400), every message in Chinese with its field."""
    collected: dict[str, list[str]] = {}
    for item in errors:
        field = _field(item.get("loc", ()))
        whole_body_missing = field == "__all__" and item.get("type") == "missing"
        message = "缺少请求体" if whole_body_missing else _zh_message(item)
        messages = collected.setdefault(field, [])
        if message not in messages:
            messages.append(message)
    return InputRejected(errors=collected or {"__all__": ["请求格式不正确"]})


def detail_of(error: DomainError) -> str:
    """``field: message`` for a field's error, the bare message for ``__all__``."""
    for field, messages in error.errors.items():
        if messages:
            return messages[0] if field == "__all__" else f"{field}: {messages[0]}"
    return error.message
