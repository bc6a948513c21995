"""Demo market entities: ~50 fictional firms and institutions across Shandong's 16 cities (idempotent).

Names look like real Shandong firms but are made up; credit codes and ID numbers carry correct check
characters; some qualifications expire soon and one has expired, so tendering's qualification check shows.
Call ``demo_entities_load()`` after the demo users exist: it links 'zhaobiao', 'daili' and 'toubiao'.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from ggzy.accounts.models import User
from ggzy.core import clock
from ggzy.core.errors import DomainError

from . import services
from .credit_code import ALPHABET, credit_code_make, organisation_code_make
from .models import MarketEntity, Region
from .personal_id import id_number_make

# (name, kind, county code, legal representative)
ENTITIES: list[tuple[str, str, str, str]] = [
    ("山东鲁建建设集团有限公司", "build", "370102", "孙广德"),
    ("济南城投明湖建设发展有限公司", "owner", "370103", "高建华"),
    ("山东正信工程招标代理有限公司", "agency", "370112", "周文静"),
    ("济南泉润市政工程有限公司", "road", "370105", "刘长青"),
    ("山东华岳建筑设计研究院有限公司", "design", "370102", "马立新"),
    ("济南章丘泰和建筑安装有限公司", "build", "370114", "吕振国"),
    ("山东齐鲁恒远医疗器械有限公司", "medical", "370104", "韩雪梅"),
    ("济南历城区水务发展服务中心", "institution", "370112", "王志强"),
    ("青岛琴海建工集团有限公司", "build", "370211", "于海涛"),
    ("青岛蓝湾路桥工程有限公司", "road", "370213", "姜宏伟"),
    ("青岛海纳工程咨询有限公司", "agency", "370202", "曲晓燕"),
    ("青岛崂峰信息技术有限公司", "software", "370212", "林浩"),
    ("淄博齐都建设工程有限公司", "build", "370303", "毕建军"),
    ("淄博鲁中环保科技有限公司", "supplier", "370302", "翟玉兰"),
    ("淄博博山陶琉工程监理有限公司", "supervision", "370304", "孟繁荣"),
    ("枣庄运河建筑工程有限公司", "build", "370402", "褚明亮"),
    ("枣庄薛城鑫诚招标咨询有限公司", "agency", "370403", "颜丽"),
    ("东营河口黄河三角洲建设有限公司", "build", "370503", "盖立民"),
    ("东营胜宏石化工程设计有限公司", "design", "370502", "崔永刚"),
    ("烟台芝罘海岸建设集团有限公司", "build", "370602", "衣德胜"),
    ("烟台福山宏远路桥工程有限公司", "road", "370611", "隋国栋"),
    ("烟台仙境项目管理有限公司", "agency", "370612", "初晓红"),
    ("烟台港城医疗设备有限公司", "medical", "370602", "鞠敏"),
    ("潍坊鸢都建设集团有限公司", "build", "370702", "臧德福"),
    ("潍坊寒亭渤海水利工程有限公司", "water", "370703", "谭振华"),
    ("潍坊坊子东方建筑设计院有限公司", "design", "370704", "郎燕"),
    ("潍坊滨海办公设备有限公司", "supplier", "370702", "冯晓东"),
    ("济宁任城孔孟建设工程有限公司", "build", "370811", "孔祥瑞"),
    ("济宁兖州鲁南工程监理有限公司", "supervision", "370812", "颜廷海"),
    ("济宁微山湖水利水电工程有限公司", "water", "370826", "殷长河"),
    ("泰安岱宗建设集团有限公司", "build", "370902", "岳振山"),
    ("泰安岱岳华信招标代理有限公司", "agency", "370911", "苗丽娟"),
    ("泰安宁阳泰山信息科技有限公司", "software", "370921", "侯亮"),
    ("威海环翠海韵建筑工程有限公司", "build", "371002", "丛培利"),
    ("威海文登远洋市政工程有限公司", "road", "371003", "毕可新"),
    ("威海荣成成山医疗器械有限公司", "medical", "371082", "慕晓梅"),
    ("日照东港阳光建设有限公司", "build", "371102", "厉建成"),
    ("日照岚山港湾工程咨询有限公司", "agency", "371103", "秦玉华"),
    ("临沂兰山沂蒙建设集团有限公司", "build", "371302", "庄乃军"),
    ("临沂罗庄鲁南路桥有限公司", "road", "371311", "葛成林"),
    ("临沂河东商城办公用品有限公司", "supplier", "371312", "诸葛晓丽"),
    ("临沂兰山区城市建设综合服务中心", "institution", "371302", "王宪法"),
    ("德州德城九达建筑工程有限公司", "build", "371402", "田志刚"),
    ("德州陵城太阳能环保科技有限公司", "supplier", "371403", "齐红霞"),
    ("聊城东昌府水城建设有限公司", "build", "371502", "任宏斌"),
    ("聊城茌平鲁西工程监理有限公司", "supervision", "371503", "贾玉芬"),
    ("滨州滨城黄河建设工程有限公司", "build", "371602", "杜德海"),
    ("滨州沾化渤海招标代理有限公司", "agency", "371603", "薄晓燕"),
    ("菏泽牡丹城建集团有限公司", "build", "371702", "曹广运"),
    ("菏泽定陶华夏建筑设计研究院有限公司", "design", "371703", "何立群"),
    ("菏泽曹县鲁西南医疗器械有限公司", "medical", "371721", "范明"),
]

# Which demo login acts for which entity (ggzy.demo.logins.DEMO_USERS).
DEMO_LINKS = {"toubiao": "山东鲁建建设集团有限公司", "zhaobiao": "济南城投明湖建设发展有限公司",
              "daili": "山东正信工程招标代理有限公司"}

# kind → (qualifications as (type, level, issuer or None=city bureau), key-person roles)
KINDS: dict[str, tuple[list[tuple[str, str, str | None]], list[str]]] = {
    "build": ([("建筑工程施工总承包", "一级", "住房和城乡建设部"), ("市政公用工程施工总承包", "二级", "山东省住房和城乡建设厅"),
               ("安全生产许可证", "", "山东省住房和城乡建设厅")], ["项目经理", "技术负责人", "专职安全生产管理人员"]),
    "road": ([("公路工程施工总承包", "二级", "山东省住房和城乡建设厅"), ("市政公用工程施工总承包", "二级", "山东省住房和城乡建设厅")],
             ["项目经理", "技术负责人"]),
    "water": ([("水利水电工程施工总承包", "二级", "山东省住房和城乡建设厅")], ["项目经理", "专职安全生产管理人员"]),
    "design": ([("建筑行业（建筑工程）设计", "甲级", "住房和城乡建设部"), ("市政行业设计", "乙级", "山东省住房和城乡建设厅")],
               ["项目负责人", "技术负责人"]),
    "supervision": ([("房屋建筑工程监理", "甲级", "住房和城乡建设部")], ["总监理工程师"]),
    "agency": ([("工程咨询单位资信", "乙级", "山东省工程咨询协会")], ["项目负责人", "授权委托人"]),
    "medical": ([("医疗器械经营许可证", "", None)], ["授权委托人"]),
    "software": ([("信息系统建设和服务能力等级", "CS2", "中国电子信息行业联合会")], ["项目经理"]),
    "supplier": ([], ["授权委托人"]),
    "owner": ([], ["项目负责人"]),
    "institution": ([], ["项目负责人"]),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁于蒋蔡余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文"
GIVEN = ["建国", "志强", "海燕", "秀英", "立新", "文博", "晓东", "丽娜", "国庆", "红梅", "振华", "明辉", "淑芬", "俊杰",
         "春生", "雪峰", "玉珍", "子豪", "德胜", "雅琴", "永刚", "桂兰", "鹏飞", "静怡"]
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行", "中国银行", "交通银行"]
ROADS = ["经十路", "解放路", "人民路", "黄河路", "泰山路", "建设路", "文化路", "和平路", "新华路", "东风街"]


def _rng(name: str) -> random.Random:
    return random.Random(int(hashlib.sha256(name.encode()).hexdigest()[:12], 16))  # same data every run


def _credit_code(kind: str, county: str, rng: random.Random) -> str:
    letters = ALPHABET  # the 31 characters allowed in a credit code
    if kind == "institution":
        body = "4" + "".join(rng.choice("0123456789") for _ in range(7))
        prefix = "12"
    else:
        body = "MA" + "".join(rng.choice(letters) for _ in range(6))
        prefix = "91"
    # The GB 11714 check character is 0-9 or X, all inside the credit-code alphabet.
    return credit_code_make(prefix + county + organisation_code_make(body))


def _person(rng: random.Random, county: str, role: str) -> dict[str, Any]:
    born = dt.date(1968, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 25))
    id_number = id_number_make(f"{county}{born:%Y%m%d}{rng.randrange(100, 999)}")
    certificate = {"项目经理": f"鲁137{rng.randrange(10**9, 10**10)}", "总监理工程师": f"37{rng.randrange(10**6, 10**7)}",
                   "专职安全生产管理人员": f"鲁建安C（{rng.randrange(2018, 2024)}）{rng.randrange(10**6, 10**7)}"}
    return {"name": rng.choice(SURNAMES) + rng.choice(GIVEN), "role": role, "id_number": id_number,
            "phone": f"1{rng.choice('3578')}{rng.randrange(10**8, 10**9)}",
            "certificate_number": certificate.get(role, "")}


def _qualifications(rng: random.Random, kind: str, city: Region, index: int, today: dt.date) -> list[dict]:
    rows = []
    for position, (qtype, level, issuer) in enumerate(KINDS[kind][0]):
        valid_from = today - dt.timedelta(days=rng.randrange(200, 1500))
        valid_until = valid_from + dt.timedelta(days=365 * 5)
        if valid_until < today:
            valid_until = today + dt.timedelta(days=rng.randrange(200, 1500))
        if position == 0 and index % 9 == 4:  # a few expire within the month
            valid_until = today + dt.timedelta(days=10 + index % 15)
        if position == 0 and index == 12:  # and one has expired
            valid_until = today - dt.timedelta(days=15)
        rows.append({"qualification_type": qtype, "level": level,
                     "certificate_number": f"D{rng.randrange(1, 4)}37{rng.randrange(10**5, 10**6)}",
                     "issuer": issuer or f"{city.name}市场监督管理局", "valid_from": valid_from,
                     "valid_until": valid_until})
    return rows


def entity_demo_data(index: int, name: str, kind: str, county_code: str, legal: str) -> dict[str, Any]:
    """The one-form input for demo entity ``index``."""
    rng = _rng(name)
    today = clock.today()
    county = Region.objects.select_related("parent").get(code=county_code)
    city = county.parent or county  # every county has its city
    roles = KINDS[kind][1]
    bank = rng.choice(BANKS)
    return {
        "credit_code": _credit_code(kind, county_code, rng), "name": name,
        "entity_type": "institution" if kind == "institution" else "enterprise",
        "legal_representative": legal,
        "registered_address": f"山东省{city.name}{county.name}{rng.choice(ROADS)}{rng.randrange(1, 999)}号",
        "business_address": "", "region": county_code,
        "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "contact_phone": f"0{_area(city.code)}-{rng.randrange(10**7, 10**8)}" if index % 3 == 0
        else f"13{rng.randrange(10**8, 10**9)}",
        "email": f"zb{rng.randrange(1000, 9999)}@example.com",
        "registered_capital": None if kind == "institution" else str(rng.choice([1, 2, 3, 5, 8, 10, 20, 50]) * 10**7),
        "established_on": today - dt.timedelta(days=rng.randrange(365 * 3, 365 * 30)),
        "bank_accounts": [{"bank_name": f"{bank}{city.name}{county.name}支行", "account_name": name,
                           "account_number": "".join(str(rng.randrange(10)) for _ in range(19))}],
        "qualifications": _qualifications(rng, kind, city, index, today),
        "key_persons": [_person(rng, county_code, role) for role in roles],
        "account": None,
    }


_AREA_CODES = {"370100": "531", "370200": "532", "370300": "533", "370400": "632", "370500": "546",
               "370600": "535", "370700": "536", "370800": "537", "370900": "538", "371000": "631",
               "371100": "633", "371300": "539", "371400": "534", "371500": "635", "371600": "543",
               "371700": "530"}


def _area(city_code: str) -> str:
    return _AREA_CODES.get(city_code, "531")


def demo_entities_load(stdout=None) -> int:
    """Register the demo entities that are missing and link the demo logins; returns how many were created."""
    created = 0
    for index, (name, kind, county, legal) in enumerate(ENTITIES):
        if MarketEntity.objects.filter(name=name).exists():
            continue
        services.entity_register(actor=None, data=entity_demo_data(index, name, kind, county, legal))
        created += 1
    linked = []
    for username, entity_name in DEMO_LINKS.items():
        user = User.objects.filter(username=username).first()
        entity = MarketEntity.objects.filter(name=entity_name).first()
        if user is None or entity is None:
            continue
        try:
            services.entity_account_link(actor=None, entity=entity, user=user)
        except DomainError as exc:
            if stdout is not None:
                stdout.write(f"  未关联 {username}：{exc.message}\n")
            continue
        linked.append(username)
    _review_queue_load()
    if stdout is not None:
        stdout.write(f"市场主体：新增 {created} 个，共 {MarketEntity.objects.count()} 个；"
                     f"已关联演示账户 {', '.join(linked) or '无'}；待核验 {SELF_REGISTERED}，"
                     f"待审核更名 {RENAME[0]} → {RENAME[1]}\n")
    return created


# The center's review has work in the demo: a self-registered firm awaiting verification (it may not bid until a
# certificate carrying its credit code signs in, or staff verify it) and a pending change of name.
SELF_REGISTERED = "山东齐鲁新材料科技有限公司"
RENAME = ("济南城投明湖建设发展有限公司", "济南城投明湖城市发展集团有限公司")


def _review_queue_load() -> None:
    from django.contrib.auth.models import AnonymousUser

    if not MarketEntity.objects.filter(name=SELF_REGISTERED).exists():
        data = entity_demo_data(len(ENTITIES), SELF_REGISTERED, "build", "370112", "韩立伟")
        services.entity_register(actor=AnonymousUser(), data=data)
    entity = MarketEntity.objects.filter(name=RENAME[0]).first()
    owner = User.objects.filter(username="zhaobiao").first()
    if entity is not None and owner is not None and not entity.name_changes.exists():
        services.entity_update(actor=owner, entity=entity, data={"name": RENAME[1]})
