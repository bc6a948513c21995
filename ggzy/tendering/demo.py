"""Demo tendering data: one lot open for bids now, one finished and archived, one failed, one awaiting acceptance.

The finished and failed lots are played through the same services as real ones, with the platform clock set back
to their dates — working days, office hours — while the loader runs (the clock is returned to real time at the
end). Idempotent. The archived lot's opening record and evaluation report are signed with the test PKI under
var/pki on the days of their steps (when var/pki is older than those days; otherwise at load time), so its page
shows verified signatures dated like the steps.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ggzy.accounts.models import User
from ggzy.catalog.calendar import office_moment
from ggzy.centers import services as centers
from ggzy.core import clock
from ggzy.pki import der
from ggzy.pki.bindings import person_certificate_register
from ggzy.pki.models import Algorithm
from ggzy.pki.signing_cms import (
    OID_CONTENT_TYPE,
    OID_DATA,
    OID_MESSAGE_DIGEST,
    OID_SIGNED_DATA,
    OID_SIGNING_TIME,
)
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.registry.models import Center, MarketEntity, Region
from ggzy.registry.services import entity_account_link
from ggzy.supervision import services as supervision

from . import demo_committee, demo_gp, sealing, services
from .demo_complaints import demo_complaints_load
from .documents import document_of
from .models import BidBond, BondAccount, BondRefund, GuaranteeIssuer, Project
from .procedures import lot_fresh
from .services import bidding, bond_imports, bonds, evaluation, opening, result, signatures
from .services.project_documents import project_document_add

MARK = "（演示）"
# A test PKI the loader builds is valid from this long ago, so the archived lot's records can be signed on the
# days of their steps (about 70 days back).
PKI_BACKDATE = dt.timedelta(days=120)
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_ECDSA_SHA256 = "1.2.840.10045.4.3.2"


def _users(*names):
    return [User.objects.get(username=n) for n in names]


def _office(moment: dt.datetime, hour: int, minute: int = 0, *, forward: bool = False) -> dt.datetime:
    """``moment``'s day at hh:mm, moved to a working day: past demo events fall in office hours."""
    return office_moment(moment, dt.time(hour, minute), forward=forward)


def _publish(owner, staff, title, *, days_to_deadline=21, price="12800000", method="works_open_tender",
             region="370112", deadline=None, lot_terms=None):
    project = services.project_register(
        actor=owner, center=Center.objects.get(code="370100"), region=Region.objects.get(code=region),
        title=title + MARK, method=method, estimated_price=price,
        lots=[{"name": "施工一标段", "estimated_price": price, "qualification_required": "建筑工程施工总承包",
               **(lot_terms or {})}],
        description="详见招标公告。")
    services.project_accept(actor=staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=owner, lot=lot, name="招标文件.pdf", content=f"%PDF 招标文件 {title}".encode())
    now = clock.now()
    # Dates people act on fall on working days: the sale ends at 17:00, the deadline (= opening) is 09:30.
    services.lot_schedule(actor=owner, lot=lot, bond_amount="50000",
                          notice_text=f"{title}已具备招标条件，现公开招标。投标人须具备建筑工程施工总承包二级及以上资质，"
                                      "投标文件须加密后在线递交。",
                          documents_sale_end=_office(now + dt.timedelta(days=6), 17, forward=True),
                          bid_deadline=deadline or _office(now + dt.timedelta(days=days_to_deadline), 9, 30,
                                                           forward=True))
    services.lot_publish(actor=staff, lot=lot)
    return lot


_serial = iter(range(1, 10**6))


