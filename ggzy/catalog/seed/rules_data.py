"""The rules list seeded by migration: national and Shandong rules whose existence and numbers are known.

Fields we could not confirm from a primary text are left blank (an empty number, no effective date) rather than
guessed; the summary says so.
"""

import datetime as dt

D = dt.date

# (key, title, document number, issuer, level, category, status, effective_from, repealed_on, replaced_by key, summary)
RULES: list[tuple] = [
    ("tb_law", "中华人民共和国招标投标法", "中华人民共和国主席令第21号", "全国人民代表大会常务委员会",
     "national", "tendering", "in_force", D(2000, 1, 1), None, "",
     "规定招标范围、招标投标程序、评标委员会组成和中标合同订立；2017年12月27日修正。"),
    ("tb_regulation", "中华人民共和国招标投标法实施条例", "国务院令第613号", "国务院",
     "national", "tendering", "in_force", D(2012, 2, 1), None, "",
     "细化招标文件发售、投标保证金、开标评标、中标候选人公示、异议和投诉；此后经多次修订。"),
    ("gp_law", "中华人民共和国政府采购法", "中华人民共和国主席令第68号", "全国人民代表大会常务委员会",
     "national", "procurement", "in_force", D(2003, 1, 1), None, "",
     "规定政府采购当事人、采购方式、采购程序、合同、质疑与投诉；2014年8月31日修正。"),
    ("gp_regulation", "中华人民共和国政府采购法实施条例", "国务院令第658号", "国务院",
     "national", "procurement", "in_force", D(2015, 3, 1), None, "",
     "细化政府采购程序、投标保证金上限、评审专家和监督检查。"),
    ("e_tendering", "电子招标投标办法", "国家发展改革委等八部委令第20号", "国家发展和改革委员会等八部门",
     "national", "tendering", "in_force", D(2013, 5, 1), None, "",
     "电子招标投标交易平台、公共服务平台、行政监督平台的功能与数据交换；投标文件加密与在线开标。"),
    ("platform_measures", "公共资源交易平台管理暂行办法", "国家发展改革委等十四部委令第39号",
     "国家发展和改革委员会等十四部门", "national", "platform", "in_force", D(2016, 8, 1), None, "",
     "公共资源交易平台的运行、服务、信息资源共享和监督管理。"),
    ("platform_plan", "整合建立统一的公共资源交易平台工作方案", "国办发〔2015〕63号", "国务院办公厅",
     "national", "platform", "in_force", None, None, "",
     "整合工程建设项目招标投标、土地使用权和矿业权出让、国有产权交易、政府采购等平台。"),
    ("platform_sharing", "关于深化公共资源交易平台整合共享的指导意见", "国办函〔2019〕41号", "国务院办公厅",
     "national", "platform", "in_force", None, None, "",
     "拓展平台覆盖范围，编制公共资源交易目录，目录外事项经论证后纳入。"),
    ("soe_assets", "企业国有资产交易监督管理办法", "国务院国资委 财政部令第32号", "国务院国有资产监督管理委员会、财政部",
     "national", "state_property", "in_force", D(2016, 6, 24), None, "",
     "企业产权转让、增资和资产转让的审批、信息披露（不少于20个工作日，增资不少于40个工作日）和交易方式。"),
    ("land_grant", "招标拍卖挂牌出让国有建设用地使用权规定", "国土资源部令第39号", "国土资源部",
     "national", "land_mining", "in_force", D(2007, 11, 1), None, "",
     "国有建设用地使用权招标、拍卖、挂牌出让的公告、挂牌期限、竞价和结果公布。"),
    ("gp_tender_87", "政府采购货物和服务招标投标管理办法", "财政部令第87号", "财政部",
     "national", "procurement", "in_force", D(2017, 10, 1), None, "",
     "政府采购公开招标、邀请招标的程序、评标委员会组成、综合评分法价格权值和价格分计算。"),
    ("gp_tender_18", "政府采购货物和服务招标投标管理办法（2004年）", "财政部令第18号", "财政部",
     "national", "procurement", "repealed", None, D(2017, 10, 1), "gp_tender_87",
     "被财政部令第87号替代并废止；施行日期待核实。"),
    ("gp_non_tender", "政府采购非招标采购方式管理办法", "财政部令第74号", "财政部",
     "national", "procurement", "in_force", D(2014, 2, 1), None, "",
     "竞争性谈判、单一来源采购和询价的程序；谈判小组、询价小组由3人以上单数组成。"),
    ("gp_consultation", "政府采购竞争性磋商采购方式管理暂行办法", "财库〔2014〕214号", "财政部",
     "national", "procurement", "in_force", None, None, "",
     "竞争性磋商的适用情形、磋商小组和综合评分；施行日期待核实。"),
    ("evaluation_rules", "评标委员会和评标方法暂行规定", "国家计委等七部委令第12号", "国家发展计划委员会等七部门",
     "national", "tendering", "in_force", D(2001, 7, 5), None, "",
     "评标委员会组成与回避、经评审的最低投标价法和综合评估法。"),
    ("must_tender", "必须招标的工程项目规定", "国家发展改革委令第16号", "国家发展和改革委员会",
     "national", "tendering", "in_force", D(2018, 6, 1), None, "",
     "依法必须招标的工程项目范围和规模标准。"),
    ("tender_scope_2000", "工程建设项目招标范围和规模标准规定", "国家计委令第3号", "国家发展计划委员会",
     "national", "tendering", "repealed", None, D(2018, 6, 1), "must_tender",
     "被《必须招标的工程项目规定》替代并废止；施行日期待核实。"),
    ("notice_publication", "招标公告和公示信息发布管理办法", "国家发展改革委令第10号", "国家发展和改革委员会",
     "national", "tendering", "in_force", D(2018, 1, 1), None, "",
     "招标公告和公示信息的内容、发布媒介和发布时间。"),
    ("sd_2019_209", "山东省人民政府办公厅文件（标题待核实）", "鲁政办字〔2019〕209号", "山东省人民政府办公厅",
     "provincial", "platform", "in_force", None, None, "",
     "文号已确认，标题、施行日期和内容摘要待核实后补录。"),
    ("sd_tb_law", "山东省实施《中华人民共和国招标投标法》办法", "", "山东省人民代表大会常务委员会",
     "provincial", "tendering", "in_force", None, None, "",
     "山东省的招标投标地方性法规；文号与现行文本施行日期待核实。"),
]


def rules_seed(Rule) -> None:
    """Create or update the seeded rules (idempotent), then link replacements."""
    by_key = {}
    for (key, title, number, issuer, level, category, status, effective, repealed, _replaced_by,
         summary) in RULES:
        by_key[key], _ = Rule.objects.update_or_create(
            title=title, document_number=number,
            defaults={"issuer": issuer, "level": level, "category": category, "status": status,
                      "effective_from": effective, "repealed_on": repealed, "summary": summary})
    for key, *_rest, replaced_by, _summary in RULES:
        if replaced_by:
            rule = by_key[key]
            rule.amended_by = by_key[replaced_by]
            rule.save(update_fields=["amended_by"])
