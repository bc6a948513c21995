"""Every number of DOMAIN.md as a period row, per process template (seeded by migration, effective 2020-01-01).

Rows DOMAIN.md marks "(verify)", and rows where the primary text may differ from DOMAIN.md's figure, are seeded
with is_verified=False so the admin and the public page show “待核实”.
Row: (key, label, value, unit, legal basis, is_verified).
"""

TB = "《招标投标法》"
TB_REG = "《招标投标法实施条例》"
GP = "《政府采购法》"
GP_REG = "《政府采购法实施条例》"
GP87 = "《政府采购货物和服务招标投标管理办法》（财政部令第87号）"
GP74 = "《政府采购非招标采购方式管理办法》（财政部令第74号）"
GP214 = "《政府采购竞争性磋商采购方式管理暂行办法》（财库〔2014〕214号）"
LAND39 = "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）"
SOE32 = "《企业国有资产交易监督管理办法》（国务院国资委 财政部令第32号）"
SERVICE = "公共资源交易平台服务标准（试行，2019年）"
LOCAL_LISTING = "地市网上挂牌交易规则（平台可配置）"
MINING = "矿业权出让交易规则"
MINING_RULES = "《矿业权交易规则》（国土资规〔2017〕7号）"
MINING_TRIAL = "《矿业权交易规则（试行）》（国土资发〔2011〕242号）"
# environmental rights (issue 15): joined by catalog decision; their trading rules are set by the competent
# departments and the platform — no national text fixes these numbers here, every row is to verify (待核实)
EMISSION = "排污权有偿使用和交易管理规定（省、市主管部门制定）及交易平台规则"
CARBON = "《碳排放权交易管理办法（试行）》（生态环境部令第19号）及地方碳排放权交易规则"
ENERGY = "用能权有偿使用和交易规则（省主管部门制定）及交易平台规则"
WATER = "《水权交易管理暂行办法》（水政法〔2016〕156号）及交易平台规则"

ARCHIVE = ("archive_within", "交易结束后归档期限", "30", "calendar_days", SERVICE, True)
GP_RETENTION = ("records_retention_min", "政府采购项目采购文件保存期限（自采购结束之日起）", "15", "years",
                f"{GP}第四十二条", True)

# How long a winning bid's project manager counts as busy on that project when the bid states no duration (工期): a
# platform setting for the fraud indicator, not a statutory figure (注册建造师不得同时担任两个及以上建设工程施工项目负责人).
KEY_PERSON_COMMITMENT = ("key_person_commitment_default_days", "中标项目主要人员在岗期限（中标投标文件未载明工期时，自合同签订起）",
                         "365", "calendar_days", "《注册建造师执业管理办法（试行）》第二十一条（平台设置，待核实）", False)

# Bond reduction for trustworthy firms (守信激励, issue 18): the share of the lot's bid bond waived for a bidder with
# credit grade A or a reward record in force. A platform setting, off (0) until the authority confirms a figure.
BOND_CREDIT_REDUCTION = ("bid_bond_credit_reduction_percent",
                         "守信主体投标保证金减免比例（信用等级A或有在册守信激励记录；0为不减免，100为免缴）", "0", "percent",
                         "守信联合激励措施（平台设置，待核实）", False)

# 招标投标法实施条例 Art. 55 (works) / 87号令 Art. 68 (GP): when the first candidate cannot be awarded, the next in
# the committee's order may be, or the project tendered again. 1 = offer the next candidate, 0 = the lot fails.
AWARD_NEXT = ("award_next_candidate_on_refusal",
              "第一中标候选人不符合中标条件时依次确定其他中标候选人（1是，0否即流标重新招标）", "1", "count",
              "招标投标法实施条例第五十五条；政府采购货物和服务招标投标管理办法第六十八条（待核实）", False)

