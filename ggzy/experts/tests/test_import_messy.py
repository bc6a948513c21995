"""The messy spreadsheet (issue 13 done-when): duplicates, bad ID numbers, missing titles, two employers — every
problem row reported with its column, nothing merged wrongly, and a second import of the same file changes nothing."""

import io

import pytest
from openpyxl import Workbook

from ggzy.core.errors import DomainError, NotAllowed
from ggzy.experts.identity import id_number_digest
from ggzy.experts.models import ConflictStatus, Expert, ImportStatus, PoolConflict
from ggzy.experts.services import pool_conflict_resolve, pool_import_create, pool_import_run
from ggzy.registry.models import Region
from ggzy.registry.personal_id import id_number_make

from .factories import ExpertFactory

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "身份证号码", "手机号码", "职称", "从业年限", "工作单位", "所在地区", "评标专业"]
ALICE = id_number_make("37010219700101001")
BOB = id_number_make("37020219720202002")
CAROL = id_number_make("37030219680303003")
YOUNG = id_number_make("37010219980404004")
BAD = ALICE[:17] + ("0" if ALICE[17] != "0" else "1")  # wrong check character


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MESSY = [
    ["王建国", ALICE, "13800000001", "高级工程师", 20, "济南城建集团", "济南市", "A08"],  # row 2: new
    [
        "王建国",
        ALICE,
        "13800000001",
        "高级工程师",
        20,
        "济南城建集团",
        "济南市",
        "A08",
    ],  # row 3: exact duplicate
    ["李错号", BAD, "13800000002", "高级工程师", 15, "某设计院", "济南", "A04"],  # row 4: bad ID number
    ["赵无职", id_number_make("37010219750505005"), "", "", 12, "某公司", "济南市", "A08"],  # row 5: no title
    ["钱两单", BOB, "13800000003", "教授级高级工程师", 25, "青岛港集团", "青岛市", "A05"],  # row 6: new
    [
        "钱两单",
        BOB,
        "13800000003",
        "教授级高级工程师",
        25,
        "青岛海湾建设",
        "青岛市",
        "A05",
    ],  # row 7: 2nd employer
    [
        "孙已在",
        CAROL,
        "",
        "正高级工程师",
        30,
        "淄博设计院",
        "淄博市",
        "A04；B01",
    ],  # row 8: in pool, other title
    ["周年轻", YOUNG, "", "高级工程师", 3, "某公司", "370100", "A08"],  # row 9: 3 years only
    [
        "吴无区",
        id_number_make("37010219660606006"),
        "",
        "高级工程师",
        18,
        "某公司",
        "火星市",
        "A08",
    ],  # row 10
    [
        "郑错类",
        id_number_make("37010219660707007"),
        "",
        "高级工程师",
        18,
        "某公司",
        "济南市",
        "Z99",
    ],  # row 11
]


@pytest.fixture
def staff(make_user, centers):
    return make_user("center_staff", center=centers["province"])


@pytest.fixture
def carol(db):
    return ExpertFactory(
        name="孙已在",
        id_number=CAROL,
        title="高级工程师",
        employer_name="淄博设计院",
        region=Region.objects.get(code="370300"),
        classifications=["A04"],
    )


def run(staff, content: bytes, name="济南市专家库.xlsx"):
    return pool_import_run(
        pool_import_create(actor=staff, source="济南市专家库", file_name=name, content=content).pk
    )


