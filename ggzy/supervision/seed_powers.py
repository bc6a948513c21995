"""Demo departments and their power and responsibility lists (权责清单), loaded by migration.

Every time limit is the department's handling limit for a referred case in working days. None has been confirmed
from a department's published list, so each is marked "verify" (``time_limit_verify``) for the admin to check,
except the government-procurement complaint ruling (财政部令第94号 第二十六条: 30 个工作日)."""

from __future__ import annotations

import datetime as dt

EFFECTIVE = dt.date(2024, 1, 1)

# (code, name, name_en, center code or None for provincial, parent code)
DEPARTMENTS = [
    ("SD-ZJT", "山东省住房和城乡建设厅", "Shandong Department of Housing and Urban-Rural Development", None, ""),
    ("SD-JTT", "山东省交通运输厅", "Shandong Department of Transport", None, ""),
    ("SD-SLT", "山东省水利厅", "Shandong Department of Water Resources", None, ""),
    ("SD-CZT", "山东省财政厅", "Shandong Department of Finance", None, ""),
    ("SD-FGW", "山东省发展和改革委员会", "Shandong Development and Reform Commission", None, ""),
    ("JN-ZJJ", "济南市住房和城乡建设局", "Jinan Housing and Urban-Rural Development Bureau", "370100", "SD-ZJT"),
    ("JN-JTJ", "济南市交通运输局", "Jinan Transport Bureau", "370100", "SD-JTT"),
    ("JN-SWJ", "济南市水务局", "Jinan Water Bureau", "370100", "SD-SLT"),
    ("JN-CZJ", "济南市财政局", "Jinan Finance Bureau", "370100", "SD-CZT"),
    ("JN-FGW", "济南市发展和改革委员会", "Jinan Development and Reform Commission", "370100", "SD-FGW"),
    ("QD-ZJJ", "青岛市住房和城乡建设局", "Qingdao Housing and Urban-Rural Development Bureau", "370200", "SD-ZJT"),
    ("QD-CZJ", "青岛市财政局", "Qingdao Finance Bureau", "370200", "SD-CZT"),
]

COLLUSION = "《中华人民共和国招标投标法》第五十三条；《中华人民共和国招标投标法实施条例》第六十七条"
FRAUD = "《中华人民共和国招标投标法》第五十四条；《中华人民共和国招标投标法实施条例》第六十八条"
INSPECT = "《中华人民共和国招标投标法》第七条；《中华人民共和国招标投标法实施条例》第四条"
GP_COLLUSION = "《中华人民共和国政府采购法》第七十七条；《中华人民共和国政府采购法实施条例》第七十二条、第七十四条"
GP_COMPLAINT = "《政府采购质疑和投诉办法》（财政部令第94号）第二十六条"
PROCEDURE = "《中华人民共和国行政处罚法》第六十条（自立案之日起九十日内作出决定）"

# (suffix, name, name_en, kind, basis, category codes, matters, working days, verify)
_WORKS = [
    ("CF-001", "对投标人相互串通投标或者与招标人串通投标的行政处罚",
     "Penalty for collusive bidding among bidders or with the tenderer", "penalty", f"{COLLUSION}；{PROCEDURE}",
     ["01"], 60, True),
    ("CF-002", "对投标人以他人名义投标或者以其他方式弄虚作假骗取中标的行政处罚",
     "Penalty for bidding in another's name or winning by fraud", "penalty", f"{FRAUD}；{PROCEDURE}", ["01"], 60,
     True),
    ("JC-001", "对招标投标活动的监督检查", "Inspection of tendering activities", "inspection", INSPECT, ["01"], 20,
     True),
]
_MATTERS = {
    "ZJ": ("房屋建筑和市政基础设施工程", "building and municipal works"),
    "JT": ("公路、水运工程", "highway and waterway works"),
    "SL": ("水利工程", "water conservancy works"),
}
_GP = [
    ("CF-101", "对供应商与采购人、其他供应商或者采购代理机构恶意串通的行政处罚",
     "Penalty for malicious collusion in government procurement", "penalty", f"{GP_COLLUSION}；{PROCEDURE}", ["02"],
     60, True),
    ("CJ-101", "政府采购投诉处理", "Ruling on government-procurement complaints", "ruling", GP_COMPLAINT, ["02"], 30,
     False),
]
_DRC = [
    ("JC-201", "对招标投标活动的综合监督检查（国家和省重点建设项目）",
     "Inspection of tendering for key national and provincial projects", "inspection", INSPECT, ["01"], 20, True),
]


def power_items() -> list[tuple]:
    """(department code, item code, name, name_en, kind, basis, category codes, matters, days, verify)."""
    rows: list[tuple] = []
    for dept, _name, _en, _center, _parent in DEPARTMENTS:
        area, short = dept.split("-")
        trade = {"ZJT": "ZJ", "ZJJ": "ZJ", "JTT": "JT", "JTJ": "JT", "SLT": "SL", "SWJ": "SL"}.get(short)
        if trade:
            matters = _MATTERS[trade]
            for suffix, name, name_en, kind, basis, cats, days, verify in _WORKS:
                rows.append((dept, f"{dept}-{suffix}", name, f"{name_en} ({matters[1]})", kind, basis, cats,
                             matters[0], days, verify))
        elif short in ("CZT", "CZJ"):
            for suffix, name, name_en, kind, basis, cats, days, verify in _GP:
                rows.append((dept, f"{dept}-{suffix}", name, name_en, kind, basis, cats, "政府采购", days, verify))
        else:
            for suffix, name, name_en, kind, basis, cats, days, verify in _DRC:
                rows.append((dept, f"{dept}-{suffix}", name, name_en, kind, basis, cats, "依法必须招标的重点项目",
                             days, verify))
    return rows


def load(department_model, power_model, center_model) -> None:
    """Create the departments and their items (skipping those that exist)."""
    centers = {c.code: c for c in center_model.objects.all()}
    made: dict[str, object] = {}
    for code, name, name_en, center, parent in DEPARTMENTS:
        dept, _ = department_model.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "center": centers.get(center) if center else None,
            "parent": made.get(parent)})
        made[code] = dept
    for dept, code, name, name_en, kind, basis, cats, matters, days, verify in power_items():
        power_model.objects.get_or_create(code=code, defaults={
            "department": made[dept], "name": name, "name_en": name_en, "kind": kind, "legal_basis": basis,
            "category_codes": cats, "matters": matters, "time_limit_days": days, "time_limit_verify": verify,
            "effective_from": EFFECTIVE})
