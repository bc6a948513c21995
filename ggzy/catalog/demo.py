"""Demo records beyond the migration seed: consultations for the items joined by catalog decision, and two city
extensions with their consultations (济南 排污权, 青岛 碳排放权). Safe to run twice."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from ggzy.registry.models import Center

from . import services
from .models import CatalogItem, CityCatalogExtension, Consultation
from .selectors import catalog_version_in_force

SH = ZoneInfo("Asia/Shanghai")

PROVINCIAL_CONSULTATIONS = [
    ("07", "关于将药品和医用耗材采购纳入全省公共资源交易目录的公开征求意见",
     dt.date(2019, 10, 8), dt.date(2019, 11, 7),
     "共收到意见12条，主要涉及集中带量采购与省级平台的衔接、医疗机构网上议价。",
     "采纳9条；药品和医用耗材采购纳入目录，由省级平台统一组织。"),
    ("63", "关于将用能权、用水权交易纳入全省公共资源交易目录的公开征求意见",
     dt.date(2019, 10, 8), dt.date(2019, 11, 7),
     "共收到意见7条，主要涉及交易规则由主管部门制定、交易数据向省平台汇聚。",
     "采纳5条；用能权、用水权纳入目录。"),
    ("81", "关于将林权、农村集体产权交易纳入全省公共资源交易目录的公开征求意见",
     dt.date(2019, 10, 8), dt.date(2019, 11, 7),
     "共收到意见9条，主要涉及县级交易场所的保留和线上交易的推行。",
     "采纳6条；林权、农村集体产权交易纳入目录，县级场所作为服务站点。"),
    ("92", "关于将国有企业采购、无形资产交易纳入全省公共资源交易目录的公开征求意见",
     dt.date(2019, 10, 8), dt.date(2019, 11, 7),
     "共收到意见15条，主要涉及国有企业自主采购的边界和限额。",
     "采纳10条；国有企业采购、无形资产交易纳入目录。"),
]

# (center code, code, name, parent, effective_from, consultation title, from, to, opinions, result)
CITY_EXTENSIONS = [
    ("370100", "61", "排污权", "06", dt.date(2021, 7, 1),
     "关于将排污权交易纳入济南市公共资源交易目录的公开征求意见", dt.date(2021, 4, 1), dt.date(2021, 4, 30),
     "共收到意见6条，主要涉及排污权有偿使用费的收取和二级市场交易规则。",
     "采纳4条；自2021年7月1日起排污权交易进入济南市公共资源交易平台。"),
    ("370200", "62", "碳排放权", "06", dt.date(2022, 1, 1),
     "关于将碳排放权交易纳入青岛市公共资源交易目录的公开征求意见", dt.date(2021, 9, 1), dt.date(2021, 9, 30),
     "共收到意见8条，主要涉及与全国碳市场的衔接和自愿减排量交易。",
     "采纳5条；自2022年1月1日起碳排放权（地方自愿减排）交易进入青岛市公共资源交易平台。"),
]


def _published(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day + dt.timedelta(days=14), dt.time(10, 0), tzinfo=SH)


def demo_catalog_load(stdout=None) -> None:
    """Load the catalog demo records (idempotent). ``stdout`` receives one line of progress."""
    version = catalog_version_in_force(dt.date(2020, 1, 1))
    with transaction.atomic():
        for code, title, start, end, opinions, result in PROVINCIAL_CONSULTATIONS:
            item = CatalogItem.objects.filter(version=version, code=code).first()
            if item is None or Consultation.objects.filter(item=item, title=title).exists():
                continue
            services.consultation_save(actor=None, consultation=Consultation(
                item=item, title=title, period_from=start, period_to=end, opinions_summary=opinions,
                result=result, published_at=_published(end)))
        for (center_code, code, name, parent, effective, title, start, end, opinions,
             result) in CITY_EXTENSIONS:
            center = Center.objects.get(code=center_code)
            extension = CityCatalogExtension.objects.filter(center=center, code=code).first()
            if extension is None:
                extension = services.city_catalog_extension_save(actor=None, extension=CityCatalogExtension(
                    center=center, code=code, name=name, parent_code=parent, effective_from=effective,
                    legal_basis=f"{center.region.name}人民政府公共资源交易目录决定（经公开征求意见）"))
            if not Consultation.objects.filter(extension=extension, title=title).exists():
                services.consultation_save(actor=None, consultation=Consultation(
                    extension=extension, title=title, period_from=start, period_to=end,
                    opinions_summary=opinions, result=result, published_at=_published(end)))
    if stdout is not None:
        stdout.write("交易目录演示数据已加载（征求意见记录、济南排污权、青岛碳排放权）\n")
