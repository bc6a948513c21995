"""Chinese full-text search over notices at scale (ADR 0016), beside a plain indexed query, in the same run.

Loads ``--count`` generated notices (default 1,000,000: titles in the demo's wording across the 16 cities and their
counties, bodies of 250–450 characters naming tenderers, agencies and winning firms) into a PostgreSQL database of
the bench's own (created from DATABASE_URL, dropped at exit) with COPY, the search column written by the same code
the publishing service uses (``disclosure.search``). Then, for each query, it runs what the portal's list page runs —
``selectors.notice_search_public`` for the first 20 rows plus the capped count (``CappedPaginator``) — ``--repeat``
times, and prints the median and p95 latency of the searches (one, two, three and more characters, several words,
with and without filters) beside the baseline: the same page for a city and a date range without a search word
(btree indexes on centre/status/published_at).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/bench_search.py --count 50000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time

from _setup import django_setup

SEARCHES = [  # (label, filters)
    ("1 字：楼", {"q": "楼"}),
    ("1 字：矿", {"q": "矿"}),
    ("2 字：采购", {"q": "采购"}),
    ("2 字：医院", {"q": "医院"}),
    ("2 字：花岗", {"q": "花岗"}),
    ("3 字：综合楼", {"q": "综合楼"}),
    ("5 字：污水处理厂", {"q": "污水处理厂"}),
    ("9 字：国有建设用地使用权", {"q": "国有建设用地使用权"}),
    ("单位名：鲁建建设集团", {"q": "鲁建建设集团"}),
    ("两词：道路 改造", {"q": "道路 改造"}),
    ("词+地市：医用设备 青岛", {"q": "医用设备", "city": "370200"}),
    ("词+类别+阶段：采购 02 结果", {"q": "采购", "category": "02", "stage": "result"}),
    ("词+日期：监理 近30天", {"q": "监理", "recent_days": 30}),
    ("无命中：量子计算机", {"q": "量子计算机"}),
]
BASELINE = ("基线：济南 近30天（无搜索词）", {"city": "370100", "recent_days": 30})

WORKS = [
    ("{county}第{n}实验小学教学综合楼建设工程施工", "01"), ("{county}{road}道路改造提升工程施工", "01"),
    ("{county}人民医院门急诊楼建设项目设计施工总承包", "01"), ("{county}污水处理厂提标改造工程", "01"),
    ("{county}老旧小区改造（{n}期）工程施工", "01"), ("{city}城市更新片区市政配套管网工程监理", "01"),
    ("{county}教育局{year}年教学设备采购项目", "02"), ("{city}公安局执法记录仪采购项目", "02"),
    ("{county}卫生健康局医用设备采购项目", "02"), ("{city}政务服务中心物业管理服务采购", "02"),
    ("{county}农业农村局高标准农田建设项目监理服务", "02"), ("{city}图书馆智慧化改造采购项目", "02"),
    ("{county}{road}以东地块国有建设用地使用权挂牌出让", "03"), ("{county}工业园区{n}号地块国有建设用地使用权出让", "03"),
    ("{county}建筑用花岗岩矿采矿权出让", "04"), ("{city}某国有控股公司{n}%股权转让", "05"),
    ("{city}市属国有企业闲置办公用房租赁权", "05"), ("{city}排污权（化学需氧量）有偿使用交易", "06"),
    ("{city}公立医疗机构医用耗材集中带量采购", "07"),
]
ROADS = ["经十路", "泉城路", "黄河大道", "滨河路", "胜利街", "人民路", "振兴路", "和平路", "新华路", "建设路"]
FIRM_HEADS = ["鲁建", "华信", "泰山", "海川", "齐鲁", "恒通", "瑞丰", "正信", "新元", "金鼎", "宏达", "远大", "中盛",
              "鑫源", "汇通", "天成", "明德", "鸿运", "景程", "博远", "润泽", "东方", "蓝海", "永安"]
FIRM_TRADES = ["建设", "工程", "科技", "医疗器械", "环境", "物业", "路桥", "电力", "信息", "水务", "装饰", "设备"]
FIRM_TAILS = ["集团有限公司", "有限公司", "股份有限公司", "有限责任公司"]
TYPES = {"01": ["tender", "tender", "change", "candidates", "result"],
         "02": ["procurement", "procurement", "change", "result", "contract"],
         "03": ["listing", "listing", "deal"], "04": ["listing", "deal"], "05": ["listing", "deal"],
         "06": ["listing", "deal"], "07": ["procurement", "result"]}
DISTINCT = 50_000
CATEGORY_NAMES = {"01": "工程建设", "02": "政府采购", "03": "土地使用权", "04": "矿业权", "05": "国有产权",
                  "06": "环境权益", "07": "医药采购"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the page query of slow searches")
    parser.add_argument("--keep-db", default="", metavar="NAME",
                        help="load into database NAME and keep it; a later run with the same NAME and count reuses it")
    args = parser.parse_args()
    django_setup(keep_db=args.keep_db)
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench_search 需要 PostgreSQL：请设置 DATABASE_URL")
    from ggzy.disclosure.models import Notice

    if args.keep_db and Notice.objects.count() == args.count:
        print(f"沿用数据库 {args.keep_db} 中已载入的 {args.count:,} 条公告", flush=True)
    else:
        Notice.objects.all().delete() if args.keep_db else None
        started = time.perf_counter()
        load(args.count)
        print(f"载入 {args.count:,} 条公告（COPY + ANALYZE）：{time.perf_counter() - started:.0f} 秒", flush=True)
    run(args.repeat, args.explain)


def _firm(rng: random.Random) -> str:
    return rng.choice(FIRM_HEADS) + rng.choice(FIRM_TRADES) + rng.choice(FIRM_TAILS)


def _body(rng: random.Random, title: str, city: str, county: str, budget: int) -> str:
    return (f"一、项目概况\n{title}已具备条件，项目地点：{city}{county}，估算金额：{budget:,}.00元。"
            f"招标人：{county}{rng.choice(['教育和体育局', '住房和城乡建设局', '卫生健康局', '交通运输局', '自然资源局'])}。"
            f"招标代理机构：{_firm(rng)}。\n二、资格要求\n具有独立法人资格，具备相应资质等级，近三年无行贿犯罪记录，"
            "未被列入失信被执行人名单。\n三、文件获取\n请登录山东省公共资源交易平台，使用数字证书在线获取文件。\n"
            f"四、结果\n第一中标候选人：{_firm(rng)}；第二中标候选人：{_firm(rng)}；第三中标候选人：{_firm(rng)}。"
            + "投标人或者其他利害关系人对结果有异议的，应当在公示期间提出。" * rng.randint(0, 2))


def load(count: int) -> None:
    from django.db import connection

    from ggzy.disclosure import search
    from ggzy.registry.models import Center, Region

    rng = random.Random(17)
    centers = [c for c in Center.objects.select_related("region").order_by("code") if not c.is_provincial]
    counties = {c.pk: list(Region.objects.filter(parent=c.region)) or [c.region] for c in centers}
    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
    columns = ("center_id", "region_id", "notice_type", "category_code", "category_name", "title", "body",
               "project_code", "budget", "links", "attachments", "published_at", "status", "withdrawn_reason",
               "search_doc")
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3
    batch = 50_000
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS disclosure_notice_search_gin")  # built once after the load
    # Writing the search column costs ~2 ms of Python per notice; 1,000,000 of them would take the bench an hour. So
    # ``DISTINCT`` texts are made (each with its search column, by the same code the publishing service uses) and
    # every row takes one at random with its own code, date and place number: the index holds a row per notice.
    texts = []
    for _ in range(min(count, DISTINCT)):
        center = rng.choice(centers)
        county = rng.choice(counties[center.pk])
        pattern, category = rng.choice(WORKS)
        kind = rng.choice(TYPES[category])
        title = pattern.format(city=center.region.name, county=county.name, n=rng.randint(1, 9),
                               road=rng.choice(ROADS), year=2026) + "公告"
        budget = rng.randint(10, 90000) * 1000
        body = _body(rng, title, center.region.name, county.name, budget)
        doc = search._tsvector("\n".join([title, body, center.name, county.name]))
        texts.append((center.pk, county.pk, county.code, kind, category, title, body, budget, doc))
    print(f"  {len(texts):,} 种正文已生成", flush=True)
    for first in range(0, count, batch):
        rows = []
        for i in range(first, min(first + batch, count)):
            center_id, county_id, county_code, kind, category, title, body, budget, doc = rng.choice(texts)
            code = f"{county_code}2026{category}{i:07d}"
            published = now - dt.timedelta(minutes=rng.randint(0, 3 * 365 * 24 * 60))
            rows.append((center_id, county_id, kind, category, CATEGORY_NAMES[category], title, body, code, budget,
                         "[]", "[]", published, "published", "", f"{doc} '{code}':16000"))
        with raw.cursor() as cur, cur.copy(f"COPY disclosure_notice ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit() if not raw.autocommit else None
        print(f"  … {min(first + batch, count):,}", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX disclosure_notice_search_gin ON disclosure_notice USING gin (search_doc)")
        cursor.execute("ANALYZE disclosure_notice")


def _page(filters: dict) -> tuple[int, int]:
    """What the list page runs: the first 20 rows and the capped count."""
    from ggzy.disclosure import selectors
    from ggzy.disclosure.views import CappedPaginator

    filters = dict(filters)
    days = filters.pop("recent_days", None)
    if days:
        filters["date_from"] = dt.date(2026, 12, 1) - dt.timedelta(days=days)
    results = selectors.notice_search_public(**filters)
    rows = results[:20]
    count = results.count_upto(CappedPaginator.COUNT_CAP)
    return len(rows), count


def _explain(filters: dict) -> None:
    from django.db import connection

    from ggzy.disclosure import selectors

    filters = {k: v for k, v in filters.items() if k != "recent_days"}
    sql, params = selectors.notice_list_public(**filters)[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        print("\n".join("      " + row[0] for row in cursor.fetchall()))


def _measure(filters: dict, repeat: int) -> tuple[list[float], int]:
    _page(filters)  # warm
    times = []
    count = 0
    for _ in range(repeat):
        started = time.perf_counter()
        _, count = _page(filters)
        times.append((time.perf_counter() - started) * 1000)
    return times, count


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run(repeat: int, explain: bool = False) -> None:
    all_search: list[float] = []
    results = {}
    print(f"{'查询':<28}{'命中(封顶1001)':>14}{'中位 ms':>10}{'p95 ms':>10}")
    for label, filters in [*SEARCHES, BASELINE]:
        times, count = _measure(filters, repeat)
        if (label, filters) != BASELINE:
            all_search += times
        results[label] = {"hits": count, "median_ms": round(statistics.median(times), 1),
                          "p95_ms": round(_p95(times), 1)}
        print(f"{label:<28}{count:>14}{statistics.median(times):>10.1f}{_p95(times):>10.1f}", flush=True)
        if explain and statistics.median(times) > 50:
            _explain(filters)
    print(f"全部搜索：中位 {statistics.median(all_search):.1f} ms，p95 {_p95(all_search):.1f} ms；"
          f"基线（同一数据、同一次运行）：中位 {results[BASELINE[0]]['median_ms']} ms，"
          f"p95 {results[BASELINE[0]]['p95_ms']} ms")
    print(json.dumps({"search_median_ms": round(statistics.median(all_search), 1),
                      "search_p95_ms": round(_p95(all_search), 1), "baseline": results[BASELINE[0]]},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
