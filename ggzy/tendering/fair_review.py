"""公平竞争审查 — finds clauses in a notice that exclude bidders by region, ownership or named brand.

The patterns are data (each with the reason shown to the center); a finding is for a person to judge, so the
center sees every one and acknowledges it before publishing. Pure functions: text in, findings out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    kind: str  # region / ownership / brand
    excerpt: str
    explanation: str


_PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    ("region", re.compile(r"(限|仅限|须为|必须为|只接受)[^，。；\n]{0,12}(本地|本市|本省|本县|本区|省内|市内)[^，。；\n]{0,12}(企业|单位|供应商|投标人)"),
     "以注册地限定投标人，排斥外地经营者（公平竞争审查制度：不得设置地域限制）"),
    ("region", re.compile(r"(在|于)[^，。；\n]{0,10}(设立|注册|设有)[^，。；\n]{0,6}(分公司|分支机构|办事处|子公司)"),
     "要求在本地设立分支机构作为投标条件，属于变相地域限制"),
    ("region", re.compile(r"(本地|本市|本省)[^，。；\n]{0,8}(业绩|纳税|社保)"),
     "以本地业绩、纳税或社保作为条件，排斥外地经营者"),
    ("ownership", re.compile(r"(限|仅限|须为|必须为|只接受)[^，。；\n]{0,8}(国有|国营|央企|民营|外资|集体)[^，。；\n]{0,6}(企业|单位|控股)"),
     "以所有制形式限定投标人（不得因所有制形式实行差别待遇）"),
    ("ownership", re.compile(r"(民营企业|私营企业|外资企业)[^，。；\n]{0,6}(不得|不能|不予)"),
     "排斥特定所有制企业"),
    ("brand", re.compile(r"(指定|限定|必须采用|须采用|只接受)[^，。；\n]{0,6}(品牌|厂家|生产商|原厂)"),
     "指定品牌或生产商（不得限定或者指定特定的专利、商标、品牌或者供应商）"),
    ("brand", re.compile(r"(品牌|厂家)[为是：:][^，。；\n]{1,20}"),
     "写明特定品牌"),
]

KIND_LABELS = {"region": "地域限制", "ownership": "所有制限制", "brand": "指定品牌"}


def review_text(text: str) -> list[Finding]:
    """Every clause of ``text`` that matches a pattern, once per (kind, excerpt)."""
    found: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for kind, pattern, explanation in _PATTERNS:
        for match in pattern.finditer(text or ""):
            excerpt = match.group(0)[:120]
            if (kind, excerpt) in seen:
                continue
            seen.add((kind, excerpt))
            found.append(Finding(kind=kind, excerpt=excerpt, explanation=explanation))
    return found