# Expert ratings feed credit (issue 18): a rating averaging below this (marks 1–5) records poor performance in credit.
EXPERT_RATING_CREDIT = ("expert_rating_credit_below", "专家履职评价平均分低于此值时记入专家信用（1至5分；0为不记入）",
                        "2", "count", "评标专家和评标专家库管理办法；平台设置（待核实）", False)

TENDERING = [
    ("documents_to_deadline_min", "招标文件开始发出至投标截止最短期限", "20", "calendar_days", f"{TB}第二十四条", True),
    ("documents_sale_min", "招标文件发售期最短期限", "5", "calendar_days", f"{TB_REG}第十六条", True),
    ("clarification_before_deadline_min", "影响投标文件编制的澄清或修改距投标截止最短期限（不足则顺延截止时间）",
     "15", "calendar_days", f"{TB}第二十三条；{TB_REG}第二十一条", True),
    ("bid_bond_max_percent", "投标保证金上限（占招标项目估算价）", "2", "percent", f"{TB_REG}第二十六条", False),
    ("bid_bond_refund_after_contract_max", "合同签订后退还投标保证金最长期限", "5", "calendar_days",
     f"{TB_REG}第五十七条", True),
    ("bid_bond_refund_after_withdrawal_max", "截止前撤回投标后退还投标保证金最长期限", "5", "calendar_days",
     f"{TB_REG}第三十五条", True),
    ("bids_to_open_min", "开标所需最少投标人数（不足不得开标，应重新招标）", "3", "count",
     f"{TB}第二十八条；{TB_REG}第四十四条", True),
    ("committee_members_min", "评标委员会最少人数（单数）", "5", "count", f"{TB}第三十七条", True),
    ("committee_expert_share_numerator", "技术、经济等方面专家占评标委员会成员比例下限（分子）", "2", "count",
     f"{TB}第三十七条", True),
    ("committee_expert_share_denominator", "技术、经济等方面专家占评标委员会成员比例下限（分母）", "3", "count",
     f"{TB}第三十七条", True),
    ("candidates_publish_within", "收到评标报告后公示中标候选人最长期限", "3", "calendar_days",
     f"{TB_REG}第五十四条", True),
    ("candidates_publicity_min", "中标候选人公示期最短期限", "3", "calendar_days", f"{TB_REG}第五十四条", True),
    ("objection_answer_within", "异议答复期限（答复前暂停招标投标活动）", "3", "calendar_days",
     f"{TB_REG}第五十四条", True),
    ("complaint_acceptance_within", "投诉受理决定期限", "3", "working_days", f"{TB_REG}第六十一条", True),
    # complaints (helper complaints): the documents-objection window, the complaint window and the decision period
    ("documents_objection_before_deadline", "对招标文件提出异议距投标截止最短期限", "10", "calendar_days",
     f"{TB_REG}第二十二条", True),
    ("complaint_within", "投诉期限（自知道或者应当知道之日起；异议答复期间不计算在内）", "10", "calendar_days",
     f"{TB_REG}第六十条", True),
    ("complaint_decision_within", "投诉处理决定期限（自受理投诉之日起）", "30", "working_days",
     f"{TB_REG}第六十一条", True),
    ("contract_after_award_within", "中标通知书发出后订立书面合同期限", "30", "calendar_days", f"{TB}第四十六条", False),
    KEY_PERSON_COMMITMENT,
    BOND_CREDIT_REDUCTION,
    AWARD_NEXT,
    EXPERT_RATING_CREDIT,
    ARCHIVE,
]