def test_messy_spreadsheet_every_problem_reported_nothing_merged_wrongly(staff, carol, frozen_clock):
    # when the messy file is imported
    done = run(staff, xlsx(MESSY))
    # then the counts add up to the ten rows
    assert done.status == ImportStatus.DONE
    assert (done.added, done.updated, done.unchanged, done.conflicting, done.rejected) == (2, 0, 0, 2, 6)
    assert done.total_rows == done.processed_rows == 10
    # and every problem row is reported with its column and reason
    issues = {(i.row_number, i.column): i.message for i in done.issues.all()}
    assert issues[(3, "")] == "与第2行重复，未重复导入"
    assert issues[(4, "身份证号码")] == "身份证号码校验位错误"
    assert issues[(5, "职称")] == "职称不能为空"
    assert issues[(9, "从业年限")].startswith("不符合入库条件：从业年限不足8年")
    assert issues[(10, "所在地区")] == "所在地区无效：火星市"
    assert issues[(11, "评标专业")] == "专业分类代码不存在：Z99"
    assert sorted({row for row, _ in issues}) == [3, 4, 5, 9, 10, 11]
    # and nobody was merged wrongly: the second employer and the other title wait side by side
    bob = Expert.objects.get(id_number_digest=id_number_digest(BOB))
    assert bob.employer_name == "青岛港集团" and bob.title_level == "senior_full"
    carol.refresh_from_db()
    assert carol.title == "高级工程师"
    conflicts = {
        (c.expert_id, c.field): (c.current_value, c.incoming_value, c.row_number)
        for c in PoolConflict.objects.all()
    }
    assert conflicts == {
        (bob.pk, "employer_name"): ("青岛港集团", "青岛海湾建设", 7),
        (carol.pk, "title"): ("高级工程师", "正高级工程师", 8),
        (carol.pk, "title_level"): ("副高级", "正高级", 8),
    }
    # the new classification of an existing expert is added (merge, not conflict); the bad number made no one
    assert set(carol.classifications.values_list("classification_id", flat=True)) == {"A04", "B01"}
    assert Expert.objects.count() == 3
    # and the ID numbers are stored once per person, encrypted, and never in the report
    assert not any(ALICE in i.message or BAD in i.message for i in done.issues.all())


def test_the_same_file_again_changes_nothing(staff, carol, frozen_clock):
    run(staff, xlsx(MESSY))
    again = run(staff, xlsx(MESSY))
    assert (again.added, again.updated, again.conflicting) == (0, 0, 2)  # still-open conflicts, not new ones
    assert PoolConflict.objects.count() == 3
    assert Expert.objects.count() == 3


def test_resolving_a_conflict_takes_the_chosen_value(staff, carol, frozen_clock):
    run(staff, xlsx(MESSY))
    conflict = PoolConflict.objects.get(field="employer_name")
    pool_conflict_resolve(actor=staff, conflict=conflict, take_incoming=True)
    conflict.refresh_from_db()
    assert conflict.status == ConflictStatus.REPLACED and conflict.resolved_by == staff
    assert conflict.expert.employer_name == "青岛海湾建设"
    with pytest.raises(DomainError, match="该冲突已处理"):
        pool_conflict_resolve(actor=staff, conflict=conflict, take_incoming=False)
    kept = PoolConflict.objects.get(field="title")
    pool_conflict_resolve(actor=staff, conflict=kept, take_incoming=False)
    carol.refresh_from_db()
    assert carol.title == "高级工程师"
    # a third import does not reopen what staff decided
    again = run(staff, xlsx(MESSY))
    assert (
        PoolConflict.objects.filter(status=ConflictStatus.OPEN).count() == 1
    )  # only title_level is still open
    assert again.added == 0


def test_csv_in_gbk_imports_like_excel(staff, frozen_clock):
    text = ",".join(HEADER) + "\n" + ",".join(str(v) for v in MESSY[0]) + "\n"
    done = run(staff, text.encode("gb18030"), name="dept.csv")
    assert done.added == 1 and done.rejected == 0


def test_a_file_without_required_columns_fails_as_a_whole(staff, frozen_clock):
    done = run(staff, b"name,phone\nx,1\n", name="x.csv")
    assert done.status == ImportStatus.FAILED and "表头缺少必需的列" in done.error
    assert Expert.objects.count() == 0


def test_only_staff_import_and_bad_files_are_refused(make_user, staff):
    with pytest.raises(NotAllowed):
        pool_import_create(actor=make_user("bidder"), source="x", file_name="a.csv", content=b"x")
    with pytest.raises(DomainError, match="只能导入"):
        pool_import_create(actor=staff, source="x", file_name="a.xls", content=b"x")
    with pytest.raises(DomainError, match="来源专家库"):
        pool_import_create(actor=staff, source=" ", file_name="a.csv", content=b"x")
