"""The agent's errors: one code per situation the page and the user must tell apart (see docs/agent.md)."""

from __future__ import annotations

from typing import Any

STATUS = {
    "not_paired": 403,
    "declined": 403,
    "timeout": 408,
    "token_absent": 409,
    "wrong_pin": 401,
    "pin_locked": 423,
    "no_such_certificate": 404,
    "unsupported": 400,
    "bad_request": 400,
    "busy": 409,
    "certificate_expired": 409,
    "key_mismatch": 409,
    "internal": 500,
}


class AgentError(Exception):
    """An error answered to the page as ``{"error": code, "message": 中文, **extra}``."""

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.extra}


def wrong_pin(tries_left: int | None) -> AgentError:
    if tries_left is None:
        text = "证书口令错误"
    elif tries_left <= 0:
        text = "证书口令错误，错误次数已达上限，证书口令已锁定"
    else:
        text = f"证书口令错误，还可尝试 {tries_left} 次"
    return AgentError("wrong_pin", text, tries_left=tries_left)


def pin_locked() -> AgentError:
    return AgentError("pin_locked", "证书口令已锁定（错误次数过多），请联系证书颁发机构解锁")


def token_absent(label: str = "") -> AgentError:
    return AgentError(
        "token_absent", f"未检测到证书介质{('（' + label + '）') if label else ''}，请插入USB Key后重试"
    )