def _bond_pay(user, lot, staff, *, by_guarantee=False):
    """The bidder's bond reaches the platform as it does at a center: a transfer from its basic account to its
    sub-account, seen in the bond account's imported statement — or an electronic guarantee the issuer reported."""
    lot = lot_fresh(lot)
    entity = MarketEntity.objects.get(accounts__user=user)
    bond = BidBond.objects.get(signup__lot=lot, signup__bidder_tag=sealing.bidder_tag(lot_id=lot.pk,
                                                                                       entity_id=entity.pk))
    if by_guarantee:
        issuer, _ = GuaranteeIssuer.objects.get_or_create(code="PICC-SD", defaults={
            "name": "中国人民财产保险股份有限公司山东省分公司", "kind": "insurance"})
        number = f"PICC-TB-{lot.code}-{next(_serial):04d}"
        valid_until = timezone.localdate(lot.bid_deadline) + dt.timedelta(days=lot.bid_validity_days + 30)
        row = [number, entity.credit_code, lot.project.tenderer.name, lot.code, lot.bond_amount, valid_until]
        data = (",".join(bond_imports.GUARANTEE_COLUMNS) + "\n" + ",".join(str(c) for c in row) + "\n").encode()
        bond_imports.guarantee_records_import(actor=staff, center=lot.project.center, issuer=issuer, data=data)
        services.bond_guarantee_submit(actor=user, lot=lot, number=number)
        return
    account = entity.bank_accounts.filter(is_basic=True).first()
    if account is None:
        raise RuntimeError(f"演示主体{entity.name}没有基本账户，无法缴纳保证金")
    arrived = timezone.localtime(clock.now() - dt.timedelta(minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
    row = [f"DEMO{timezone.localdate(clock.now()):%Y%m%d}{next(_serial):06d}", arrived, account.account_name,
           account.account_number, account.bank_name, bond.subaccount, lot.bond_amount]
    # banks export statements in GBK
    data = (",".join(bond_imports.STATEMENT_COLUMNS) + "\n" + ",".join(str(c) for c in row) + "\n").encode("gbk")
    bond_imports.bank_statement_import(actor=staff, center=lot.project.center, data=data, file_name="保证金专户流水.csv")


def _bid(user, lot, price, *, staff, by_guarantee=False, mac=None):
    """One bid; each demo bidder has its own machine (MAC and public IP) unless ``mac`` says otherwise."""
    services.signup_create(actor=user, lot=lot)
    _bond_pay(user, lot, staff, by_guarantee=by_guarantee)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 365, "quality": "合格"},
                       files=[bidding.IncomingFile("投标文件.pdf", [f"%PDF 投标文件 {user.username}".encode()])],
                       fingerprint={"mac": mac or f"52:54:00:{user.pk:02x}:00:01",
                                    "public_ip": f"10.8.{user.pk % 250}.1"})


def _documents_amended(owner, bidder, lot) -> None:
    """The bidder downloads the documents; the owner then publishes an amendment (v2) and a drawing with a
    clarification, so the lot page shows versions and the bidder has a message naming the current version."""
    from .services import tender_documents

    v1 = lot_fresh(lot).documents.get(version=1)
    b"".join(tender_documents.document_download(actor=bidder, lot=lot, document_id=v1.pk).chunks)
    services.lot_document_add(actor=owner, lot=lot, name="招标文件（第1次修改）.pdf", kind="amendment",
                              supersedes_id=v1.pk, content="%PDF 招标文件 第1次修改：第三章绿化苗木规格调整".encode())
    services.lot_document_add(actor=owner, lot=lot, name="苗木规格表.xlsx", kind="attachment",
                              content=b"PK demo planting schedule")
    services.lot_clarify(actor=owner, lot=lot, text="第三章技术要求中乔木胸径由8厘米调整为10厘米，详见修改后的招标文件及苗木规格表。")


def demo_tendering_load(stdout=None) -> int:
    if Project.objects.filter(title__endswith=MARK).exists():
        # Loaded before: the stages stay as they are, and a new live lot is added when the last one has opened.
        with transaction.atomic():
            demo_live_lot_ensure(stdout)
        return 0
    with transaction.atomic():
        loaded = _load(stdout)
        demo_live_lot_ensure(stdout)
        return loaded


