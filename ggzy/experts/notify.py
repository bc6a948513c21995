"""Notifying drawn experts (calls or SMS) through one interface; the demo's sender writes to the log.

Settings ``GGZY_EXPERT_NOTIFIER`` names the sender class (dotted path); the default is ``ConsoleSender``. A sender
receives the expert's own name (names reach the expert at notification) and the phone, and must never write an
ID number; the console sender masks the phone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("ggzy.experts.notify")


@dataclass(frozen=True)
class Invitation:
    expert_name: str
    phone: str
    subject_code: str
    subject_title: str
    scheduled_at: str
    answer_deadline: str
    page_path: str


class NotificationSender(Protocol):
    def send(self, invitation: Invitation) -> None: ...


def _mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class ConsoleSender:
    """The demo's sender: one log line per invitation, phone masked, no ID number."""

    sent: list[Invitation] = []  # the last invitations (tests read them)

    def send(self, invitation: Invitation) -> None:
        ConsoleSender.sent.append(invitation)
        del ConsoleSender.sent[:-100]
        logger.info(
            "专家抽取通知 → %s（%s）：标段 %s %s，评标时间 %s，请于 %s 前在 %s 确认或拒绝",
            invitation.expert_name,
            _mask_phone(invitation.phone),
            invitation.subject_code,
            invitation.subject_title,
            invitation.scheduled_at,
            invitation.answer_deadline,
            invitation.page_path,
        )


def sender() -> NotificationSender:
    path = getattr(settings, "GGZY_EXPERT_NOTIFIER", "ggzy.experts.notify.ConsoleSender")
    return import_string(path)()
