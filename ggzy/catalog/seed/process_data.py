"""Process templates seeded by migration (交易流程清单): names and ordered steps per category and method."""

import datetime as dt

from .period_data import PERIODS

EFFECTIVE_FROM = dt.date(2020, 1, 1)
SEED_NOTE = "初始版本：依据现行法律法规和 DOMAIN.md 整理（系统初始化）"

# Step: (code, name, role, description)
TENDER_STEPS = [
    ("register", "项目登记", "tenderer", "招标人或代理机构登记项目，取得统一交易标识码"),
    ("notice", "发布招标公告", "agency", "在指定媒介和省级交易网站当日发布（邀请招标为发出投标邀请书）"),
    ("documents", "发售招标文件", "agency", "在线提供招标文件，发售期不少于规定期限"),
    ("clarification", "澄清与修改", "agency", "影响投标文件编制的澄清修改不足规定期限的，顺延投标截止时间"),
    ("bid_submission", "投标（加密上传）", "bidder", "投标文件加密上传；截止前可修改或撤回；未加密或逾期的拒收"),
    ("expert_draw", "抽取评标专家", "center_staff", "按专业分类从省综合评标专家库随机抽取，名单保密"),
    ("opening", "网上开标", "system", "截止时间公开开标：签到、投标人在线解密、公布开标结果、现场异议；不足3家不得开标"),
    ("evaluation", "评标", "expert", "评标委员会按招标文件规定的评标方法评审，形成评标报告"),
    ("candidates", "中标候选人公示", "agency", "收到评标报告后规定期限内公示，公示期内可提出异议"),
    ("objection", "异议处理", "tenderer", "规定期限内答复，作出答复前暂停招标投标活动"),
    ("award", "发出中标通知书", "tenderer", "公告中标结果并向中标人发出中标通知书"),
    ("contract", "签订合同", "tenderer", "中标通知书发出之日起规定期限内订立书面合同"),
    ("bond_refund", "退还投标保证金", "tenderer", "合同签订后规定期限内退还保证金及同期存款利息"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档，保留电子签名"),
]

GP_TENDER_STEPS = [
    ("register", "采购项目登记", "tenderer", "采购人或采购代理机构登记项目，取得统一交易标识码"),
    ("notice", "发布采购公告", "agency", "在指定媒介和省级交易网站发布"),
    ("documents", "提供招标文件", "agency", "在线提供招标文件"),
    ("clarification", "澄清与修改", "agency", "影响投标文件编制的澄清修改不足规定期限的，顺延投标截止时间"),
    ("bid_submission", "投标（加密上传）", "bidder", "投标文件加密上传；同一品牌按规定计为一个供应商"),
    ("expert_draw", "抽取评审专家", "center_staff", "随机抽取评审专家，名单在结果确定前保密"),
    ("opening", "网上开标", "system", "投标人在线解密，公布开标结果"),
    ("evaluation", "评标", "expert", "综合评分法或最低评标价法；价格分按规定权值和公式计算"),
    ("result", "中标结果公告", "agency", "公告中标结果，发出中标通知书"),
    ("contract", "签订政府采购合同", "tenderer", "中标通知书发出之日起规定期限内签订合同"),
    ("bond_refund", "退还投标保证金", "tenderer", "按规定期限退还保证金"),
    ("archive", "归档", "center_staff", "采购文件按规定年限保存"),
]


def gp_non_tender_steps(panel: str, response: str) -> list[tuple]:
    return [
        ("register", "采购项目登记", "tenderer", "采购人或采购代理机构登记项目，取得统一交易标识码"),
        ("notice", "发布采购公告或邀请供应商", "agency", "发布公告或从供应商库随机邀请不少于3家供应商"),
        ("documents", f"提供{response}文件", "agency", f"在线提供{response}文件"),
        ("response_submission", "提交响应文件（加密上传）", "bidder", "供应商加密上传响应文件"),
        ("expert_draw", f"组建{panel}", "center_staff", f"随机抽取评审专家，与采购人代表组成{panel}"),
        ("evaluation", f"{response}与评审", "expert", f"{panel}按文件规定的程序和标准评审"),
        ("result", "成交结果公告", "agency", "公告成交结果，发出成交通知书"),
        ("contract", "签订政府采购合同", "tenderer", "成交通知书发出之日起规定期限内签订合同"),
        ("archive", "归档", "center_staff", "采购文件按规定年限保存"),
    ]


SINGLE_SOURCE_STEPS = [
    ("register", "采购项目登记", "tenderer", "采购人或采购代理机构登记项目，取得统一交易标识码"),
    ("publicity", "单一来源公示", "agency", "公示拟采购理由和拟定的唯一供应商，不少于规定工作日"),
    ("objection", "异议处理", "tenderer", "对公示的异议组织论证并书面答复；异议成立的不得采用单一来源方式"),
    ("negotiation", "与供应商协商", "tenderer", "由具有相关经验的专业人员与供应商商定合理的成交价格，记录价格依据"),
    ("result", "成交结果公告", "agency", "公告成交结果，发出成交通知书"),
    ("contract", "签订政府采购合同", "tenderer", "成交通知书发出之日起规定期限内签订合同"),
    ("archive", "归档", "center_staff", "采购文件按规定年限保存"),
]

LISTING_STEPS = [
    ("register", "出让项目登记", "tenderer", "出让人登记项目，提交出让方案，取得统一交易标识码"),
    ("notice", "发布出让公告", "tenderer", "挂牌开始日前规定期限发布公告"),
    ("registration", "竞买申请与资格审核", "bidder", "竞买人在线申请并交纳竞买保证金"),
    ("reserve_price", "设定底价", "tenderer", "出让人在挂牌截止前密封设定底价，系统加密保存"),
    ("listing", "网上挂牌报价", "bidder", "报价只能递增，不低于增价幅度，报价不可撤回；以服务器时间为准"),
    ("timed_round", "限时竞价", "system", "两家以上竞买人时进入限时竞价，每有新报价重新计时"),
    ("result", "确定竞得人", "system", "一轮无新报价时，最高报价达到底价者竞得，否则挂牌不成交"),
    ("result_notice", "公布出让结果", "center_staff", "规定期限内公布出让结果"),
    ("contract", "签订出让合同", "tenderer", "与竞得人签订成交确认书和出让合同"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
]

AUCTION_STEPS = [
    ("register", "出让项目登记", "tenderer", "出让人登记项目，取得统一交易标识码"),
    ("notice", "发布拍卖公告", "tenderer", "拍卖开始日前规定期限发布公告"),
    ("registration", "竞买申请与资格审核", "bidder", "竞买人在线申请并交纳竞买保证金"),
    ("auction", "网上拍卖", "bidder", "竞买人按增价幅度应价，以服务器时间为准"),
    ("result", "确定竞得人", "system", "最高应价达到底价者竞得"),
    ("result_notice", "公布出让结果", "center_staff", "规定期限内公布出让结果"),
    ("contract", "签订出让合同", "tenderer", "签订成交确认书和出让合同"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
]

PROPERTY_STEPS = [
    ("register", "转让项目登记", "tenderer", "转让方提交批准文件和评估报告，取得统一交易标识码"),
    ("disclosure", "正式信息披露", "center_staff", "披露期不少于规定工作日；实质性变更重新计算"),
    ("registration", "意向受让方登记与资格确认", "bidder", "意向受让方登记并交纳保证金"),
    ("competition", "竞价", "bidder", "拍卖、招投标或网络竞价（多次报价、一次报价、权重报价）"),
    ("result_publicity", "交易结果公示", "center_staff", "交易结果公示不少于规定工作日"),
    ("contract", "签订交易合同", "tenderer", "一次付清，或分期付款（首期不低于规定比例，期限不超过1年）"),
    ("settlement", "价款结算与交割", "center_staff", "交易价款通过交易机构结算"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
]

CAPITAL_STEPS = [
    ("register", "增资项目登记", "tenderer", "增资企业提交批准文件和增资方案，取得统一交易标识码"),
    ("disclosure", "信息披露征集投资方", "center_staff", "披露期不少于规定工作日"),
    ("registration", "意向投资方登记", "bidder", "意向投资方登记并交纳保证金"),
    ("selection", "遴选投资方", "tenderer", "按披露的遴选方式确定投资方"),
    ("result_publicity", "结果公示", "center_staff", "公示不少于规定工作日"),
    ("contract", "签订增资协议", "tenderer", "增资企业与投资方签订增资协议"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
]



def environmental_steps(right: str) -> list[tuple]:
    """排污权、碳排放权、用能权、用水权: online listing with a timed round (one lot, one winner)."""
    return [
        ("register", f"{right}交易项目登记", "tenderer", f"出让方提交{right}指标、数量、期限和主管部门意见，取得统一交易标识码"),
        ("notice", "发布交易公告", "center_staff", "挂牌报价开始前规定工作日发布公告"),
        ("registration", "意向受让申请与资格审核", "bidder", "意向受让方在线申请并交纳交易保证金"),
        ("reserve_price", "设定底价", "tenderer", "出让方在挂牌截止前密封设定底价（可不设）"),
        ("listing", "网上挂牌报价", "bidder", "报价只能递增，不低于增价幅度，报价不可撤回；以服务器时间为准"),
        ("timed_round", "限时竞价", "system", "两家以上意向受让方时进入限时竞价，每有新报价重新计时"),
        ("result", "确定受让方", "system", "价格优先；最高报价达到底价者受让，否则不成交"),
        ("result_notice", "交易结果公示", "center_staff", "规定期限内公示交易结果"),
        ("contract", "签订交易合同", "tenderer", "签订成交确认书和交易合同，办理变更登记"),
        ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
    ]


GENERAL_STEPS = [
    ("consultation", "咨询", "center_staff", "线上、电话、现场咨询，首问负责、一次性告知"),
    ("register", "项目登记", "center_staff", "登记交易项目并赋统一交易标识码"),
    ("venue", "场地安排", "center_staff", "安排开标评标场地和远程异地评标席位"),
    ("publish", "信息发布", "center_staff", "交易公告和结果当日发布，推送行政监督部门"),
    ("witness", "交易见证", "center_staff", "对交易过程提供见证服务"),
    ("archive", "归档", "center_staff", "交易结束后规定期限内归档"),
    ("statistics", "统计", "center_staff", "交易数据统计分析"),
    ("archive_lookup", "档案查询", "center_staff", "依申请提供档案查询"),
]

# (category code, method, name, steps)
TEMPLATES: list[tuple[str, str, str, list[tuple]]] = [
    ("01", "open_tender", "工程建设项目公开招标", TENDER_STEPS),
    ("01", "invitation", "工程建设项目邀请招标", TENDER_STEPS),
    ("02", "open_tender", "政府采购公开招标", GP_TENDER_STEPS),
    ("02", "competitive_negotiation", "政府采购竞争性谈判", gp_non_tender_steps("谈判小组", "谈判")),
    ("02", "competitive_consultation", "政府采购竞争性磋商", gp_non_tender_steps("磋商小组", "磋商")),
    ("02", "inquiry", "政府采购询价", gp_non_tender_steps("询价小组", "询价")),
    ("02", "single_source", "政府采购单一来源", SINGLE_SOURCE_STEPS),
    ("03", "listing", "国有建设用地使用权网上挂牌出让", LISTING_STEPS),
    ("03", "auction", "国有建设用地使用权网上拍卖出让", AUCTION_STEPS),
    ("04", "listing", "矿业权网上挂牌出让", LISTING_STEPS),
    ("05", "property_listing", "企业国有产权转让", PROPERTY_STEPS),
    ("05", "capital_increase", "企业增资", CAPITAL_STEPS),
    ("04", "auction", "矿业权网上拍卖出让", AUCTION_STEPS),
    ("61", "listing", "排污权网上挂牌交易", environmental_steps("排污权")),
    ("62", "listing", "碳排放权网上挂牌交易", environmental_steps("碳排放权")),
    ("63", "listing", "用能权网上挂牌交易", environmental_steps("用能权")),
    ("64", "listing", "用水权网上挂牌交易", environmental_steps("用水权")),
    ("00", "general", "平台通用规则（专家、服务、归档）", GENERAL_STEPS),
]


def processes_seed(ProcessTemplate, TemplateVersion, TemplateStep, TemplatePeriod, created_at) -> None:
    """Create the templates with version 1 (effective 2020-01-01), their steps and every period (idempotent).

    An existing version 1 is left as it is: once in force it is history and is never rewritten.
    """
    for category_code, method, name, steps in TEMPLATES:
        template, _ = ProcessTemplate.objects.get_or_create(
            category_code=category_code, method=method, defaults={"name": name})
        if TemplateVersion.objects.filter(template=template).exists():
            continue
        version = TemplateVersion.objects.create(template=template, number=1, effective_from=EFFECTIVE_FROM,
                                                 created_at=created_at, note=SEED_NOTE)
        TemplateStep.objects.bulk_create([
            TemplateStep(version=version, order=order, code=code, name=step_name, role=role, description=text)
            for order, (code, step_name, role, text) in enumerate(steps, start=1)])
        TemplatePeriod.objects.bulk_create([
            TemplatePeriod(version=version, key=key, label=label, value=value, unit=unit, legal_basis=basis,
                           is_verified=verified)
            for key, label, value, unit, basis, verified in PERIODS[(category_code, method)]])