def _load(stdout) -> int:
    _ISSUED.clear()
    for username, entity_name in _extra_links().items():
        user = User.objects.filter(username=username).first()
        entity = MarketEntity.objects.filter(name=entity_name).first()
        if user and entity:
            entity_account_link(actor=None, entity=entity, user=user)
    owner, staff = _users("zhaobiao", "jinan_staff")
    BondAccount.objects.get_or_create(center=Center.objects.get(code="370100"), defaults={
        "bank_name": "中国建设银行济南分行营业部", "account_name": "济南公共资源交易中心投标保证金专户",
        "account_number": "37050161880109001234"})
    bidders = _users("toubiao", "toubiao2", "toubiao3", "toubiao4")
    experts = _users("zhuanjia", "zhuanjia2", "zhuanjia3", "zhuanjia4", "zhuanjia5")
    real_now = clock.now()
    # The test PKI signs the archived lot's records on the days of their steps, so it must be valid from before.
    ca_certificate, ca_key = _demo_ca(demo_pki_directory(), built_at=real_now - PKI_BACKDATE)
    started = _office(real_now - dt.timedelta(days=70), 9)
    # A var/pki made by an earlier run may be younger than the archived lot's steps: then sign today, as before.
    sign_on_steps = ca_certificate.not_valid_before_utc <= started - dt.timedelta(days=1)
    signed = 0
    try:
        # A finished tender, published about 70 days ago (a working day, 09:00) → archived.
        clock.freeze(started)
        # the members sign their recusal declarations with person certificates valid from a day before this
        declaration_ca = ((ca_certificate, ca_key) if demo_committee.signing_ready(started, ca_certificate)
                          else demo_committee.fresh_ca(not_before=real_now - PKI_BACKDATE,
                                                       days=365 + PKI_BACKDATE.days))
        demo_committee.declaration_keys(experts, ca=declaration_ca, issue=_person_certificate,
                                        directory=demo_pki_directory() / "tendering-demo")
        lot = _publish(owner, staff, "历城区第二实验小学教学楼建设工程")
        published = clock.now()
        for index, (user, price) in enumerate(zip(bidders[:3], ["12450000.00", "12180000.00", "12620000.00"],
                                                  strict=True)):
            clock.freeze(_office(published + dt.timedelta(days=1 + 2 * index), 10 + 2 * index, 15, forward=True))
            _bid(user, lot, price, staff=staff, by_guarantee=user == bidders[2])
        deadline = lot_fresh(lot).bid_deadline
        clock.freeze(deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=staff, lot=lot)
        clock.advance(dt.timedelta(minutes=9))
        opening.opening_decrypt_all(actor=staff, lot=lot)
        clock.advance(dt.timedelta(minutes=15))
        opening.opening_record_publish(actor=staff, lot=lot)
        if sign_on_steps:
            signed += demo_signatures(lot, signers={"opening_record": [staff]}, ca=(ca_certificate, ca_key))
        clock.advance(dt.timedelta(minutes=10))
        opening.opening_close(actor=staff, lot=lot)
        clock.freeze(_office(deadline, 10, 30))
        chair = _committee(staff, lot, experts)
        clock.freeze(_office(deadline, 14))
        for expert, bump in zip(experts, [0, 1, 2, 1, 0], strict=True):
            for bid in lot.bids.filter(state="opened"):
                evaluation.score_submit(actor=expert, bid=bid, technical=40 + bump + bid.pk % 3, commercial=20)
            clock.advance(dt.timedelta(minutes=12))
        evaluation.report_generate(actor=chair, lot=lot)
        clock.freeze(_office(deadline, 16, 30))
        for expert in experts:
            evaluation.report_sign(actor=expert, lot=lot)
            clock.advance(dt.timedelta(minutes=3))
        if sign_on_steps:
            signed += demo_signatures(lot, signers={"evaluation_report": experts}, ca=(ca_certificate, ca_key))
        # Candidates the next working day; the award once the publicity period has passed; the contract later.
        clock.freeze(_office(deadline + dt.timedelta(days=1), 9, 30, forward=True))
        result.candidates_publish(actor=owner, lot=lot)
        clock.freeze(_office(clock.now() + dt.timedelta(days=4), 10, forward=True))
        award = result.award_issue(actor=owner, lot=lot)
        clock.freeze(_office(clock.now() + dt.timedelta(days=10), 15, forward=True))
        result.contract_record(actor=owner, lot=lot, amount=award.amount, signed_on=clock.today(),
                               content=b"%PDF contract")
        # the bonds go back within the template's days of the contract (the guarantee is released)
        clock.freeze(_office(clock.now() + dt.timedelta(days=2), 10, forward=True))
        for refund in BondRefund.objects.filter(bond__signup__lot=lot).order_by("pk"):
            bonds.bond_refund_record(actor=staff, refund=refund, reference=f"TK{clock.today():%Y%m%d}{refund.pk:04d}")
            clock.advance(dt.timedelta(minutes=6))
        # Archived within the template's days of the end of trading, with the signatures in it.
        clock.freeze(_office(clock.now() + dt.timedelta(days=1), 11, forward=True))
        if sign_on_steps:
            result.archive_build(actor=staff, lot=lot)
        # A failed tender, published about 40 days ago: only two bids.
        clock.freeze(_office(real_now - dt.timedelta(days=40), 9, 30))
        failed = _publish(owner, staff, "章丘区供水管网改造工程", price="3600000", region="370114")
        clock.freeze(_office(clock.now() + dt.timedelta(days=2), 10, 40, forward=True))
        _bid(bidders[0], failed, "3520000.00", staff=staff)
        clock.freeze(_office(clock.now() + dt.timedelta(days=3), 15, 20, forward=True))
        _bid(bidders[1], failed, "3490000.00", staff=staff)
        clock.freeze(lot_fresh(failed).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=None, lot=failed)
        _stage_lots(owner, staff, bidders, experts, real_now)
        demo_complaints_load(owner=owner, bidder=bidders[2], real_now=real_now)  # an answered objection, a complaint
    finally:
        clock.unfreeze()
    gp_loaded = demo_gp.gp_methods_load(owner=owner, staff=staff, bidders=bidders, experts=experts, real_now=real_now,
                                        publish=_publish, bid=_bid)
    if not sign_on_steps:
        signed = demo_signatures(lot, signers={"opening_record": [staff], "evaluation_report": experts},
                                 ca=(ca_certificate, ca_key))
        result.archive_build(actor=staff, lot=lot)
    # Open now: bidders can sign up and bid.
    open_lot = _publish(owner, staff, "济阳区黄河生态廊道绿化提升工程", price="8600000", region="370115")
    _bid(bidders[0], open_lot, "8420000.00", staff=staff)
    # a second bidder bid and withdrew: its bond is due back within the template's days (one refund pending)
    _bid(bidders[1], open_lot, "8390000.00", staff=staff)
    bidding.bid_withdraw(actor=bidders[1], lot=open_lot)
    _documents_amended(owner, bidders[0], open_lot)
    # Awaiting the center's acceptance.
    waiting = services.project_register(actor=owner, center=Center.objects.get(code="370100"),
                                        region=Region.objects.get(code="370102"), title="历下区老旧小区改造三期工程" + MARK,
                                        method="works_open_tender", estimated_price="5200000",
                                        lots=[{"name": "施工标段", "estimated_price": "5200000"}])
    for name in ("立项批复.pdf", "资金来源证明.pdf", "招标方案.pdf"):  # the documents staff review before acceptance
        project_document_add(actor=owner, project=waiting, name=name,
                             content=f"%PDF-1.7 {name} 历下区老旧小区改造三期工程（演示）".encode())
    if stdout is not None:
        stdout.write(f"招标项目：7 个（已归档 1、流标 1、候选人公示 1、评标中 1、开标中 1、招标中 1、待受理 1），"
                     f"开放报名标段 {open_lot.code}\n")
        stdout.write(f"政府采购方式：{'；'.join(gp_loaded)}\n")
        stdout.write(f"电子签名：已归档标段 {lot.code} 的开标记录与评标报告共 {signed} 个签名（测试PKI）\n")
    return 7


