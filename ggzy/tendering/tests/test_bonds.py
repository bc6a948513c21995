"""Bid bonds as centers take them: sub-accounts, imported bank arrivals, the checks that block a bid, electronic
guarantees, refunds — and that staff see nothing per lot before the opening."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ggzy.core import clock
from ggzy.core.errors import DomainError
from ggzy.core.models import AuditEntry
from ggzy.registry.tests.factories import BankAccountFactory
from ggzy.tendering import sealing, services
from ggzy.tendering.choices import LotState
from ggzy.tendering.models import BankArrival, BankStatementImport, BidBond, BondRefund, GuaranteeIssuer
from ggzy.tendering.services import bidding, bond_imports, bonds, opening

from .conftest import bond_arrive, lot_ready, statement_csv

pytestmark = pytest.mark.django_db


def _bid(world, lot, i=0):
    return bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": "7600000.00"},
                              files=[bidding.IncomingFile("a.pdf", [b"proposal"])])


def _signed_up(world, i=0):
    lot = lot_ready(world)
    services.signup_create(actor=world.bidders[i], lot=lot)
    return lot


def _bond(lot):
    return BidBond.objects.get(signup__lot=lot)


# --- sub-accounts -----------------------------------------------------------------------------------------------
def test_each_signup_gets_an_opaque_subaccount(world):
    # given two bidders signed up for one lot
    lot = _signed_up(world, 0)
    services.signup_create(actor=world.bidders[1], lot=lot)
    # then each has its own 18-digit sub-account, derived from the keyed tag, naming neither lot nor bidder
    numbers = list(BidBond.objects.filter(signup__lot=lot).values_list("subaccount", flat=True))
    assert len(set(numbers)) == 2 and all(len(n) == 18 and n.isdigit() for n in numbers)
    assert all(lot.code not in n and lot.tender_code not in n for n in numbers)
    signup = BidBond.objects.get(subaccount=numbers[0]).signup
    assert numbers[0] == sealing.bond_subaccount(lot_id=lot.pk, bidder_tag=signup.bidder_tag)


def test_bidder_sees_where_and_how_much_to_pay(client, world):
    lot = _signed_up(world)
    client.force_login(world.bidders[0])
    html = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert _bond(lot).subaccount in html and "济南公共资源交易中心保证金专户" in html
    assert "待缴纳" in html and "¥10,000.00" in html
    api = client.get(f"/api/v1/tendering/lots/{lot.pk}/bond").json()
    assert api["subaccount"] == _bond(lot).subaccount and api["state"] == "pending" and api["required"] == "10000.00"
    # and another bidder, not signed up, gets no bond of it
    client.force_login(world.bidders[1])
    assert client.get(f"/api/v1/tendering/lots/{lot.pk}/bond").status_code == 403


# --- the checks that block the bid ------------------------------------------------------------------------------
def test_short_bond_blocks_the_bid_with_the_reason(world):
    # given ¥100 arrived against ¥10,000
    lot = _signed_up(world)
    bond_arrive(world, lot, 0, amount="100")
    # when the bidder bids, then it is refused with both amounts
    with pytest.raises(DomainError) as err:
        _bid(world, lot)
    assert err.value.errors["bond"] == ["保证金不足：应缴 ¥10,000.00，已到账 ¥100.00"]
    assert services.bond_status(actor=world.bidders[0], lot=lot).state == bonds.SHORT


def test_short_bond_refused_on_the_page_and_in_the_api(client, world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0, amount="100")
    client.force_login(world.bidders[0])
    page = client.post(f"/tendering/lots/{lot.pk}/act/bid/", {"total_price": "7600000",
                       "files": [SimpleUploadedFile("a.pdf", b"abc")]}, follow=True).content.decode()
    assert "保证金不足：应缴 ¥10,000.00，已到账 ¥100.00" in page and "金额不足" in page
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bid", {
        "price_sheet": '{"total_price": "7600000"}', "files": [SimpleUploadedFile("a.pdf", b"abc")]})
    assert response.status_code == 400
    assert response.json()["errors"]["bond"] == ["保证金不足：应缴 ¥10,000.00，已到账 ¥100.00"]
    assert not lot.bids.exists()


def test_bond_paid_in_two_parts_is_enough(world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0, amount="4000")
    bond_arrive(world, lot, 0, amount="6000")
    assert _bid(world, lot).pk and services.bond_status(actor=world.bidders[0], lot=lot).state == bonds.ARRIVED


def test_bond_from_an_account_that_is_not_basic_blocks_the_bid_naming_it(world):
    # given the bidder's general account (一般户), registered but not its basic account
    lot = _signed_up(world)
    BankAccountFactory(entity=world.bidder_entities[0], account_number="6222000011112222", is_basic=False)
    bond_arrive(world, lot, 0, account="6222000011112222")
    with pytest.raises(DomainError) as err:
        _bid(world, lot)
    message = err.value.errors["bond"][0]
    assert message.startswith("保证金付款账户不符") and "****2222" in message and "基本账户" in message
    assert services.bond_status(actor=world.bidders[0], lot=lot).state == bonds.WRONG_PAYER


def test_bond_from_a_stranger_account_blocks_the_bid(world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0, account="9999888877776666")
    with pytest.raises(DomainError) as err:
        _bid(world, lot)
    assert "****6666" in err.value.errors["bond"][0]


def test_full_bond_from_the_basic_account_lets_the_bid_in(client, world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0)
    assert _bid(world, lot).pk
    client.force_login(world.bidders[0])
    assert "已到账" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


# --- the statement import ---------------------------------------------------------------------------------------
def _row(serial, subaccount, amount="10000", account="3701000088889999"):
    return [serial, "2026-03-02 08:30:00", "山东鲁建建设集团有限公司", account, "中国工商银行济南分行", subaccount, amount]


def test_import_is_idempotent_by_serial(world):
    lot = _signed_up(world)
    data = statement_csv([_row("LS-1", _bond(lot).subaccount, "3000"), _row("LS-2", "123456789012345678", "50")])
    first = bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=data)
    again = bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=data)
    assert (first.rows, first.matched, first.unmatched, first.duplicates) == (2, 1, 1, 0)
    assert (again.rows, again.matched, again.unmatched, again.duplicates) == (2, 0, 0, 2)
    assert _bond(lot).amount == 3000 and BankArrival.objects.count() == 2


def test_a_malformed_row_names_row_and_column_and_changes_nothing(world):
    lot = _signed_up(world)
    good = _row("LS-1", _bond(lot).subaccount)
    bad = _row("LS-2", _bond(lot).subaccount)
    bad[1] = "昨天下午"
    audits = AuditEntry.objects.count()
    with pytest.raises(DomainError) as err:
        bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=statement_csv([good, bad]))
    assert err.value.errors["file"][0].startswith("第3行“到账时间”列")
    assert not BankArrival.objects.exists() and not BankStatementImport.objects.exists()
    assert _bond(lot).amount == 0 and AuditEntry.objects.count() == audits


@pytest.mark.parametrize(("change", "expected"), [
    pytest.param({6: "-5"}, "第2行“金额”列", id="negative-amount"),
    pytest.param({5: "abc"}, "第2行“收款子账号”列：应为数字", id="subaccount-not-digits"),
    pytest.param({0: ""}, "第2行“流水号”列：不能为空", id="empty-serial"),
])
def test_bad_cells_are_named(world, change, expected):
    row = _row("LS-1", "123")
    for column, value in change.items():
        row[column] = value
    with pytest.raises(DomainError) as err:
        bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=statement_csv([row]))
    assert err.value.errors["file"][0].startswith(expected)


def test_missing_column_and_gbk_file(world):
    with pytest.raises(DomainError) as err:
        bond_imports.bank_statement_import(actor=world.staff, center=world.center, data="流水号,金额\nA,1\n".encode())
    assert "缺少列" in err.value.errors["file"][0] and "收款子账号" in err.value.errors["file"][0]
    lot = _signed_up(world)
    gbk = statement_csv([_row("LS-9", _bond(lot).subaccount)], encoding="gbk")
    statement = bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=gbk)
    assert statement.matched == 1 and _bond(lot).amount == 10000


def test_payer_is_stored_sealed_for_a_matched_arrival_and_in_clear_for_an_unmatched_one(world):
    lot = _signed_up(world)
    data = statement_csv([_row("LS-1", _bond(lot).subaccount), _row("LS-2", "111122223333444455", "50",
                                                                     account="6200001")])
    bond_imports.bank_statement_import(actor=world.staff, center=world.center, data=data)
    matched, unmatched = BankArrival.objects.get(serial="LS-1"), BankArrival.objects.get(serial="LS-2")
    assert matched.payer_name == matched.payer_account == "" and matched.payer_sealed
    assert b"3701000088889999" not in bytes(matched.payer_sealed)
    assert unmatched.payer_account == "6200001" and unmatched.bond is None


def test_only_staff_of_the_center_import(client, world):
    lot = _signed_up(world)
    data = statement_csv([_row("LS-1", _bond(lot).subaccount)])
    client.force_login(world.bidders[0])
    assert client.post("/api/v1/tendering/bonds/statements", {"file": SimpleUploadedFile("s.csv", data)}
                       ).status_code == 403
    client.logout()
    assert client.post("/api/v1/tendering/bonds/statements", {"file": SimpleUploadedFile("s.csv", data)}
                       ).status_code == 401
    # another center's staff imports into its own center: the Jinan sub-account is not there
    client.force_login(world.other_staff)
    response = client.post("/api/v1/tendering/bonds/statements", {"file": SimpleUploadedFile("s.csv", data)})
    assert response.status_code == 201 and response.json()["matched"] == 0
    assert _bond(lot).amount == 0


# --- sealed: staff see nothing per lot before the opening -------------------------------------------------------
def test_staff_pages_and_api_show_no_lot_and_no_per_lot_count_before_the_opening(client, world):
    # given three bidders who paid, one who withdrew (its refund is due) — the lot not yet opened
    lot = lot_ready(world)
    for i in range(3):
        services.signup_create(actor=world.bidders[i], lot=lot)
        bond_arrive(world, lot, i)
    _bid(world, lot, 2)
    bidding.bid_withdraw(actor=world.bidders[2], lot=lot)
    client.force_login(world.staff)
    html = client.get("/tendering/bonds/").content.decode()
    api = [client.get(f"/api/v1/tendering/bonds/{p}").content.decode() for p in ("statements", "refunds",
                                                                                  "unmatched")]
    # then nothing names the lot or a bidder
    for text in [html, *api]:
        assert lot.code not in text and lot.name not in text and lot.project.title not in text
        for entity in world.bidder_entities:
            assert entity.name not in text and entity.credit_code not in text
        assert "3701000088889999" not in text
    # and the refund is listed by its opaque sub-account only
    refunds = client.get("/api/v1/tendering/bonds/refunds").json()
    assert [r["lot_code"] for r in refunds] == [None] and refunds[0]["subaccount"] == BidBond.objects.get(
        pk=BondRefund.objects.get().bond_id).subaccount
    # and per import only rows and matches are shown (one import per arrival here)
    assert [s["rows"] for s in client.get("/api/v1/tendering/bonds/statements").json()] == [1, 1, 1]


def test_bidder_page_shows_its_own_bond_only(client, world):
    lot = lot_ready(world)
    for i in range(2):
        services.signup_create(actor=world.bidders[i], lot=lot)
    bond_arrive(world, lot, 0)
    client.force_login(world.bidders[1])
    html = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    mine, other = (BidBond.objects.get(signup__bidder_tag=sealing.bidder_tag(
        lot_id=lot.pk, entity_id=world.bidder_entities[i].pk)) for i in (1, 0))
    assert mine.subaccount in html and other.subaccount not in html and "待缴纳" in html


# --- electronic guarantees --------------------------------------------------------------------------------------
def _guarantee(world, lot, *, number="BH-2026-0001", credit=None, beneficiary=None, lot_code=None, amount="10000",
               valid_until=None):
    issuer, _ = GuaranteeIssuer.objects.get_or_create(code="ICBC-SD", defaults={"name": "中国工商银行山东省分行"})
    valid_until = valid_until or (clock.today() + dt.timedelta(days=200))
    row = [number, credit or world.bidder_entities[0].credit_code, beneficiary or world.tenderer_entity.name,
           lot_code or lot.code, amount, valid_until.isoformat()]
    data = (",".join(bond_imports.GUARANTEE_COLUMNS) + "\n" + ",".join(row) + "\n").encode()
    return bond_imports.guarantee_records_import(actor=world.staff, center=world.center, issuer=issuer, data=data)


def test_guarantee_accepted_lets_the_bid_in(client, world):
    lot = _signed_up(world)
    _guarantee(world, lot)
    services.bond_guarantee_submit(actor=world.bidders[0], lot=lot, number="BH-2026-0001")
    assert _bid(world, lot).pk
    client.force_login(world.bidders[0])
    assert "保函已核验" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


@pytest.mark.parametrize(("record", "number", "expected"), [
    pytest.param({}, "BH-NOPE", "保函编号 BH-NOPE 未找到", id="unknown-number"),
    pytest.param({"lot_code": "other"}, "BH-2026-0001", "保函担保的标段为", id="wrong-lot"),
    pytest.param({"credit": "91370000000000000X"}, "BH-2026-0001", "保函申请人不是本单位", id="wrong-applicant"),
    pytest.param({"beneficiary": "某某公司"}, "BH-2026-0001", "保函受益人“某某公司”不是本项目招标人", id="wrong-beneficiary"),
    pytest.param({"amount": "9999.99"}, "BH-2026-0001", "保函金额不足：应缴 ¥10,000.00，保函金额 ¥9,999.99",
                 id="short-amount"),
    pytest.param({"valid_until": "deadline+30"}, "BH-2026-0001", "短于投标有效期", id="expires-before-validity"),
])
def test_guarantee_refused_with_the_reason(client, world, record, number, expected):
    lot = _signed_up(world)
    if record.get("lot_code") == "other":
        record["lot_code"] = lot_ready(world).code
    if record.get("valid_until") == "deadline+30":
        record["valid_until"] = lot.bid_deadline.date() + dt.timedelta(days=30)
    _guarantee(world, lot, **record)
    with pytest.raises(DomainError) as err:
        services.bond_guarantee_submit(actor=world.bidders[0], lot=lot, number=number)
    assert expected in err.value.errors["guarantee_number"][0]
    assert _bond(lot).guarantee_id is None
    # and through the API the same reason
    client.force_login(world.bidders[0])
    response = client.post(f"/api/v1/tendering/lots/{lot.pk}/bond/guarantee", {"guarantee_number": number},
                           content_type="application/json")
    assert response.status_code == 400 and expected in response.json()["errors"]["guarantee_number"][0]


def test_guarantee_records_import_is_idempotent_and_names_nobody(world):
    lot = _signed_up(world)
    assert _guarantee(world, lot) == {"rows": 1, "created": 1, "duplicates": 0}
    assert _guarantee(world, lot) == {"rows": 1, "created": 0, "duplicates": 1}
    from ggzy.tendering.models import GuaranteeRecord

    record = GuaranteeRecord.objects.get()
    assert world.bidder_entities[0].credit_code not in repr(record.__dict__)


# --- refunds ----------------------------------------------------------------------------------------------------
def test_withdrawal_makes_the_bond_due_within_five_days(client, world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0)
    _bid(world, lot)
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    refund = BondRefund.objects.get()
    assert refund.due_on == clock.today() + dt.timedelta(days=5) and refund.reason == "撤回投标"
    client.force_login(world.bidders[0])
    assert "待退还" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


def test_a_bond_never_paid_is_not_due_for_refund(world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0)
    _bid(world, lot)
    services.signup_create(actor=world.bidders[1], lot=lot)  # signed up, never paid
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    assert BondRefund.objects.count() == 1


def test_overdue_refunds_are_flagged_once_and_shown_to_staff(client, world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0)
    _bid(world, lot)
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    assert bonds.bond_refunds_flag_overdue() == 0  # not yet due
    clock.advance(dt.timedelta(days=6))
    assert bonds.bond_refunds_flag_overdue() == 1
    assert bonds.bond_refunds_flag_overdue() == 0  # idempotent
    client.force_login(world.staff)
    html = client.get("/tendering/bonds/").content.decode()
    assert 'class="overdue"' in html and "已逾期" in html
    # when staff record the refund with the bank's reference
    refund = BondRefund.objects.get()
    response = client.post("/tendering/bonds/act/refund/", {"refund": refund.pk, "reference": "TK20260308001"},
                           follow=True)
    assert "已登记退还" in response.content.decode()
    assert BidBond.objects.get().refund_reference == "TK20260308001"
    client.force_login(world.bidders[0])
    assert "已退还" in client.get(f"/tendering/lots/{lot.pk}/").content.decode()


def test_refund_needs_a_reference_and_staff(client, world):
    lot = _signed_up(world)
    bond_arrive(world, lot, 0)
    _bid(world, lot)
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    refund = BondRefund.objects.get()
    with pytest.raises(DomainError) as err:
        bonds.bond_refund_record(actor=world.staff, refund=refund, reference=" ")
    assert "reference" in err.value.errors
    client.force_login(world.bidders[0])
    response = client.post(f"/api/v1/tendering/bonds/refunds/{refund.pk}/refunded", {"reference": "X"},
                           content_type="application/json")
    assert response.status_code == 403 and BidBond.objects.get().refunded_at is None


# --- the center's bond account and issuers ----------------------------------------------------------------------
def test_staff_register_the_bond_account_and_an_issuer_on_the_desk(client, world):
    client.force_login(world.other_staff)
    response = client.post("/tendering/bonds/act/account/", {"account_name": "青岛公共资源交易中心保证金专户",
                           "bank_name": "中国银行青岛分行", "account_number": "2106 0000 1111"}, follow=True)
    assert "保证金专户已登记" in response.content.decode()
    assert world.other_staff.center.bond_account.account_number == "210600001111"
    response = client.post("/tendering/bonds/act/account/", {"account_name": "", "bank_name": "x",
                           "account_number": "1"}, follow=True)
    assert "请填写账户名称" in response.content.decode()
    response = client.post("/tendering/bonds/act/issuer/", {"code": "BOC-QD", "name": "中国银行青岛分行",
                           "kind": "bank"}, follow=True)
    assert "出函机构已登记" in response.content.decode() and GuaranteeIssuer.objects.filter(code="BOC-QD").exists()
    # and a bidder may not
    client.force_login(world.bidders[0])
    assert client.post("/tendering/bonds/act/issuer/", {"code": "X", "name": "Y", "kind": "bank"}).status_code == 403
    assert not GuaranteeIssuer.objects.filter(code="X").exists()


def test_a_failed_lot_makes_every_bond_due_and_releases_guarantees(client, world):
    # given two bidders with bids (one paid by transfer, one by guarantee) and a third signed up who never paid
    lot = _signed_up(world, 0)
    bond_arrive(world, lot, 0)
    _bid(world, lot, 0)
    services.signup_create(actor=world.bidders[1], lot=lot)
    _guarantee(world, lot, credit=world.bidder_entities[1].credit_code)
    services.bond_guarantee_submit(actor=world.bidders[1], lot=lot, number="BH-2026-0001")
    _bid(world, lot, 1)
    services.signup_create(actor=world.bidders[2], lot=lot)
    # before the opening staff see no refund at all (nothing per lot)
    client.force_login(world.staff)
    assert client.get("/api/v1/tendering/bonds/refunds").json() == []
    assert not BondRefund.objects.exists()
    # when the lot opens with fewer than three bids and fails (流标)
    clock.advance(dt.timedelta(days=21, minutes=1))
    opened_on = clock.today()
    lot = opening.lot_open(actor=world.staff, lot=lot)
    assert lot.state == LotState.FAILED
    # then both bonds that stand fall due within the template's five days, the guarantee to be released
    refunds = {r.bond.signup.bidder_tag: r for r in BondRefund.objects.select_related("bond__signup")}
    assert len(refunds) == 2
    assert all(r.reason == "流标" and r.due_on == opened_on + dt.timedelta(days=5) for r in refunds.values())
    assert sorted(r.bond.guarantee_id is not None for r in refunds.values()) == [False, True]
    # and staff's list shows them with the lot; the transfer to refund, the guarantee to release
    rows = client.get("/api/v1/tendering/bonds/refunds").json()
    assert [r["lot_code"] for r in rows] == [lot.code, lot.code]
    html = client.get("/tendering/bonds/").content.decode()
    assert lot.code in html and "流标" in html and "电子保函（解除）" in html and "转账（退还）" in html
    # and failing again changes nothing (idempotent)
    assert opening.lot_open(actor=world.staff, lot=lot).state == LotState.FAILED
    opening._failed_lot_bonds_due(lot)
    assert BondRefund.objects.count() == 2


def test_a_failed_lot_keeps_a_withdrawn_bids_refund_as_it_was(world):
    lot = _signed_up(world, 0)
    bond_arrive(world, lot, 0)
    _bid(world, lot, 0)
    bidding.bid_withdraw(actor=world.bidders[0], lot=lot)
    clock.advance(dt.timedelta(days=21, minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    assert list(BondRefund.objects.values_list("reason", flat=True)) == ["撤回投标"]
