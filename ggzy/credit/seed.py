"""The scoring model and the publication periods the platform starts with (data; later versions are new rows
with a later effective date). Numbers not taken from a primary legal text are marked ``verify``."""

import datetime as dt

SCORE_MODELS = [
    {"code": "SD-CREDIT", "name": "山东省公共资源交易市场主体信用评价模型（试行）", "effective_from": dt.date(2024, 1, 1),
     "base": 80, "ceiling": 100, "repeat_step": "0.50",
     "points": {"serious_breach": -40, "violation": -10, "reward": 5, "performance_good": 3, "performance_poor": -5},
     "bands": [{"min": 90, "grade": "A"}, {"min": 75, "grade": "B"}, {"min": 60, "grade": "C"}, {"min": 0, "grade": "D"}],
     "basis": "平台试行模型：基础分、加扣分与等级区间由信用主管部门确定（待核实）", "verify": True},
]

PUBLICATION_RULES = [
    # 《失信行为纠正后的信用信息修复管理办法（试行）》(国家发展改革委令2023年第58号)：一般失信行为的行政处罚信息
    # 最短公示3个月、最长1年；严重失信行为的最短1年、最长3年（条文号与期限待核实）
    {"kind": "violation", "min_months": 3, "max_months": 12,
     "basis": "国家发展改革委令2023年第58号：一般失信行为处罚信息公示最短3个月、最长1年（待核实）", "verify": True},
    {"kind": "serious_breach", "min_months": 12, "max_months": 36,
     "basis": "国家发展改革委令2023年第58号：严重失信行为处罚信息公示最短1年、最长3年（待核实）", "verify": True},
    {"kind": "reward", "min_months": 0, "max_months": 36, "basis": "守信激励信息：有效期内公示（平台规则，待核实）",
     "verify": True},
    {"kind": "performance", "min_months": 0, "max_months": 36, "basis": "履约评价：有效期内公示（平台规则，待核实）",
     "verify": True},
]
PUBLICATION_FROM = dt.date(2023, 1, 1)