def _workday_morning(day: dt.datetime, *, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at hour:minute local time, moved back to the Friday before when it falls on a weekend."""
    local = timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)
    while local.weekday() >= 5:
        local -= dt.timedelta(days=1)
    return local


def _published_with_bids(owner, staff, bidders, title, *, deadline, prices, price, region, macs=None):
    """A lot published 21 days before ``deadline`` (10:00) with bids from ``bidders`` two days later (14:00)."""
    clock.freeze(_workday_morning(deadline - dt.timedelta(days=21), hour=10))
    lot = _publish(owner, staff, title, price=price, region=region, deadline=deadline)
    clock.freeze(_workday_morning(deadline - dt.timedelta(days=19), hour=14))
    for user, bid_price, mac in zip(bidders, prices, macs or [None] * len(bidders), strict=True):
        _bid(user, lot, bid_price, staff=staff, mac=mac)
        clock.advance(dt.timedelta(minutes=17))
    return lot


DEMO_SHARED_MAC = "3C:52:82:6A:11:F0"


def _stage_lots(owner, staff, bidders, experts, real_now) -> None:
    """Three lots in the middle of the works procedure, their deadlines on past working mornings at 09:30:
    one in candidate publicity, one in evaluation, and one being opened (record not yet published, a bidder's
    objection waiting for the answer the tenderer must give on the spot)."""
    today_opening = _workday_morning(real_now, hour=9, minute=30)
    if today_opening > real_now:  # before 09:30 today: the opening was on the working day before
        today_opening = _workday_morning(today_opening - dt.timedelta(days=1), hour=9, minute=30)
    # 候选人公示: evaluated and published.
    deadline = _workday_morning(today_opening - dt.timedelta(days=9), hour=9, minute=30)
    lot = _published_with_bids(owner, staff, bidders[:3], "天桥区北园大街雨污分流改造工程", deadline=deadline,
                               prices=["6310000.00", "6245000.00", "6398000.00"], price="6500000", region="370105")
    _open_and_record(staff, lot)
    clock.advance(dt.timedelta(hours=1))
    _evaluate(staff, experts, lot)
    clock.freeze(_workday_morning(deadline + dt.timedelta(days=1), hour=10))
    result.candidates_publish(actor=owner, lot=lot)
    # 评标中: the committee is scoring. Two of its bidders made their bids on one computer (the same MAC): the
    # indicators raise a red alert after the opening, which the committee and the supervisor (jianguan) see.
    deadline = _workday_morning(today_opening - dt.timedelta(days=1), hour=9, minute=30)
    lot = _published_with_bids(owner, staff, bidders[1:4], "槐荫区西客站片区学校配套建设工程", deadline=deadline,
                               prices=["9860000.00", "9725000.00", "9912000.00"], price="10200000", region="370104",
                               macs=[DEMO_SHARED_MAC, DEMO_SHARED_MAC, None])
    _open_and_record(staff, lot)
    supervision.alerts_run(lot_id=lot.pk, trigger="opening")  # as the queued task would (idempotent)
    clock.advance(dt.timedelta(hours=1))
    _committee(staff, lot, experts)
    _remote_session(staff, experts, lot)
    # 开标中: decrypted, an objection raised in the hall and not yet answered.
    lot = _published_with_bids(owner, staff, bidders[:3], "市中区英雄山路综合管廊工程", deadline=today_opening,
                               prices=["15480000.00", "15320000.00", "15610000.00"], price="16000000",
                               region="370103")
    clock.freeze(today_opening + dt.timedelta(minutes=1))
    opening.lot_open(actor=None, lot=lot)
    opening.opening_decrypt_all(actor=None, lot=lot)
    clock.advance(dt.timedelta(minutes=9))
    opening.opening_objection_raise(actor=bidders[2], lot=lot,
                                    text="第2家投标人的报价单工期一栏未填写单位，请当场核实并记录。")


def _committee(staff, lot, experts):
    """The committee by draw (request, checkpoint, run with the supervisor as witness, confirmations, formed from
    the draw, signed declarations). Returns the chair."""
    (witness,) = _users("jianguan")
    return demo_committee.committee_by_draw(staff, witness, lot)


def demo_fingerprint(n: int) -> str:
    """The device fingerprint of a demo workstation's browser (a real one is computed by centers/workstation.js)."""
    return hashlib.sha256(f"demo-workstation-{n}".encode()).hexdigest()


def _remote_session(staff, experts, lot) -> None:
    """远程异地评标 for the lot in evaluation: host in Jinan's venue, guest in Qingdao's (Qingdao accepted the
    request for seats); three members have joined from activated workstations (A-02, A-03 in Jinan, Q-02 in
    Qingdao). zhuanjia and zhuanjia2 have not: the centers' staff issue them a code on /centers/ (A-01, Q-01)."""
    (qingdao_staff,) = _users("qingdao_staff")
    jinan = centers.venue_create(actor=staff, name="济南市公共资源交易中心评标基地", city="济南",
                                 address="济南市历下区龙鼎大道1号")
    room = centers.room_create(actor=staff, venue=jinan, name="第一评标室")
    host = [centers.workstation_add(actor=staff, room=room, seat_label=f"A-0{i}") for i in range(1, 4)]
    qingdao = centers.venue_create(actor=qingdao_staff, name="青岛市公共资源交易中心远程评标室", city="青岛",
                                   address="青岛市市北区敦化路")
    room = centers.room_create(actor=qingdao_staff, venue=qingdao, name="远程评标一室")
    guest = [centers.workstation_add(actor=qingdao_staff, room=room, seat_label=f"Q-0{i}") for i in range(1, 3)]
    session = evaluation.remote_session_open(actor=staff, lot=lot, host_venue=jinan, seats=3, guest_venue=qingdao,
                                             guest_seats=2)
    clock.advance(dt.timedelta(minutes=20))
    centers.request_answer(actor=qingdao_staff, request=session.requests.get(), accept=True, note="已预留两个席位")
    clock.advance(dt.timedelta(minutes=15))
    for n, (expert, station, by) in enumerate(zip(experts[2:], [host[1], host[2], guest[1]],
                                                  [staff, staff, qingdao_staff], strict=True)):
        code = centers.activation_code_issue(actor=by, workstation=station)
        centers.workstation_activate(actor=expert, code=code, fingerprint=demo_fingerprint(n))
        centers.session_gate(subject_key=evaluation.remote_subject(lot), user=expert,
                             fingerprint=demo_fingerprint(n))
        clock.advance(dt.timedelta(minutes=3))


def _open_and_record(staff, lot) -> None:
    clock.freeze(lot_fresh(lot).bid_deadline + dt.timedelta(minutes=1))
    opening.lot_open(actor=None, lot=lot)
    opening.opening_decrypt_all(actor=None, lot=lot)
    clock.advance(dt.timedelta(minutes=12))
    opening.opening_record_publish(actor=staff, lot=lot)
    clock.advance(dt.timedelta(minutes=8))
    opening.opening_close(actor=staff, lot=lot)


def _evaluate(staff, experts, lot) -> None:
    # the one directly appointed committee of the demo, with its reason (实施条例 第四十七条)
    demo_committee.committee_direct(staff, lot, experts)
    for expert, bump in zip(experts, [0, 1, 2, 1, 0], strict=True):
        for bid in lot.bids.filter(state="opened"):
            evaluation.score_submit(actor=expert, bid=bid, technical=40 + bump + bid.pk % 3, commercial=20)
    evaluation.report_generate(actor=experts[0], lot=lot)
    for expert in experts:
        evaluation.report_sign(actor=expert, lot=lot)


LIVE_TITLE = "高新区科创园道路及配套工程"
LIVE_MINUTES = 6


def demo_live_lot_ensure(stdout=None):
    """The lot a visitor watches open: its deadline falls ``LIVE_MINUTES`` minutes (on the minute) after this runs,
    with platform-sealed bids from three demo bidders, so the chronograph of ``manage.py serve`` opens it and
    decrypts the bids at the deadline while the hall shows it live. Made again on a later run once the last one
    has opened. Returns the lot, or None when one is still waiting."""
    from .models import Lot

    now = clock.now()
    waiting = Lot.objects.filter(project__title=LIVE_TITLE + MARK, state="published", bid_deadline__gt=now).first()
    if waiting is not None:
        return None
    owner, staff = _users("zhaobiao", "jinan_staff")
    bidders = _users("toubiao", "toubiao2", "toubiao3")
    deadline = (now + dt.timedelta(minutes=LIVE_MINUTES)).replace(second=0, microsecond=0)
    was_frozen = clock._frozen  # a test's frozen clock is given back; a real run returns to real time
    try:
        lot = _published_with_bids(owner, staff, bidders, LIVE_TITLE, deadline=deadline,
                                   prices=["4286000.00", "4199000.00", "4312500.00"], price="4500000",
                                   region="370171" if Region.objects.filter(code="370171").exists() else "370112")
    finally:
        if was_frozen is not None:
            clock.freeze(was_frozen)
        else:
            clock.unfreeze()
    if stdout is not None:
        stdout.write(f"直播开标：标段 {lot.code} 将于 {timezone.localtime(deadline):%H:%M} 开标，"
                     f"开标大厅 /tendering/lots/{lot.pk}/hall/\n")
    return lot


def _extra_links() -> dict[str, str]:
    from ggzy.demo.logins import EXTRA_BIDDER_LINKS

    return EXTRA_BIDDER_LINKS


def demo_pki_directory() -> Path:
    """var/pki (as ``ggzy pki demo``); beside the opening keys, so a test run writes into its throw-away dir."""
    keys = Path(getattr(settings, "GGZY_OPENING_KEY_DIR", Path(settings.VAR_DIR) / "keys"))
    return keys.parent / "pki"


def _demo_ca(directory: Path, *, built_at: dt.datetime):
    """The ECDSA root of the test PKI under ``directory`` (built first when missing, valid from ``built_at``),
    registered in the trust store with its CRL."""
    manifest = directory / "manifest.json"
    if not manifest.exists():
        build_test_pki(directory, now=built_at, crl_days=365 + PKI_BACKDATE.days)
    demo_pki_register(directory=directory)
    entry = next(e for e in json.loads(manifest.read_text())["cas"] if e["algorithm"] == Algorithm.ECDSA)
    certificate = x509.load_pem_x509_certificate((directory / entry["certificate"]).read_bytes())
    key = serialization.load_pem_private_key((directory / entry["key"]).read_bytes(), password=None)
    return certificate, key


_ISSUED: dict[str, tuple[bytes, bytes]] = {}  # one certificate per person and load (declarations, then records)


def _person_certificate(ca_certificate, ca_key, user, directory: Path) -> tuple[bytes, bytes]:
    """A person signing certificate for ``user`` (CN = display name), bound to the account by its fingerprint and
    written to ``directory`` so ``ggzy-bid sign`` and certificate login can be tried with it."""
    if user.username in _ISSUED:
        return _ISSUED[user.username]
    utf8 = _ASN1Type.UTF8String
    subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                         x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "个人", _type=utf8),
                         x509.NameAttribute(NameOID.SERIAL_NUMBER, user.username, _type=utf8),
                         x509.NameAttribute(NameOID.COMMON_NAME, user.display_name or user.username, _type=utf8)])
    key = ec.generate_private_key(ec.SECP256R1())
    start = clock.now() - dt.timedelta(days=1)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(ca_certificate.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256()))
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    person_certificate_register(actor=None, user=user, certificate_pem=pem.decode())
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{user.username}-sign.pem").write_bytes(pem)
    fd = os.open(directory / f"{user.username}-sign.key", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key_pem)
    _ISSUED[user.username] = (pem, key_pem)
    return pem, key_pem