# What every GP method shares (issue 16, branch gpshared); all 待核实 until confirmed from the primary texts.
GP_SHARED = [
    ("sme_price_deduction_percent", "小微企业价格扣除比例（货物、服务项目；提交中小企业声明函的，以扣除后的价格参与评审）",
     "10", "percent", "《政府采购促进中小企业发展管理办法》（财库〔2020〕46号）第九条（货物、服务10%–20%）", False),
    ("procurement_intention_before_min", "采购意向公开至采购活动开始（发布采购公告）最短期限", "30",
     "calendar_days", "《财政部关于开展政府采购意向公开工作的通知》（财库〔2020〕10号）", False),
    ("result_notice_within", "中标（成交）结果确定后发布结果公告期限", "2", "working_days",
     f"{GP_REG}第四十三条", False),
    ("final_quotation_time_min", "要求最后报价至最后报价截止的最短时间（截止后自动开启）", "30", "minutes",
     f"{GP74}第三十三条（平台设置，待核实）", False),
    ("contract_notice_within", "政府采购合同签订后公告期限", "2", "working_days", f"{GP_REG}第五十条", False),
]

GP_COMMON = [
    ("bid_bond_max_percent", "投标（响应）保证金上限（占采购项目预算金额）", "2", "percent", f"{GP_REG}第三十三条", False),
    BOND_CREDIT_REDUCTION,
    AWARD_NEXT,
    EXPERT_RATING_CREDIT,
    ("bid_bond_refund_after_contract_max", "合同签订后退还保证金最长期限（DOMAIN.md 记为5日，原文或为5个工作日）",
     "5", "calendar_days", GP_REG, False),
    ("bid_bond_refund_after_withdrawal_max", "截止前撤回后退还保证金最长期限", "5", "calendar_days", GP_REG, False),
    ("contract_after_award_within", "中标（成交）通知书发出后签订合同期限", "30", "calendar_days", f"{GP}第四十六条", False),
    ("same_brand_as_one_supplier", "同一品牌投标计为一个供应商（1=是）", "1", "count", GP87, False),
    *GP_SHARED,
    GP_RETENTION,
    ARCHIVE,
]

def gp_scoring(basis: str) -> list[tuple]:
    """Comprehensive scoring's price weight ranges (87号令 Art. 55; 214号 Art. 24: goods 30–60%, services 10–30%)."""
    return [
        ("price_weight_goods_min", "综合评分法价格分权值下限（货物）", "30", "percent", basis, True),
        ("price_weight_goods_max", "综合评分法价格分权值上限（货物）", "60", "percent", basis, True),
        ("price_weight_services_min", "综合评分法价格分权值下限（服务）", "10", "percent", basis, True),
        ("price_weight_services_max", "综合评分法价格分权值上限（服务）", "30", "percent", basis, True),
        ("price_score_scale", "价格分计算基数（价格分＝评标基准价÷投标报价×价格权值×100）", "100", "count", basis, True),
    ]


GP_SCORING = gp_scoring(GP87)

# Result publicity and challenges in government procurement (used by the tendering procedures).
GP_RESULT = [
    ("candidates_publicity_min", "中标（成交）结果公告期限", "1", "working_days", f"{GP87}第六十九条", False),
    ("objection_answer_within", "质疑答复期限（答复前暂停采购活动）", "7", "working_days", f"{GP}第五十三条", True),
    ("challenge_within", "供应商提出质疑期限（自知道或者应知其权益受到损害之日起）", "7", "working_days",
     f"{GP}第五十二条", True),
    # complaints (helper complaints): after the challenge's answer period, to the finance department
    ("complaint_within", "质疑供应商提起投诉期限（自质疑答复期满之日起）", "15", "working_days", f"{GP}第五十五条", True),
    ("complaint_acceptance_within", "投诉审查受理期限（收到投诉书后）", "5", "working_days",
     "《政府采购质疑和投诉办法》（财政部令第94号）第二十一条", False),
    ("complaint_decision_within", "投诉处理决定期限（自收到投诉之日起）", "30", "working_days", f"{GP}第五十六条", True),
    ("complaint_suspension_max", "处理投诉期间暂停采购活动最长期限", "30", "calendar_days", f"{GP}第五十七条", True),
]

