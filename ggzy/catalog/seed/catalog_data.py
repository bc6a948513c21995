"""The provincial catalog seeded by migration: the statutory categories and those joined by catalog decision.

Codes are the 2-character category part of the 统一交易标识码 (ggzy.core.identifiers). Groups 06/08/09 hold
sub-items; 61 排污权 and 62 碳排放权 are left to city extensions (see ggzy.catalog.demo).
"""

import datetime as dt
from typing import Any

CATALOG_VERSION = {
    "number": "2020",
    "title": "山东省公共资源交易目录（2020年版）",
    "effective_from": dt.date(2020, 1, 1),
}

BY_DECISION = "经公开征求意见后，由公共资源交易目录决定纳入平台交易（国办函〔2019〕41号）"

# (code, name, parent code, must_trade, legal basis)
CATALOG_ITEMS: list[tuple[str, str, str, bool, str]] = [
    ("01", "工程建设项目招标投标", "", True, "《中华人民共和国招标投标法》《中华人民共和国招标投标法实施条例》"
                                      "《必须招标的工程项目规定》（国家发展改革委令第16号）"),
    ("02", "政府采购", "", True, "《中华人民共和国政府采购法》《中华人民共和国政府采购法实施条例》"),
    ("03", "土地使用权出让", "", True, "《招标拍卖挂牌出让国有建设用地使用权规定》（国土资源部令第39号）"),
    ("04", "矿业权出让", "", True, "《中华人民共和国矿产资源法》及矿业权出让交易规则"),
    ("05", "国有产权交易", "", True, "《企业国有资产交易监督管理办法》（国务院国资委 财政部令第32号）"),
    ("06", "环境资源权益交易", "", False, BY_DECISION),
    ("63", "用能权", "06", False, BY_DECISION),
    ("64", "用水权", "06", False, BY_DECISION),
    ("07", "药品和医用耗材采购", "", False, BY_DECISION),
    ("08", "农村产权交易", "", False, BY_DECISION),
    ("81", "林权", "08", False, BY_DECISION),
    ("82", "农村集体产权", "08", False, BY_DECISION),
    ("09", "其他交易", "", False, BY_DECISION),
    ("91", "无形资产", "09", False, BY_DECISION),
    ("92", "国有企业采购", "09", False, BY_DECISION),
]


def catalog_seed(CatalogVersion, CatalogItem, published_at) -> None:
    """Create or update the 2020 provincial catalog (idempotent)."""
    version, _ = CatalogVersion.objects.update_or_create(
        number=CATALOG_VERSION["number"],
        defaults={"title": CATALOG_VERSION["title"], "effective_from": CATALOG_VERSION["effective_from"],
                  "status": "published", "published_at": published_at})
    by_code: dict[str, Any] = {}  # code -> CatalogItem (a historical model in the migration: untyped)
    for order, (code, name, parent_code, must_trade, basis) in enumerate(CATALOG_ITEMS, start=1):
        by_code[code], _ = CatalogItem.objects.update_or_create(
            version=version, code=code,
            defaults={"name": name, "parent": by_code.get(parent_code), "must_trade": must_trade,
                      "legal_basis": basis, "order": order})