def demo_signatures(lot, *, signers: dict[str, list], ca) -> int:
    """Sign the archived demo lot's records — the opening record by the center's staff, the evaluation report by
    every member — with person certificates of the test PKI, at the platform clock's moment (the loader sets it to
    the step's time), through the same service as an upload. Returns the count."""
    directory = demo_pki_directory()
    ca_certificate, ca_key = ca
    signed = 0
    for purpose, users in signers.items():
        content = document_of(lot, purpose).content
        for user in users:
            pem, key_pem = _person_certificate(ca_certificate, ca_key, user, directory / "tendering-demo")
            certificate = x509.load_pem_x509_certificate(pem)
            private_key = serialization.load_pem_private_key(key_pem, password=None)
            assert isinstance(private_key, ec.EllipticCurvePrivateKey)
            signatures.document_sign(actor=user, lot=lot, purpose=purpose, signature_der=_ecdsa_signed_data(
                content, certificate=certificate, private_key=private_key, signing_time=clock.now()))
            signed += 1
    return signed


def _ecdsa_signed_data(content: bytes, *, certificate: x509.Certificate, private_key: ec.EllipticCurvePrivateKey,
                       signing_time: dt.datetime) -> bytes:
    """A detached CMS SignedData (RFC 5652) with ECDSA-SHA256 whose signing time is ``signing_time`` (pyca's
    builder always stamps the wall clock, and the demo signs on the days of the archived lot's steps)."""
    attributes = der.set_of(
        der.sequence(der.oid(OID_CONTENT_TYPE), der.set_of(der.oid(OID_DATA))),
        der.sequence(der.oid(OID_SIGNING_TIME), der.set_of(der.time(signing_time))),
        der.sequence(der.oid(OID_MESSAGE_DIGEST), der.set_of(der.octet_string(hashlib.sha256(content).digest()))),
    )
    signature = private_key.sign(attributes, ec.ECDSA(hashes.SHA256()))
    issuer_and_serial = der.sequence(certificate.issuer.public_bytes(), der.integer(certificate.serial_number))
    sha256 = der.sequence(der.oid(OID_SHA256))
    signer_info = der.sequence(der.integer(1), issuer_and_serial, sha256,
                               der.tlv(0xA0, der.read_one(attributes).content),
                               der.sequence(der.oid(OID_ECDSA_SHA256)), der.octet_string(signature))
    signed_data = der.sequence(der.integer(1), der.set_of(sha256), der.sequence(der.oid(OID_DATA)),
                               der.tlv(0xA0, certificate.public_bytes(serialization.Encoding.DER)),
                               der.set_of(signer_info))
    return der.sequence(der.oid(OID_SIGNED_DATA), der.explicit(0, signed_data))