GP_TENDER = [
    ("documents_to_deadline_min", "招标文件开始发出至投标截止最短期限", "20", "calendar_days", f"{GP}第三十五条", True),
    ("documents_sale_min", "招标文件提供期限最短期限（DOMAIN.md 记为5日，财政部令第87号或为5个工作日）", "5",
     "calendar_days", GP87, False),
    ("clarification_before_deadline_min", "影响投标文件编制的澄清或修改距投标截止最短期限", "15", "calendar_days",
     GP87, True),
    ("bids_to_open_min", "开标所需最少投标人数", "3", "count", GP87, True),
    ("committee_members_min", "评标委员会最少人数（单数）", "5", "count", GP87, True),
    ("committee_members_min_large", "评标委员会最少人数（预算1000万元以上、技术复杂或社会影响较大，单数）", "7",
     "count", GP87, True),
    ("committee_large_budget_threshold", "须由7人以上评标委员会评审的预算金额下限", "10000000", "yuan", GP87, True),
    *GP_RESULT,
    *GP_SCORING,
    *GP_COMMON,
]


# Negotiation and inquiry (财政部令第74号): response period, clarification period, at least three suppliers.
GP_NON_TENDER = [
    ("documents_to_deadline_min", "谈判文件/询价通知书发出至首次响应文件提交截止最短期限", "3", "working_days",
     f"{GP74}第二十九条、第四十五条", True),
    ("clarification_before_deadline_min", "澄清或修改距首次响应文件提交截止最短期限（不足则顺延）", "3",
     "working_days", f"{GP74}第二十九条、第四十五条", True),
    ("bids_to_open_min", "响应供应商最少家数", "3", "count", GP74, False),
    *GP_RESULT,
]


# 竞争性磋商 (财库〔2014〕214号): at least 10 days from the consultation documents to the first responses and
# clarifications at least 5 days before (Art. 10); at least 3 suppliers (Art. 3, 6; the exceptions of 财库〔2015〕124号
# for two suppliers are not modelled: 待核实).
GP_CONSULTATION = [
    ("documents_to_deadline_min", "磋商文件发出至供应商提交首次响应文件截止最短期限", "10", "calendar_days",
     f"{GP214}第十条", True),
    ("clarification_before_deadline_min", "澄清或修改距提交首次响应文件截止最短期限（不足则顺延）", "5",
     "calendar_days", f"{GP214}第十条", True),
    ("bids_to_open_min", "响应供应商最少家数", "3", "count", f"{GP214}第三条（待核实）", False),
    *GP_RESULT,
]


# Single source (政府采购法 Art. 31, 39; 74号令 Arts. 38–43): the reasons and the proposed supplier are publicised for
# at least 5 working days before the procurement; objections are handled; then the negotiation with the supplier.
GP_SINGLE_SOURCE = [
    ("single_source_publicity_min", "单一来源采购方式公示期（拟采购理由和拟定供应商）", "5", "working_days",
     f"{GP_REG}第三十八条；{GP74}第三十八条", True),
    ("single_source_objection_answer_within", "收到单一来源公示异议后组织论证并答复的期限（待核实）", "5",
     "working_days", f"{GP74}第三十九条", False),
    *GP_RESULT,
    *GP_COMMON,
]


def gp_panel(basis: str) -> list[tuple]:
    return [("panel_members_min", "谈判/磋商/询价小组最少人数（单数）", "3", "count", basis, True)]


# Online listing's bidding numbers (issue 15): platform rules, not a national text — to verify.
RIGHTS_BIDDING = [
    ("bid_increment_min", "增价幅度下限（公告中的增价幅度不得低于此数）", "1000", "yuan", LOCAL_LISTING, False),
    ("deposit_refund_within", "未竞得人竞买保证金退还期限（活动结束后）", "5", "working_days", f"{LAND39}第二十四条", False),
    ("suspension_blocked_final_minutes", "竞价最后若干分钟内不得中止（交易平台规则）", "2", "minutes", LOCAL_LISTING, False),
]
PROPERTY_BIDDING = [
    ("timed_round_bidders_min", "进入网络竞价（限时报价）所需最少意向受让方数", "2", "count", f"{SOE32}（交易所规则，待核实）", False),
    ("timed_round_minutes", "网络竞价限时报价每轮时长（每有新报价重新计时）", "5", "minutes", "产权交易所网络竞价规则（可配置，待核实）", False),
    ("bid_increment_min", "加价幅度下限", "1000", "yuan", "产权交易所网络竞价规则（可配置，待核实）", False),
    ("deposit_refund_within", "未受让方交易保证金退还期限", "5", "working_days", "产权交易所规则（待核实）", False),
    ("suspension_blocked_final_minutes", "网络竞价最后若干分钟内不得中止", "2", "minutes", "产权交易所规则（待核实）", False),
]

