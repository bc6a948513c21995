"""Credit demo data (issue 18): a firm on the serious-breach list (淄博齐都建设工程, toubiao4: its sign-up to any lot
is refused with the reason), a reward record (山东鲁建建设集团, toubiao), a general violation, a national-list
entry for government procurement screening, and an expert restricted from draws. Idempotent (by 来源业务编号);
loaded after tendering, so the tender stages are made before the ban exists."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ggzy.core import clock
from ggzy.credit import evaluation, services
from ggzy.credit.models import CreditRecord
from ggzy.experts.models import Expert
from ggzy.registry.models import MarketEntity

AUTHORITY = "济南市住房和城乡建设局"


def _entity(name: str) -> MarketEntity | None:
    return MarketEntity.objects.filter(name=name).first()


def _record(ref: str, **data) -> int:
    if CreditRecord.objects.filter(source_ref=ref).exists():
        return 0
    services.record_create(actor=None, source_ref=ref, **data)
    return 1


def demo_credit_load(stdout=None) -> int:
    today = clock.today()
    ago = today - dt.timedelta(days=40)
    loaded = 0
    with transaction.atomic():
        banned = _entity("淄博齐都建设工程有限公司")
        if banned is not None:
            loaded += _record(
                "demo:serious-breach", subject_kind="entity", subject_key=banned.credit_code, subject_name=banned.name,
                source="supervision", kind="serious_breach", title="串通投标（列入严重失信主体名单）",
                facts="在济南市某道路工程投标中与其他投标人串通报价，经调查属实。", authority=AUTHORITY,
                decision_no="济建罚〔2026〕18号", decided_on=ago, valid_until=ago + dt.timedelta(days=3 * 365),
                restrictions=[{"behaviour": "signup", "ends_on": ago + dt.timedelta(days=365)},
                              {"behaviour": "bid", "ends_on": ago + dt.timedelta(days=365)},
                              {"behaviour": "award", "ends_on": ago + dt.timedelta(days=365)}])
        rewarded = _entity("山东鲁建建设集团有限公司")
        if rewarded is not None:
            loaded += _record(
                "demo:reward", subject_kind="entity", subject_key=rewarded.credit_code, subject_name=rewarded.name,
                source="supervision", kind="reward", title="省级守合同重信用企业", authority="山东省市场监督管理局",
                decision_no="鲁市监信〔2026〕5号", decided_on=ago, valid_until=ago + dt.timedelta(days=2 * 365))
        warned = _entity("济南章丘泰和建筑安装有限公司")
        if warned is not None:
            loaded += _record(
                "demo:violation", subject_kind="entity", subject_key=warned.credit_code, subject_name=warned.name,
                source="supervision", kind="violation", title="未按规定签订书面合同", authority=AUTHORITY,
                decision_no="济建罚〔2026〕7号", decided_on=ago, valid_until=ago + dt.timedelta(days=365))
            loaded += _record(
                "demo:national-list", subject_kind="entity", subject_key=warned.credit_code,
                subject_name=warned.name, source="tax", kind="serious_breach", national_list="tax_violation",
                title="重大税收违法失信（演示名单数据）", authority="国家税务总局济南市税务局", decided_on=ago,
                valid_until=ago + dt.timedelta(days=365), publication="shared")
        expert = Expert.objects.filter(user__isnull=True).order_by("-pk").first()  # not a demo login
        if expert is not None:
            loaded += _record(
                "demo:expert", subject_kind="expert", subject_key=str(expert.pk), subject_name=expert.name,
                source="expert_rating", kind="violation", title="评标中未按评标办法评审（暂停抽取）",
                authority="济南公共资源交易中心", decided_on=ago, valid_until=ago + dt.timedelta(days=365),
                restrictions=[{"behaviour": "expert_draw", "ends_on": ago + dt.timedelta(days=180)}])
        evaluation.snapshot_month(today)
    if stdout is not None:
        stdout.write(f"信用演示数据：新增 {loaded} 条")
    return loaded
