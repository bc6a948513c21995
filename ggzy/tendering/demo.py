"""Demo tendering data: one lot open for bids now, one finished and archived, one failed, one awaiting acceptance.

The finished and failed lots are played through the same services as real ones, with the platform clock set back
to their dates while the loader runs (the clock is returned to real time at the end). Idempotent.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.core import clock
from ggzy.registry.models import Center, MarketEntity, Region
from ggzy.registry.services import entity_account_link

from . import services
from .models import Project
from .procedures import lot_fresh
from .services import bidding, evaluation, opening, result

MARK = "（演示）"


def _users(*names):
    return [User.objects.get(username=n) for n in names]


def _publish(owner, staff, title, *, days_to_deadline=21, price="12800000", method="works_open_tender",
             region="370112"):
    project = services.project_register(
        actor=owner, center=Center.objects.get(code="370100"), region=Region.objects.get(code=region),
        title=title + MARK, method=method, estimated_price=price,
        lots=[{"name": "施工一标段", "estimated_price": price, "qualification_required": "建筑工程施工总承包"}],
        description="详见招标公告。")
    services.project_accept(actor=staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=owner, lot=lot, name="招标文件.pdf", content=f"%PDF 招标文件 {title}".encode())
    now = clock.now()
    services.lot_schedule(actor=owner, lot=lot, bond_amount="50000",
                          notice_text=f"{title}已具备招标条件，现公开招标。投标人须具备建筑工程施工总承包二级及以上资质，"
                                      "投标文件须加密后在线递交。",
                          documents_sale_end=now + dt.timedelta(days=6),
                          bid_deadline=timezone.localtime(now + dt.timedelta(days=days_to_deadline)).replace(
                              hour=9, minute=30, second=0, microsecond=0))
    services.lot_publish(actor=staff, lot=lot)
    return lot


def _bid(user, lot, price):
    services.signup_create(actor=user, lot=lot)
    entity = MarketEntity.objects.get(accounts__user=user)
    services.bond_record(actor=user, lot=lot, amount="50000",
                         account_number=entity.bank_accounts.first().account_number)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 365, "quality": "合格"},
                       files=[bidding.IncomingFile("投标文件.pdf", [f"%PDF 投标文件 {user.username}".encode()])],
                       fingerprint={"mac": f"52:54:00:{user.pk:02x}:00:01", "public_ip": "10.8.0.1"})


def demo_tendering_load(stdout=None) -> int:
    if Project.objects.filter(title__endswith=MARK).exists():
        return 0
    with transaction.atomic():
        return _load(stdout)


def _load(stdout) -> int:
    for username, entity_name in _extra_links().items():
        user = User.objects.filter(username=username).first()
        entity = MarketEntity.objects.filter(name=entity_name).first()
        if user and entity:
            entity_account_link(actor=None, entity=entity, user=user)
    owner, staff = _users("zhaobiao", "jinan_staff")
    bidders = _users("toubiao", "toubiao2", "toubiao3", "toubiao4")
    experts = _users("zhuanjia", "zhuanjia2", "zhuanjia3", "zhuanjia4", "zhuanjia5")
    real_now = clock.now()
    try:
        # A finished tender, 70 days ago → archived.
        clock.freeze(real_now - dt.timedelta(days=70))
        lot = _publish(owner, staff, "历城区第二实验小学教学楼建设工程")
        for user, price in zip(bidders[:3], ["12450000.00", "12180000.00", "12620000.00"], strict=True):
            _bid(user, lot, price)
        clock.freeze(lot_fresh(lot).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=staff, lot=lot)
        opening.opening_decrypt_all(actor=staff, lot=lot)
        opening.opening_record_publish(actor=staff, lot=lot)
        opening.opening_close(actor=staff, lot=lot)
        evaluation.committee_appoint(actor=staff, lot=lot, members=[(e, "expert_technical") for e in experts[:4]]
                                     + [(experts[4], "expert_economic")], chair=experts[0])
        for expert, bump in zip(experts, [0, 1, 2, 1, 0], strict=True):
            for bid in lot.bids.filter(state="opened"):
                evaluation.score_submit(actor=expert, bid=bid, technical=40 + bump + bid.pk % 3, commercial=20)
        evaluation.report_generate(actor=experts[0], lot=lot)
        for expert in experts:
            evaluation.report_sign(actor=expert, lot=lot)
        clock.advance(dt.timedelta(days=1))
        result.candidates_publish(actor=owner, lot=lot)
        clock.advance(dt.timedelta(days=4))
        award = result.award_issue(actor=owner, lot=lot)
        clock.advance(dt.timedelta(days=10))
        result.contract_record(actor=owner, lot=lot, amount=award.amount, signed_on=clock.today(),
                               content=b"%PDF contract")
        result.archive_build(actor=staff, lot=lot)
        # A failed tender, 40 days ago: only two bids.
        clock.freeze(real_now - dt.timedelta(days=40))
        failed = _publish(owner, staff, "章丘区供水管网改造工程", price="3600000", region="370114")
        _bid(bidders[0], failed, "3520000.00")
        _bid(bidders[1], failed, "3490000.00")
        clock.freeze(lot_fresh(failed).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=None, lot=failed)
    finally:
        clock.unfreeze()
    # Open now: bidders can sign up and bid.
    open_lot = _publish(owner, staff, "济阳区黄河生态廊道绿化提升工程", price="8600000", region="370115")
    _bid(bidders[0], open_lot, "8420000.00")
    # Awaiting the center's acceptance.
    services.project_register(actor=owner, center=Center.objects.get(code="370100"),
                              region=Region.objects.get(code="370102"), title="历下区老旧小区改造三期工程" + MARK,
                              method="works_open_tender", estimated_price="5200000",
                              lots=[{"name": "施工标段", "estimated_price": "5200000"}])
    if stdout is not None:
        stdout.write(f"招标项目：4 个（已归档 1、流标 1、招标中 1、待受理 1），开放报名标段 {open_lot.code}\n")
    return 4


def _extra_links() -> dict[str, str]:
    from ggzy.demo.logins import EXTRA_BIDDER_LINKS

    return EXTRA_BIDDER_LINKS