LISTING = [
    ("announcement_before_start_min", "出让公告发布至挂牌开始最短期限", "20", "calendar_days", f"{LAND39}第十条", True),
    ("listing_period_min", "挂牌期最短期限", "10", "working_days", LAND39, False),
    ("timed_round_bidders_min", "进入限时竞价所需最少竞买人数", "2", "count", LOCAL_LISTING, True),
    ("timed_round_minutes", "限时竞价每轮时长（每有新报价重新计时；常见4或5分钟）", "5", "minutes", LOCAL_LISTING, True),
    ("result_publish_within", "出让结果公布期限", "10", "working_days", LAND39, True),
    ("resumption_notice_min", "系统故障暂停后恢复交易提前公告期限", "5", "calendar_days", LOCAL_LISTING, True),
    *RIGHTS_BIDDING,
    ARCHIVE,
]

AUCTION = [
    ("announcement_before_start_min", "出让公告发布至拍卖开始最短期限", "20", "calendar_days", f"{LAND39}第十条", True),
    ("result_publish_within", "出让结果公布期限", "10", "working_days", LAND39, True),
    ("resumption_notice_min", "系统故障暂停后恢复交易提前公告期限", "5", "calendar_days", LOCAL_LISTING, True),
    # online auction: each bid restarts the countdown, as in the listing's timed round (platform rules, to verify)
    ("timed_round_bidders_min", "网上拍卖开始所需最少竞买人数", "2", "count", LOCAL_LISTING, False),
    ("timed_round_minutes", "网上拍卖每次报价后的倒计时", "5", "minutes", LOCAL_LISTING, False),
    *RIGHTS_BIDDING,
    ARCHIVE,
]

# 资格后审 (qualification after winning, issue 15 item 2): whether a land listing's announcement may state that the
# bidders' qualification is checked only for the winner, after the close (deposit received → admitted at once). Not a
# national text: 39号令 and the 2006 规范 describe the pre-check; local online-trading rules (e.g. 重庆市国有建设用地使用权
# 网上交易规程) provide both 资格前审 and 资格后审, the announcement stating which — to verify (待核实). 1 = the listing
# may choose after winning (the default stays before), 0 = before bidding only. Land (03) listing and auction only.
LAND_POST_QUALIFICATION = ("qualification_after_winning_allowed",
                           "出让公告可载明资格后审（竞得后资格审查；1是，0否即仅资格前审）", "1", "count",
                           "地方国有建设用地使用权网上交易规则（资格前审或资格后审，由出让公告载明；待核实）", False)

SOE_COMMON = [
    ("extension_min", "信息披露延期最短期限（实质性变更须重新计算披露期）", "5", "working_days", SOE32, True),
    ("listing_price_min_percent_of_appraisal", "挂牌底价不低于评估结果的比例", "100", "percent", SOE32, True),
    ("below_appraisal_approval_percent", "低于评估结果此比例须经批准单位书面同意", "90", "percent", SOE32, True),
    ("instalment_down_payment_min", "分期付款首期最低比例", "30", "percent", SOE32, True),
    ("instalment_term_max", "分期付款最长期限", "1", "years", SOE32, True),
    ("result_publicity_min", "交易结果公示最短期限", "5", "working_days", SOE32, True),
    ARCHIVE,
]

