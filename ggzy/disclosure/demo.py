"""Demo notices: about 200 realistic notices across the 16 cities (deterministic, idempotent)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from ggzy.catalog.calendar import office_moment
from ggzy.core import clock
from ggzy.core.money import number_text
from ggzy.registry.models import Center, Region

from .models import Notice, NoticeType
from .services import notice_publish

DEMO_MARK = "【演示数据】"

WORKS = [
    ("{county}第{n}实验小学教学综合楼建设工程施工", "01", (800, 6000)),
    ("{county}{road}道路改造提升工程施工", "01", (1200, 9000)),
    ("{county}人民医院门急诊楼建设项目设计施工总承包", "01", (5000, 42000)),
    ("{county}污水处理厂提标改造工程", "01", (1500, 12000)),
    ("{county}老旧小区改造（{n}期）工程施工", "01", (600, 5000)),
    ("{city}城市更新片区市政配套管网工程监理", "01", (80, 600)),
    ("{county}教育局{year}年教学设备采购项目", "02", (120, 900)),
    ("{city}公安局执法记录仪采购项目", "02", (60, 400)),
    ("{county}卫生健康局医用设备采购项目", "02", (300, 2600)),
    ("{city}政务服务中心物业管理服务采购", "02", (90, 700)),
    ("{county}农业农村局高标准农田建设项目监理服务", "02", (40, 260)),
    ("{city}图书馆智慧化改造采购项目", "02", (150, 1100)),
    ("{county}{road}以东地块国有建设用地使用权挂牌出让", "03", (2000, 30000)),
    ("{county}工业园区{n}号地块国有建设用地使用权出让", "03", (800, 9000)),
    ("{county}建筑用花岗岩矿采矿权出让", "04", (500, 6000)),
    ("{city}某国有控股公司{n}%股权转让", "05", (1000, 20000)),
    ("{city}市属国有企业闲置办公用房租赁权", "05", (20, 200)),
    ("{city}排污权（化学需氧量）有偿使用交易", "06", (10, 120)),
    ("{city}公立医疗机构医用耗材集中带量采购", "07", (500, 8000)),
]
ROADS = ["经十路", "泉城路", "黄河大道", "滨河路", "胜利街", "人民路", "振兴路", "和平路", "新华路", "建设路"]
TYPES_BY_CATEGORY = {
    "01": [NoticeType.TENDER, NoticeType.TENDER, NoticeType.CHANGE, NoticeType.CANDIDATES, NoticeType.RESULT],
    "02": [NoticeType.PROCUREMENT, NoticeType.PROCUREMENT, NoticeType.CHANGE, NoticeType.RESULT, NoticeType.CONTRACT],
    "03": [NoticeType.LISTING, NoticeType.LISTING, NoticeType.DEAL],
    "04": [NoticeType.LISTING, NoticeType.DEAL],
    "05": [NoticeType.LISTING, NoticeType.DEAL],
    "06": [NoticeType.LISTING, NoticeType.DEAL],
    "07": [NoticeType.PROCUREMENT, NoticeType.RESULT],
}
SUFFIX = {
    NoticeType.TENDER: "招标公告", NoticeType.PROCUREMENT: "公开招标公告", NoticeType.CHANGE: "变更公告",
    NoticeType.CANDIDATES: "中标候选人公示", NoticeType.RESULT: "中标（成交）结果公告",
    NoticeType.CONTRACT: "合同公告", NoticeType.LISTING: "公告", NoticeType.DEAL: "成交公示",
}


# The process template each demo category's wording reads its periods from (category, method).
TEMPLATE_OF = {"01": ("01", "open_tender"), "02": ("02", "open_tender"), "05": ("05", "property_listing")}
DEADLINE_KINDS = (NoticeType.TENDER, NoticeType.PROCUREMENT, NoticeType.CHANGE, NoticeType.LISTING)


def _period(category: str, key: str, on_date: dt.date) -> str:
    """“3日” / “7个工作日” from the template in force (the demo's wording takes numbers from data, like real ones)."""
    from django.utils import translation

    from ggzy.catalog.selectors import period_get, template_version_in_force

    code, method = TEMPLATE_OF.get(category, ("01", "open_tender"))
    row = period_get(template_version_in_force(category_code=code, method=method, on_date=on_date), key)
    with translation.override("zh-hans"):
        return f"{number_text(row.value)}{row.get_unit_display()}"


def _body(title: str, kind: str, category: str, city: str, county: str, budget: Decimal,
          deadline: dt.datetime | None, on_date: dt.date) -> str:
    when = deadline.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y年%m月%d日 %H时%M分") \
        if deadline else ""
    if kind in (NoticeType.TENDER, NoticeType.PROCUREMENT):
        return (f"{DEMO_MARK}\n一、项目概况\n{title}已具备招标条件，现对该项目进行公开招标。"
                f"项目地点：{city}{county}。估算金额：{budget:,.2f}元。\n"
                "二、投标人资格要求\n1. 具有独立法人资格，持有有效的营业执照；\n2. 具备相应资质等级；"
                "\n3. 近三年无行贿犯罪记录，未被列入失信被执行人名单。\n"
                "三、招标文件的获取\n请于公告发布之日起登录山东省公共资源交易平台，使用数字证书在线获取招标文件，"
                f"获取期限不少于{_period(category, 'documents_sale_min', on_date)}。\n"
                f"四、投标文件的递交\n投标截止时间（开标时间）：{when}。投标文件须加密后在线递交，逾期送达的不予受理。\n"
                "五、开标方式\n本项目采用不见面开标，投标人在线解密投标文件。\n"
                f"六、联系方式\n招标代理机构：山东正信招标代理有限公司　电话：0531-8690{len(title) % 10}2{len(county)}8")
    if kind == NoticeType.CANDIDATES:
        return (f"{DEMO_MARK}\n{title}评标工作已结束，根据《招标投标法实施条例》第五十四条，现将中标候选人公示如下，"
                f"公示期不少于{_period(category, 'candidates_publicity_min', on_date)}。\n"
                "第一中标候选人：山东鲁建建设集团有限公司\n第二中标候选人：济南城建工程有限公司\n"
                "第三中标候选人：青岛海川建设有限公司\n投标人或者其他利害关系人对评标结果有异议的，应当在公示期间提出。")
    if kind == NoticeType.CHANGE:
        return (f"{DEMO_MARK}\n原公告的投标截止时间变更为{when}，其他内容不变。澄清或者修改的内容可能影响投标文件编制的，"
                f"距投标截止时间不足{_period(category, 'clarification_before_deadline_min', on_date)}的，"
                "截止时间相应顺延。")
    if kind == NoticeType.LISTING:
        return (f"{DEMO_MARK}\n经{city}人民政府批准，现以网上挂牌方式出让下列标的。起始价：{budget:,.2f}元，"
                f"增价幅度：100,000元。挂牌截止时间：{when}。竞买人须在线交纳竞买保证金。")
    if kind == NoticeType.RESULT and category == "02":
        # 政府采购: a result notice with its notice period and the suppliers' challenge period (政府采购法 Art. 52).
        return (f"{DEMO_MARK}\n{title}已确定中标供应商，中标金额：{budget:,.2f}元。公告期限为"
                f"{_period(category, 'candidates_publicity_min', on_date)}。供应商认为中标结果使自己的权益受到损害的，"
                f"可以在知道或者应知其权益受到损害之日起{_period(category, 'challenge_within', on_date)}内，"
                "以书面形式向采购人、采购代理机构提出质疑。")
    if kind == NoticeType.RESULT:
        return f"{DEMO_MARK}\n{title}已确定中标人，中标价：{budget:,.2f}元，现予公告。"
    if kind == NoticeType.DEAL and category == "05":
        return (f"{DEMO_MARK}\n{title}已完成，成交金额：{budget:,.2f}元。公示期不少于"
                f"{_period(category, 'result_publicity_min', on_date)}。")
    return f"{DEMO_MARK}\n{title}已完成，现予公告。成交金额：{budget:,.2f}元。"


def demo_notices_load(*, count: int = 200, stdout=None) -> int:
    """Publish ``count`` demo notices as each city's demo staff (system actor); skips if already loaded."""
    if Notice.objects.filter(body__startswith=DEMO_MARK).exists():
        return 0
    rng = random.Random(20190209)
    centers = list(Center.objects.select_related("region").order_by("code"))
    cities = [c for c in centers if not c.is_provincial]
    now = clock.now()
    made = 0
    with transaction.atomic():
        staff = _system_publisher()
        for i in range(count):
            center = cities[i % len(cities)] if i % 9 else centers[0]
            city_region = center.region if not center.is_provincial else rng.choice(cities).region
            counties = list(Region.objects.filter(parent=city_region)) or [city_region]
            county = rng.choice(counties)
            pattern, category, (lo, hi) = rng.choice(WORKS)
            kind = rng.choice(TYPES_BY_CATEGORY[category])
            base = pattern.format(city=city_region.name, county=county.name, n=rng.randint(1, 9),
                                  road=rng.choice(ROADS), year=now.year)
            title = f"{base}{SUFFIX.get(kind, '公告')}"
            budget = Decimal(rng.randint(lo * 10, hi * 10)) * Decimal("1000")
            # Published on a working day in office hours (never later than now), like a center's staff would.
            at = dt.time(rng.randint(9, 16), rng.randint(0, 59))
            published = office_moment(now - dt.timedelta(days=rng.randint(0, 89)), at)
            if published > now:  # today, later than the present hour
                published = office_moment(now - dt.timedelta(days=1), at)
            # Only a notice that invites bids or offers has a deadline (a working day, 09:30).
            deadline = office_moment(published + dt.timedelta(days=rng.randint(21, 35)), dt.time(9, 30),
                                     forward=True) if kind in DEADLINE_KINDS else None
            notice_publish(actor=staff, center=center, region=county, notice_type=kind, category_code=category,
                           title=title, body=_body(title, kind, category, city_region.name, county.name, budget,
                                                   deadline, published.date()),
                           project_code=f"{county.code}{published.year}{category}{i + 1:06d}", budget=budget,
                           deadline=deadline, published_at=published)
            made += 1
    if stdout:
        stdout.write(f"公告：{made} 条")
    return made


def _system_publisher():
    """Demo notices are published by the provincial demo staff account."""
    from ggzy.accounts.models import User

    return User.objects.get(username="sheng_staff")
