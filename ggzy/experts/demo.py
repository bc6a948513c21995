"""Demo pool: ~640 fictional experts over Shandong's 16 cities with classifications; some suspended or retired,
a few penalised, some rated; the demo expert logins (zhuanjia…) are linked to records in Jinan. Idempotent
(skips when the pool already has demo experts) and quick (bulk_create)."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from ggzy.accounts.models import User
from ggzy.core import clock
from ggzy.registry.models import Region
from ggzy.registry.personal_id import id_number_make

from .identity import id_number_digest
from .models import (
    Classification,
    Expert,
    ExpertClassification,
    ExpertPenalty,
    ExpertRating,
    ExpertStatus,
    PenaltyKind,
    RaterRole,
    TitleLevel,
)

SOURCE = "演示专家库"
PER_CITY = 40
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = [
    "建国",
    "海涛",
    "丽娟",
    "志强",
    "文静",
    "国庆",
    "晓东",
    "秀英",
    "明辉",
    "玉兰",
    "立新",
    "春梅",
    "宏伟",
    "桂芳",
    "振华",
    "雪梅",
    "德胜",
    "红霞",
    "永刚",
    "淑珍",
    "长青",
    "亚楠",
    "广德",
    "慧敏",
]
TITLES = [
    ("教授级高级工程师", TitleLevel.SENIOR_FULL),
    ("正高级工程师", TitleLevel.SENIOR_FULL),
    ("高级工程师", TitleLevel.SENIOR_DEPUTY),
    ("高级经济师", TitleLevel.SENIOR_DEPUTY),
    ("高级会计师", TitleLevel.SENIOR_DEPUTY),
    ("教授", TitleLevel.SENIOR_FULL),
    ("副教授", TitleLevel.SENIOR_DEPUTY),
]
EMPLOYERS = [
    "市建筑设计研究院有限公司",
    "市政工程设计院",
    "城建集团有限公司",
    "大学土木工程学院",
    "工程咨询有限公司",
    "造价咨询有限公司",
    "水利勘测设计院",
    "交通规划设计院",
    "中心医院",
    "会计师事务所",
]
DEMO_EXPERT_LOGINS = [
    ("zhuanjia", "陈刚"),
    ("zhuanjia2", "刘芳"),
    ("zhuanjia3", "张海"),
    ("zhuanjia4", "李娟"),
    ("zhuanjia5", "赵明"),
]
# The demo's committees are drawn in Jinan for 施工 (A08, four technical seats) and 工程造价 (A06, one economic seat).
# So that the draw lands on the experts one can sign in as, in Jinan only the demo logins hold these two
# classifications (zhuanjia…zhuanjia4 施工, zhuanjia5 工程造价); the other Jinan experts hold others.
DEMO_LOGIN_CLASSIFICATIONS = ["A08", "A08", "A08", "A08", "A06"]
DEMO_DRAW_CITY = "370100"


def demo_experts_load(stdout=None) -> int:
    if Expert.objects.filter(source=SOURCE).exists():
        return 0
    rng = random.Random(13)
    now, today = clock.now(), clock.today()
    cities = list(Region.objects.filter(level="city").order_by("code"))
    level2 = list(
        Classification.objects.filter(level=2, is_active=True).order_by("code").values_list("code", flat=True)
    )
    weights = [6 if c.startswith("A") else 2 for c in level2]  # works dominate a city pool
    logins = {u.username: u for u in User.objects.filter(username__in=[u for u, _ in DEMO_EXPERT_LOGINS])}
    experts: list[Expert] = []
    codes: list[list[str]] = []
    serial = 0
    for city in cities:
        for i in range(PER_CITY):
            serial += 1
            born = dt.date(rng.randint(1962, 1984), rng.randint(1, 12), rng.randint(1, 28))
            number = id_number_make(f"{city.code[:4]}02{born:%Y%m%d}{serial % 1000:03d}")
            title, level = rng.choice(TITLES)
            status = ExpertStatus.ACTIVE
            roll = rng.random()
            if roll < 0.04:
                status = ExpertStatus.SUSPENDED
            elif roll < 0.07:
                status = ExpertStatus.RETIRED
            elif roll < 0.08:
                status = ExpertStatus.REMOVED
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
            if city.code == "370100" and i < len(DEMO_EXPERT_LOGINS):
                name, status = DEMO_EXPERT_LOGINS[i][1], ExpertStatus.ACTIVE
            experts.append(
                Expert(
                    name=name,
                    id_number=number,
                    id_number_digest=id_number_digest(number),
                    birth_date=born,
                    phone=f"13{rng.randint(100000000, 999999999)}",
                    title=title,
                    title_level=level,
                    years_in_field=rng.randint(8, 35),
                    employer_name=city.name.removesuffix("市") + rng.choice(EMPLOYERS),
                    region=city,
                    status=status,
                    available=rng.random() > 0.05,
                    entered_on=today - dt.timedelta(days=rng.randint(30, 3000)),
                    source=SOURCE,
                    created_at=now,
                    updated_at=now,
                    user=logins.get(DEMO_EXPERT_LOGINS[i][0])
                    if city.code == "370100" and i < len(DEMO_EXPERT_LOGINS)
                    else None,
                )
            )
            drawn_codes = sorted(set(rng.choices(level2, weights=weights, k=rng.randint(1, 3)))) if level2 else []
            if city.code == DEMO_DRAW_CITY and i < len(DEMO_EXPERT_LOGINS):
                drawn_codes = [DEMO_LOGIN_CLASSIFICATIONS[i]]
                experts[-1].available = True
            elif city.code == DEMO_DRAW_CITY:
                kept = [c for c in drawn_codes if c not in DEMO_LOGIN_CLASSIFICATIONS]
                drawn_codes = kept or ["A09"]
            codes.append(drawn_codes)
    with transaction.atomic():
        created = Expert.objects.bulk_create(experts)
        ExpertClassification.objects.bulk_create(
            [
                ExpertClassification(expert=e, classification_id=c)
                for e, cs in zip(created, codes, strict=True)
                for c in cs
            ]
        )
        staff = User.objects.filter(username="jinan_staff").first()
        if staff is not None:
            ratings = []
            for n, expert in enumerate(rng.sample(created, 120)):
                marks = [rng.choice([3, 4, 4, 5, 5]) for _ in range(4)]
                ratings.append(
                    ExpertRating(
                        expert=expert,
                        subject_code=f"DEMO-{n:04d}",
                        rater_role=RaterRole.CENTER,
                        attendance=marks[0],
                        punctuality=marks[1],
                        quality=marks[2],
                        conduct=marks[3],
                        rated_at=now - dt.timedelta(days=rng.randint(1, 300)),
                        rated_by=staff,
                    )
                )
            ExpertRating.objects.bulk_create(ratings)
        ExpertPenalty.objects.bulk_create(
            [
                ExpertPenalty(
                    expert=e,
                    kind=PenaltyKind.BIDDING if k % 2 else PenaltyKind.CREDIT,
                    reason="演示：评标中未按评标办法评审" if k % 2 else "演示：不良信用记录",
                    decided_on=today - dt.timedelta(days=60),
                    until=today + dt.timedelta(days=300),
                    recorded_at=now,
                )
                for k, e in enumerate(rng.sample([e for e in created if e.user_id is None], 6))
            ]
        )
    if stdout is not None:
        stdout.write(f"评标专家库：{len(created)} 名演示专家\n")
    return len(created)