PROPERTY_LISTING = [
    ("disclosure_min", "产权转让正式信息披露最短期限", "20", "working_days", SOE32, True),
    *PROPERTY_BIDDING,
    *SOE_COMMON,
]

# 企业增资 selecting investors by online bidding (竞价, one of the order's selection methods beside competitive
# negotiation and comprehensive evaluation): the exchange's bidding numbers, to verify (issue 15)
CAPITAL_BIDDING = [
    ("timed_round_bidders_min", "进入网络竞价（限时报价）所需最少意向投资方数", "2", "count",
     f"{SOE32}（择优方式之一：竞价；交易所规则，待核实）", False),
    ("timed_round_minutes", "网络竞价限时报价每轮时长（每有新报价重新计时）", "5", "minutes",
     "产权交易所网络竞价规则（可配置，待核实）", False),
    ("bid_increment_min", "加价幅度下限", "1000", "yuan", "产权交易所网络竞价规则（可配置，待核实）", False),
    ("deposit_refund_within", "未被选定的意向投资方交易保证金退还期限", "5", "working_days", "产权交易所规则（待核实）", False),
    ("suspension_blocked_final_minutes", "网络竞价最后若干分钟内不得中止", "2", "minutes", "产权交易所规则（待核实）", False),
]

CAPITAL_INCREASE = [
    ("disclosure_min", "企业增资信息披露最短期限", "40", "working_days", SOE32, True),
    *CAPITAL_BIDDING,
    *SOE_COMMON,
]

# 矿业权拍卖出让 (issue 15): the trial rules (2011) set the notice at 20 days before the auction and at least three
# bidders; the 2017 rules' wording of both (days or working days) is not confirmed from the primary text — to verify
MINING_AUCTION = [
    ("announcement_before_start_min", "出让公告发布至拍卖开始最短期限", "20", "calendar_days",
     f"{MINING_RULES}；{MINING_TRIAL}（拍卖日20日前发布公告；现行规则是否为工作日，待核实）", False),
    ("timed_round_bidders_min", "网上拍卖开始所需最少竞买人数（不足则停止拍卖）", "3", "count",
     f"{MINING_RULES}（拍卖出让竞买人不得少于3人，待核实）", False),
    ("timed_round_minutes", "网上拍卖每次报价后的倒计时", "5", "minutes", LOCAL_LISTING, False),
    ("result_publish_within", "出让结果公示公开期限", "10", "working_days", f"{MINING_RULES}（待核实）", False),
    ("resumption_notice_min", "系统故障暂停后恢复交易提前公告期限", "5", "calendar_days", LOCAL_LISTING, False),
    *RIGHTS_BIDDING,
    ARCHIVE,
]


def environmental_listing(basis: str) -> list[tuple]:
    """排污权/碳排放权/用能权/用水权 online listing with a timed round: announcement in working days, a listing
    period, a 4-minute round with two bidders (one published emission-rights notice), every number to verify."""
    rule = f"{basis}（待核实）"
    return [
        ("announcement_before_start_min", "交易公告发布至挂牌报价开始最短期限", "5", "working_days", rule, False),
        ("listing_period_min", "挂牌报价期最短期限", "5", "working_days", rule, False),
        ("timed_round_bidders_min", "进入限时竞价所需最少意向受让方数", "2", "count", rule, False),
        ("timed_round_minutes", "限时竞价每轮时长（每有新报价重新计时）", "4", "minutes", rule, False),
        ("bid_increment_min", "增价幅度下限（公告中的增价幅度不得低于此数）", "100", "yuan", rule, False),
        ("deposit_refund_within", "未受让方交易保证金退还期限（活动结束后）", "5", "working_days", rule, False),
        ("suspension_blocked_final_minutes", "竞价最后若干分钟内不得中止（交易平台规则）", "2", "minutes",
         LOCAL_LISTING, False),
        ("result_publish_within", "交易结果公示期限", "5", "working_days", rule, False),
        ("resumption_notice_min", "系统故障暂停后恢复交易提前公告期限", "5", "calendar_days", LOCAL_LISTING, False),
        ARCHIVE,
    ]



