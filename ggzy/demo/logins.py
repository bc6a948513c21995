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
    ("sheng_jianguan", Role.SUPERVISOR, "370000", "山东省住建厅·孙杰"),
    ("zhaobiao", Role.TENDERER, None, "济南城投·招标人"),
    ("daili", Role.AGENCY, None, "山东正信招标代理"),
    ("toubiao", Role.BIDDER, None, "山东鲁建建设集团"),
    ("toubiao2", Role.BIDDER, None, "青岛琴海建工集团"),
    ("toubiao3", Role.BIDDER, None, "济南章丘泰和建筑安装"),
    ("toubiao4", Role.BIDDER, None, "淄博齐都建设工程"),
    ("zhuanjia", Role.EXPERT, None, "评标专家·陈刚"),
    ("zhuanjia2", Role.EXPERT, None, "评标专家·刘芳"),
    ("zhuanjia3", Role.EXPERT, None, "评标专家·张海"),
    ("zhuanjia4", Role.EXPERT, None, "评标专家·李娟"),
    ("zhuanjia5", Role.EXPERT, None, "评标专家·赵明"),
]

# Further bidders act for these registered demo entities (the registry demo links toubiao itself).
EXTRA_BIDDER_LINKS = {"toubiao2": "青岛琴海建工集团有限公司", "toubiao3": "济南章丘泰和建筑安装有限公司",
                      "toubiao4": "淄博齐都建设工程有限公司"}
