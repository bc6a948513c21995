"""One demo login per role. The password is the same for all and printed by ``make demo``."""

from ggzy.accounts.roles import Role

DEMO_PASSWORD = "Demo-2026-ggzy"

# (username, role, center code or None, display name)
DEMO_USERS = [
    ("admin", Role.ADMIN, "370000", "系统管理员"),
    ("sheng_staff", Role.CENTER_STAFF, "370000", "省中心·王敏"),
    ("jinan_staff", Role.CENTER_STAFF, "370100", "济南中心·李强"),
    ("qingdao_staff", Role.CENTER_STAFF, "370200", "青岛中心·张丽"),
    ("jianguan", Role.SUPERVISOR, "370100", "济南市住建局·赵伟"),
    ("zhaobiao", Role.TENDERER, None, "济南城投·招标人"),
    ("daili", Role.AGENCY, None, "山东正信招标代理"),
    ("toubiao", Role.BIDDER, None, "山东鲁建建设集团"),
    ("zhuanjia", Role.EXPERT, None, "评标专家·陈刚"),
]