GENERAL = [
    ("expert_experience_min", "评标专家从事相关专业领域工作最短年限", "8", "years",
     "《评标专家和评标专家库管理暂行办法》（国家计委令第29号）", True),
    ("expert_age_max", "评标专家年龄上限（省级规定，可配置）", "65", "years", "山东省评标专家管理规定（可配置）", True),
    ("expert_senior_title_required", "评标专家须具有高级职称或同等专业水平（1=是）", "1", "count",
     "《评标专家和评标专家库管理暂行办法》（国家计委令第29号）", True),
    # the draw's avoidance numbers (issue 13): no national text fixes them — provincial rules, to verify
    ("expert_draw_max_per_employer", "一次抽取中同一工作单位的专家最多人数", "1", "count",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_draw_max_times_for_tenderer", "统计期内为同一招标人评标超过此次数的专家回避", "3", "count",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_draw_times_window", "为同一招标人评标次数的统计期", "360", "calendar_days",
     "山东省评标专家管理规定（可配置，待核实）", False),
    # ratings and penalties feed later draws (issue 13 item 6): provincial rules, to verify
    ("expert_draw_rating_min", "统计期内履职评价平均分低于此分值（满分5分）的专家回避", "3", "points",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_draw_rating_count_min", "按平均分回避所需的最少评价次数", "3", "count",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_draw_incidents_max", "统计期内处理记录与超时未答复合计超过此次数的专家回避", "2", "count",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_draw_record_window", "履职评价、处理记录与超时未答复的统计期", "360", "calendar_days",
     "山东省评标专家管理规定（可配置，待核实）", False),
    ("expert_pool_size_min", "省级综合评标专家库最少专家人数", "500", "count",
     "《评标专家和评标专家库管理暂行办法》（国家计委令第29号）", True),
    ("service_items_count", "交易中心服务事项数（咨询、登记、场地安排、信息发布、见证、归档、统计、档案查询）", "8",
     "count", SERVICE, True),
    ("notice_publish_within", "交易公告和结果公示发布期限（当日发布）", "0", "calendar_days",
     "《公共资源交易平台管理暂行办法》", True),
    ARCHIVE,
    GP_RETENTION,
]

# (category code, method) → rows
PERIODS: dict[tuple[str, str], list[tuple]] = {
    ("01", "open_tender"): TENDERING,
    ("01", "invitation"): TENDERING,
    ("02", "open_tender"): GP_TENDER,
    ("02", "competitive_negotiation"): [*gp_panel(f"{GP74}第七条"), *GP_NON_TENDER, *GP_COMMON],
    ("02", "competitive_consultation"): [*gp_panel(GP214), *GP_CONSULTATION, *gp_scoring(f"{GP214}第二十四条"),
                                         *GP_COMMON],
    ("02", "inquiry"): [*gp_panel(f"{GP74}第七条"), *GP_NON_TENDER, *GP_COMMON],
    ("02", "single_source"): GP_SINGLE_SOURCE,
    ("03", "listing"): [*LISTING, LAND_POST_QUALIFICATION],
    ("03", "auction"): [*AUCTION, LAND_POST_QUALIFICATION],
    ("04", "listing"): [(*row[:4], MINING if LAND39 in row[4] else row[4], row[5]) for row in LISTING],
    ("05", "property_listing"): PROPERTY_LISTING,
    ("05", "capital_increase"): CAPITAL_INCREASE,
    ("04", "auction"): MINING_AUCTION,
    ("61", "listing"): environmental_listing(EMISSION),
    ("62", "listing"): environmental_listing(CARBON),
    ("63", "listing"): environmental_listing(ENERGY),
    ("64", "listing"): environmental_listing(WATER),
    ("00", "general"): GENERAL,
}
