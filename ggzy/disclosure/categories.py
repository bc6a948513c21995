"""Trading categories as the portal groups notices (the codes are the catalog's 2-character item codes)."""

# The statutory categories that must trade on the platform (DOMAIN.md, Scope and structure).
PORTAL_CATEGORIES: dict[str, str] = {
    "01": "工程建设",
    "02": "政府采购",
    "03": "土地使用权",
    "04": "矿业权",
    "05": "国有产权",
    "06": "环境权益",
    "07": "医药采购",
}
