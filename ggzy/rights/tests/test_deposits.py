"""Deposits through virtual sub-accounts (issue 15 item 2): each registration its own sub-account; the center's
statement import matches arrivals to registrations, admits once the announced deposit is reached on time, keeps late
and unmatched arrivals to be returned; atomic (a bad row is named, nothing kept) and idempotent by 流水号."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.core.audit import AuditEntry
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.core.statements import STATEMENT_COLUMNS
from ggzy.rights.choices import RegistrationState
from ggzy.rights.models import RightsDepositArrival, RightsDepositImport, RightsRegistration
from ggzy.rights.services import deposits, registration

from .factories import SHANGHAI, listing_make

pytestmark = pytest.mark.django_db
ENDS = dt.datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI)


def _csv(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([STATEMENT_COLUMNS, *rows])
    return out.getvalue().encode(encoding)


def _row(serial, subaccount, amount, at="2026-03-02 10:00:00", payer="某某置业有限公司"):
    return [serial, at, payer, "6222020200001234567", "中国工商银行济南分行", subaccount, amount]


@pytest.fixture
def applied(make_user, centers):
    """A land listing (deposit 200,000) and two bidders who applied and were qualified, deposits not yet paid."""
    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
    staff = make_user(Role.CENTER_STAFF, center=centers["jinan"])
    listing = listing_make(make_user, centers["jinan"], listing_ends_at=ENDS, staff=staff)
    regs = []
    for _ in range(2):
        reg = registration.registration_apply(actor=make_user(Role.BIDDER), listing_id=listing.pk)
        regs.append(registration.registration_qualify(actor=staff, registration_id=reg.pk, approve=True))
    return listing, staff, regs


def test_each_registration_has_its_own_sub_account_naming_neither(applied):
    listing, _, (a, b) = applied
    assert a.subaccount and b.subaccount and a.subaccount != b.subaccount
    assert len(a.subaccount) == 18 and a.subaccount.startswith("8") and a.subaccount.isdigit()
    assert deposits.subaccount_for(listing_id=listing.pk, registration_id=a.pk) == a.subaccount


def test_arrivals_add_up_to_admission_and_the_import_is_idempotent(applied, centers):
    listing, staff, (a, b) = applied
    # when the statement has half of A's deposit, all of B's, and one arrival for nobody (GBK, as banks export)
    data = _csv([_row("S1", a.subaccount, "100,000.00"), _row("S2", b.subaccount, "200000"),
                 _row("S3", "812345678901234567", "5000", payer="张三")], encoding="gbk")
    done = deposits.deposit_statement_import(actor=staff, center=centers["jinan"], data=data, file_name="流水.csv")
    assert (done.rows, done.matched, done.unmatched, done.duplicates) == (3, 2, 1, 0)
    a.refresh_from_db()
    b.refresh_from_db()
    # then B is admitted with a paddle, A not yet (half paid)
    assert b.state == RegistrationState.ADMITTED and b.paddle and b.deposit_reference == "S2"
    assert a.state == RegistrationState.APPLIED and a.deposit_amount == 100000 and a.deposit_received_at is None
    # when the same file comes again with A's second half: the old rows are skipped, the new one admits A
    again = deposits.deposit_statement_import(
        actor=staff, center=centers["jinan"],
        data=_csv([_row("S1", a.subaccount, "100000"), _row("S4", a.subaccount, "100000", at="2026-03-03 11:00")]))
    assert (again.matched, again.duplicates) == (1, 1)
    a.refresh_from_db()
    assert a.state == RegistrationState.ADMITTED and a.deposit_amount == 200000
    assert a.deposit_received_at == dt.datetime(2026, 3, 3, 11, 0, tzinfo=SHANGHAI)
    # the unmatched arrival waits to be returned, once
    waiting = deposits.arrivals_to_return(user=staff, center=centers["jinan"])
    assert [x.serial for x in waiting] == ["S3"]
    deposits.arrival_return(actor=staff, arrival_id=waiting[0].pk, reference="TH-1")
    with pytest.raises(Conflict):
        deposits.arrival_return(actor=staff, arrival_id=waiting[0].pk, reference="TH-1")
    assert not deposits.arrivals_to_return(user=staff, center=centers["jinan"])
    # a matched, counted arrival is not "returned" by hand
    counted = RightsDepositArrival.objects.get(serial="S2")
    with pytest.raises(Conflict):
        deposits.arrival_return(actor=staff, arrival_id=counted.pk, reference="X")
    # matched arrivals are logged sealed against the listing; the import itself writes no open entry
    entries = AuditEntry.objects.filter(action="rights.deposit_arrival")
    assert entries.count() == 3 and not AuditEntry.objects.filter(action__contains="statement").exists()


def test_a_late_arrival_never_admits_and_is_to_be_returned(applied, centers):
    listing, staff, (a, _) = applied
    late_at = (listing.registration_closes_at + dt.timedelta(minutes=5)).astimezone(SHANGHAI)
    deposits.deposit_statement_import(actor=staff, center=centers["jinan"],
                                      data=_csv([_row("L1", a.subaccount, "200000",
                                                      at=late_at.strftime("%Y-%m-%d %H:%M:%S"))]))
    a.refresh_from_db()
    assert a.state == RegistrationState.APPLIED and a.deposit_received_at is None
    arrival = RightsDepositArrival.objects.get(serial="L1")
    assert arrival.late and arrival.registration_id == a.pk
    assert [x.serial for x in deposits.arrivals_to_return(user=staff, center=centers["jinan"])] == ["L1"]


@pytest.mark.parametrize(("rows", "where"), [
    ([["S1", "2026-03-02 10:00", "某公司", "6222", "工行", "{a}", "1e20"]], "第2行“金额”列"),
    ([["S1", "2026-03-02 10:00", "某公司", "6222", "工行", "{a}", "100"], ["S1", "2026-03-02 10:00", "某公司",
                                                                       "6222", "工行", "{a}", "100"]],
     "第3行“流水号”列"),
    ([["S1", "昨天", "某公司", "6222", "工行", "{a}", "100"]], "第2行“到账时间”列"),
    ([["S1", "2026-03-02 10:00", "某公司", "6222", "工行", "{a}", "NaN"]], "第2行“金额”列"),
])
def test_a_bad_row_is_named_and_nothing_is_kept(applied, centers, rows, where):
    _, staff, (a, _) = applied
    good = _row("G1", a.subaccount, "200000")
    data = _csv([good] + [[c.replace("{a}", a.subaccount) for c in row] for row in rows])
    with pytest.raises(DomainError) as refused:
        deposits.deposit_statement_import(actor=staff, center=centers["jinan"], data=data)
    assert where.replace("第2行", "第3行").replace("第3行“流水号”", "第4行“流水号”") in refused.value.message
    assert not RightsDepositArrival.objects.exists() and not RightsDepositImport.objects.exists()
    assert RightsRegistration.objects.get(pk=a.pk).deposit_amount is None


def test_a_changed_reimport_is_refused_and_only_the_centers_staff_import(applied, centers, make_user):
    _, staff, (a, _) = applied
    deposits.deposit_statement_import(actor=staff, center=centers["jinan"], data=_csv([_row("S1", a.subaccount, "1")]))
    with pytest.raises(DomainError, match="已导入，但金额"):
        deposits.deposit_statement_import(actor=staff, center=centers["jinan"],
                                          data=_csv([_row("S1", a.subaccount, "2")]))
    with pytest.raises(NotAllowed):
        deposits.deposit_statement_import(actor=a.bidder, center=centers["jinan"], data=_csv([_row("X", "8", "1")]))
    other = make_user(Role.CENTER_STAFF, center=centers["qingdao"])
    with pytest.raises(NotAllowed):
        deposits.deposit_statement_import(actor=other, center=centers["jinan"], data=_csv([_row("X", "8", "1")]))


def test_the_page_the_api_and_the_bidders_instructions(client, applied, centers):
    listing, staff, (a, b) = applied
    # the bidder sees where to pay, on the hall page and in the API's answer to a registration
    client.force_login(a.bidder)
    hall = client.get(f"/rights/{listing.pk}/").content.decode()
    assert a.subaccount in hall and b.subaccount not in hall and "¥200,000.00" in hall
    # the center imports through the page and through the API
    client.force_login(staff)
    page = client.get("/rights/deposits/")
    assert page.status_code == 200 and "收款子账号" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    posted = client.post("/rights/deposits/", {"file": SimpleUploadedFile(
        "s.csv", _csv([_row("P1", a.subaccount, "200000")]), content_type="text/csv")}, follow=True)
    assert "匹配子账号 1 笔" in posted.content.decode()
    api = client.post("/api/v1/rights/deposit-statements", {"file": SimpleUploadedFile(
        "t.csv", _csv([_row("P2", "899999999999999999", "10")]), content_type="text/csv")})
    assert api.status_code == 201 and api.json()["unmatched"] == 1
    waiting = client.get("/api/v1/rights/deposit-arrivals").json()
    assert [w["serial"] for w in waiting] == ["P2"]
    returned = client.post(f"/api/v1/rights/deposit-arrivals/{waiting[0]['id']}/return",
                           content_type="application/json", data={"reference": "TH-9"})
    assert returned.status_code == 200 and returned.json()["reference"] == "TH-9"
    bad = client.post("/api/v1/rights/deposit-statements", {"file": SimpleUploadedFile(
        "u.csv", b"\xff\xfe\x00garbage", content_type="text/csv")})
    assert bad.status_code == 400 and "file" in bad.json()["errors"]
