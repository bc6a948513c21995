"""Demo data for the government-procurement methods (issue 16): an inquiry open for quotations, a competitive
negotiation in its first round (records and a written change), a competitive consultation waiting for its final
quotations, a single-source procurement in its publicity and a
project whose procurement intention (采购意向公开) is public —
so ``make demo`` shows each method's own pages (wired in from ``demo._load``)."""

from __future__ import annotations

import datetime as dt

from ggzy.catalog.calendar import office_moment
from ggzy.core import clock
from ggzy.registry.models import Center, MarketEntity, Region

from . import demo_committee, services
from .procedures import lot_fresh
from .services import intention, negotiation, opening, single_source

MARK = "（演示）"


def _open_to_panel(lot, *, staff, experts) -> None:
    """Past the deadline: open and decrypt the responses, publish the record, seat the panel, close the opening."""
    clock.freeze(lot_fresh(lot).bid_deadline + dt.timedelta(minutes=1))
    opening.lot_open(actor=None, lot=lot)
    opening.opening_decrypt_all(actor=None, lot=lot)
    clock.advance(dt.timedelta(minutes=10))
    opening.opening_record_publish(actor=staff, lot=lot)
    demo_committee.committee_direct(staff, lot, experts)
    opening.opening_close(actor=staff, lot=lot)
    clock.advance(dt.timedelta(minutes=30))


def gp_methods_load(*, owner, staff, bidders, experts, real_now, publish, bid) -> list[str]:
    """``publish`` and ``bid`` are demo.py's helpers (project → published lot; sign-up, bond and sealed bid)."""
    loaded = []
    try:
        # 询价: published, one supplier's one-time quotation in (it can be neither changed nor withdrawn).
        clock.freeze(office_moment(real_now - dt.timedelta(days=2), dt.time(9, 30)))  # in office hours
        inquiry = publish(owner, staff, "历城区教育局办公设备询价采购", price="2600000", method="gp_inquiry",
                          days_to_deadline=10)
        bid(bidders[0], inquiry, "2545000.00", staff=staff)
        loaded.append(f"询价 {lot_fresh(inquiry).code}（报价中）")
        # 竞争性谈判: three responses opened four days ago; the panel negotiated a round and notified a change.
        clock.freeze(office_moment(real_now - dt.timedelta(days=26), dt.time(9, 0)))
        lot = publish(owner, staff, "市政务服务中心智能导办系统竞争性谈判采购", price="2800000", method="gp_negotiation")
        for user, price in zip(bidders[:3], ["2748000.00", "2712000.00", "2765000.00"], strict=True):
            bid(user, lot, price, staff=staff)
        _open_to_panel(lot, staff=staff, experts=experts)
        negotiation.negotiation_round_open(actor=experts[0], lot=lot)
        for response, minutes in zip(negotiation.suppliers_in_negotiation(lot), [
                "就系统部署周期和驻场服务人数进行谈判，供应商承诺60日内部署完成。",
                "就接口改造范围进行谈判，供应商确认包含与政务服务网的对接。",
                "就质保期进行谈判，供应商同意质保期延长至三年。"], strict=True):
            clock.advance(dt.timedelta(minutes=25))
            negotiation.negotiation_record(actor=experts[1], lot=lot, bid_id=response.pk, minutes=minutes)
        negotiation.requirement_change_issue(actor=experts[0], lot=lot,
                                             text="经谈判小组确认：质保期由两年调整为三年，其他要求不变。")
        loaded.append(f"竞争性谈判 {lot_fresh(lot).code}（第1轮谈判）")
        # 竞争性磋商: services scored comprehensively (price weight 20%, in the 10–30% range); three responses
        # opened, one consultation round, the final quotations called with their deadline two days ahead.
        clock.freeze(office_moment(real_now - dt.timedelta(days=24), dt.time(9, 0)))
        lot = publish(owner, staff, "市大数据局政务云安全运维服务竞争性磋商采购", price="2680000",
                      method="gp_consultation", lot_terms={"procurement_object": "services", "price_weight": "20"})
        for user, price in zip(bidders[:3], ["2628000.00", "2590000.00", "2645000.00"], strict=True):
            bid(user, lot, price, staff=staff)
        _open_to_panel(lot, staff=staff, experts=experts)
        negotiation.negotiation_round_open(actor=experts[0], lot=lot)
        for response in negotiation.suppliers_in_negotiation(lot):
            clock.advance(dt.timedelta(minutes=20))
            negotiation.negotiation_record(actor=experts[1], lot=lot, bid_id=response.pk,
                                           minutes="就安全运维驻场人数、应急响应时限和漏洞处置流程进行磋商。")
        negotiation.requirement_change_issue(actor=experts[0], lot=lot,
                                             text="经磋商小组确认：重大安全事件到场响应时限由4小时调整为2小时。")
        clock.advance(dt.timedelta(minutes=30))
        negotiation.final_quotation_call(actor=experts[0], lot=lot,
                                         deadline=office_moment(real_now + dt.timedelta(days=2), dt.time(10, 0)))
        loaded.append(f"竞争性磋商 {lot_fresh(lot).code}（最后报价中）")
    finally:
        clock.unfreeze()
    # 单一来源: in its publicity now (the template's 5 working days), one objection recorded; published the
    # previous working day at 09:00 so that its dates fall in office hours and its publicity still runs.
    clock.freeze(office_moment(real_now - dt.timedelta(days=1), dt.time(9, 0)))
    try:
        project = services.project_register(
            actor=owner, center=Center.objects.get(code="370100"), region=Region.objects.get(code="370112"),
            title="市人民医院质谱仪原厂维保服务" + MARK, method="gp_single_source", estimated_price="880000",
            lots=[{"name": "原厂维保服务", "estimated_price": "880000"}])
        services.project_accept(actor=staff, project=project)
        source = project.lots.get()
        supplier = MarketEntity.objects.get(accounts__user=bidders[3])
        single_source.single_source_publicize(actor=owner, lot=source, supplier_code=supplier.credit_code,
                                              reasons="该质谱仪核心部件及控制软件为原厂专有，维保只能由原厂提供。")
        single_source.single_source_objection_raise(actor=bidders[1], lot=source, text="本公司具备同类设备维保能力。")
    finally:
        clock.unfreeze()
    loaded.append(f"单一来源 {source.code}（公示中）")
    # 采购意向公开: a GP project whose intention is public now; its procurement notice must wait the template's
    # 30 days (待核实), so the lot stays a draft.
    clock.freeze(office_moment(real_now - dt.timedelta(days=1), dt.time(10, 0)))
    try:
        planned = project_intention_demo(owner=owner, staff=staff, planned_from=real_now)
    finally:
        clock.unfreeze()
    loaded.append(f"采购意向 {planned.project.code}（意向公开中）")
    return loaded


def project_intention_demo(*, owner, staff, planned_from: dt.datetime):
    project = services.project_register(
        actor=owner, center=Center.objects.get(code="370100"), region=Region.objects.get(code="370112"),
        title="市第一中学学生课桌椅采购" + MARK, method="gp_open_tender", estimated_price="960000",
        lots=[{"name": "课桌椅", "estimated_price": "960000"}])
    services.project_accept(actor=staff, project=project)
    return intention.intention_publish(
        actor=owner, project=project, planned_on=(planned_from + dt.timedelta(days=45)).date(),
        requirements="学生课桌椅2000套，符合GB/T 3976-2014《学校课桌椅功能尺寸及技术要求》，含送货安装及三年质保。")
