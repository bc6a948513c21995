"""Imports (Excel and CSV, all or nothing, idempotent by 来源业务编号) and the national lists' screening."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.credit_code import credit_code_make
from ggzy.core.errors import DomainError, NotAllowed
from ggzy.credit import imports, screening
from ggzy.credit.models import CreditRecord, Screening

pytestmark = pytest.mark.django_db

A = credit_code_make("91370100MA0000031")
B = credit_code_make("91440101MA0000032")


@pytest.fixture(autouse=True)
def _today():
    clock.freeze(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC))


@pytest.fixture
def staff(make_user, centers):
    return make_user(Role.CENTER_STAFF, center=centers["jinan"])


def _xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


LIST_HEADER = ["统一社会信用代码", "名称", "失信行为", "执行法院", "案号", "列入日期", "移出日期", "来源业务编号"]


def test_a_national_list_from_excel_is_imported_once_and_screened(staff):
    rows = [LIST_HEADER,
            [A, "山东某工程有限公司", "有履行能力而拒不履行生效法律文书确定义务", "济南市中级人民法院", "(2026)鲁01执12号",
             dt.datetime(2026, 3, 1), None, "ZX-2026-12"]]
    content = _xlsx(rows)
    report = imports.credit_import(actor=staff, file_name="失信被执行人.xlsx", content=content,
                                   national_list="dishonest_debtor")
    assert (report.rows, report.added, report.skipped, report.rejected) == (1, 1, 0, [])
    record = CreditRecord.objects.get()
    assert (record.source, record.kind, record.national_list) == ("court", "serious_breach", "dishonest_debtor")
    again = imports.credit_import(actor=staff, file_name="失信被执行人.xlsx", content=content,
                                  national_list="dishonest_debtor")
    assert (again.added, again.skipped) == (0, 1) and CreditRecord.objects.count() == 1
    # screening a lot's suppliers: one hit, one clean, each with the time it ran; a second run keeps the first
    result = screening.screening_run(actor=staff, context="lot:7", suppliers=[(A, "山东某工程有限公司"), (B, "广州某公司")])
    hits = {s.subject_key: s.hits for s in result}
    assert [h["list"] for h in hits[A]] == ["dishonest_debtor"] and hits[B] == []
    first_time = Screening.objects.get(subject_key=A).screened_at
    clock.advance(dt.timedelta(hours=1))
    screening.screening_run(actor=staff, context="lot:7", suppliers=[(A, "山东某工程有限公司")])
    assert Screening.objects.get(subject_key=A).screened_at == first_time


def test_a_file_with_a_bad_row_adds_nothing_and_names_row_and_column(staff):
    csv = ("统一社会信用代码,名称,事由,认定机关,决定日期\n"
           f"{A},甲公司,重大税收违法,国家税务总局济南市税务局,2026-05-01\n"
           f"{B},乙公司,重大税收违法,,2026-05-01\n"
           f"{B},乙公司,重大税收违法,国家税务总局济南市税务局,1e400\n").encode("gb18030")
    report = imports.credit_import(actor=staff, file_name="tax.csv", content=csv, national_list="tax_violation")
    assert report.added == 0 and not CreditRecord.objects.exists()
    assert [(r["row"], r["column"]) for r in report.rejected] == [(3, "认定机关"), (4, "决定日期")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("x.pdf", b"%PDF", "只能导入"),
    ("x.csv", b"", "文件为空"),
    ("x.xlsx", b"not a workbook", "无法读取"),
    ("x.csv", "名称\n甲\n".encode(), "表头缺少必需的列"),
])
def test_unreadable_files_are_refused_in_chinese(staff, name, content, message):
    with pytest.raises(DomainError, match=message):
        imports.credit_import(actor=staff, file_name=name, content=content)
    assert not CreditRecord.objects.exists()


def test_only_staff_and_supervisors_import(make_user):
    with pytest.raises(NotAllowed):
        imports.credit_import(actor=make_user(Role.BIDDER), file_name="x.csv", content=b"a")
