"""Demo referrals: one in each state, on the demo's opened Jinan works lots, handled by the Jinan housing bureau
(the demo supervisor ``jianguan`` is its member); one accepted long ago and overdue, escalated to the province."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from ggzy.core import clock
from ggzy.tendering import selectors_supervision as lots

from . import selectors_referral as sel
from . import services_referral as svc
from .models import Department, PowerItem, Referral

CASES = [
    # (days ago referred, item suffix, title, steps after referral)
    (100, "CF-002", "投标人以他人名义投标（资质证书借用）", ["accept"]),  # overdue: accepted, never finished
    (40, "CF-001", "投标人报价呈等差数列，疑似串通投标", ["accept", "investigate", "decide_penalty"]),
    (35, "CF-001", "两家投标人的项目负责人为同一人", ["accept", "investigate", "decide_none", "close"]),
    (20, "JC-001", "开标现场秩序检查", ["return"]),
    (12, "CF-002", "投标文件业绩证明材料疑似伪造", ["accept", "investigate"]),
    (0, "CF-001", "两家投标人的投标保证金从同一账户转出", []),
]
NOTES = {"accept": "材料齐全，予以受理", "return": "不属于本部门权责清单事项，退回交易中心",
         "investigate": "已调取投标文件、开标记录和保证金流水，约谈相关人员", "close": "案件办结，材料归档"}


def demo_referrals_load(*, notify: Any = None, stdout: Any = None) -> int:
    if Referral.objects.exists():
        return 0
    users = get_user_model().objects
    staff, officer = users.filter(username="jinan_staff").first(), users.filter(username="jianguan").first()
    dept = Department.objects.filter(code="JN-ZJJ").first()
    if staff is None or officer is None or dept is None:
        return 0
    dept.members.add(officer)
    boss = users.filter(username="sheng_jianguan").first()
    if boss is not None:
        Department.objects.get(code="SD-ZJT").members.add(boss)
    opened = [lot_id for lot_id in lots.lots_opened_since(since=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
              if lots.lot_bidder_names(lot_id=lot_id) and any(
                  p.department_id == dept.pk for p in sel.power_items_for_lot(lot_id=lot_id))]
    if not opened:
        return 0
    real_now = clock.now()
    made = 0
    try:
        with transaction.atomic():
            for index, (days, suffix, title, steps) in enumerate(CASES):
                clock.freeze(real_now - dt.timedelta(days=days))
                lot_id = opened[index % len(opened)]
                subjects = sorted(lots.lot_bidder_names(lot_id=lot_id))[:2]
                referral = svc.referral_create(
                    actor=staff, power_item_id=PowerItem.objects.get(code=f"JN-ZJJ-{suffix}").pk, lot_id=lot_id,
                    title=title, facts=f"{title}。交易中心在开标后核查发现，现依权责清单移交。", subject_ids=subjects)
                for step in steps:
                    clock.advance(dt.timedelta(days=2))
                    if step == "decide_penalty":
                        svc.referral_act(actor=officer, referral=referral, action="decide",
                                         note="经调查，认定相关投标人串通投标", outcome="penalty",
                                         decision_no=f"济建罚〔{clock.today().year}〕{index + 11}号",
                                         penalty="处中标项目金额千分之五的罚款", restriction_months=12,
                                         penalised=[s["credit_code"] for s in referral.subjects])
                    elif step == "decide_none":
                        svc.referral_act(actor=officer, referral=referral, action="decide",
                                         note="经调查，两家投标人的项目负责人为同名不同人，不构成违法",
                                         outcome="no_violation", decision_no=f"济建不罚〔{clock.today().year}〕3号")
                    else:
                        svc.referral_act(actor=officer, referral=referral, action=step, note=NOTES[step])
                made += 1
    finally:
        clock.unfreeze()
    escalated = svc.referrals_escalate_overdue(notify=notify)
    if stdout is not None:
        stdout.write(f"移交案件：{made} 件（逾期督办 {escalated} 件）")
    return made
