"""Demo tendering data: one lot open for bids now, one finished and archived, one failed, one awaiting acceptance.

The finished and failed lots are played through the same services as real ones, with the platform clock set back
to their dates while the loader runs (the clock is returned to real time at the end). Idempotent. The archived
lot's opening record and evaluation report are then signed (now, with the test PKI under var/pki) so its page
shows verified signatures.
"""

from __future__ import annotations

import datetime as dt
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
from ggzy.core import clock
from ggzy.pki.bindings import person_certificate_register
from ggzy.pki.models import Algorithm
from ggzy.pki.testpki import build_test_pki, demo_pki_register
from ggzy.registry.models import Center, MarketEntity, Region
from ggzy.registry.services import entity_account_link

from . import bidclient, services
from .documents import document_of
from .models import Project
from .procedures import lot_fresh
from .services import bidding, evaluation, opening, result, signatures

MARK = "（演示）"


def _users(*names):
    return [User.objects.get(username=n) for n in names]


def _publish(owner, staff, title, *, days_to_deadline=21, price="12800000", method="works_open_tender",
             region="370112", deadline=None):
    project = services.project_register(
        actor=owner, center=Center.objects.get(code="370100"), region=Region.objects.get(code=region),
        title=title + MARK, method=method, estimated_price=price,
        lots=[{"name": "施工一标段", "estimated_price": price, "qualification_required": "建筑工程施工总承包"}],
        description="详见招标公告。")
    services.project_accept(actor=staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=owner, lot=lot, name="招标文件.pdf", content=f"%PDF 招标文件 {title}".encode())
    now = clock.now()
    services.lot_schedule(actor=owner, lot=lot, bond_amount="50000",
                          notice_text=f"{title}已具备招标条件，现公开招标。投标人须具备建筑工程施工总承包二级及以上资质，"
                                      "投标文件须加密后在线递交。",
                          documents_sale_end=now + dt.timedelta(days=6),
                          bid_deadline=deadline or timezone.localtime(now + dt.timedelta(days=days_to_deadline)).replace(
                              hour=9, minute=30, second=0, microsecond=0))
    services.lot_publish(actor=staff, lot=lot)
    return lot


def _bid(user, lot, price):
    services.signup_create(actor=user, lot=lot)
    entity = MarketEntity.objects.get(accounts__user=user)
    account = entity.bank_accounts.first()
    if account is None:
        raise RuntimeError(f"演示主体{entity.name}没有银行账户，无法缴纳保证金")
    services.bond_record(actor=user, lot=lot, amount="50000", account_number=account.account_number)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 365, "quality": "合格"},
                       files=[bidding.IncomingFile("投标文件.pdf", [f"%PDF 投标文件 {user.username}".encode()])],
                       fingerprint={"mac": f"52:54:00:{user.pk:02x}:00:01", "public_ip": "10.8.0.1"})


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
    for username, entity_name in _extra_links().items():
        user = User.objects.filter(username=username).first()
        entity = MarketEntity.objects.filter(name=entity_name).first()
        if user and entity:
            entity_account_link(actor=None, entity=entity, user=user)
    owner, staff = _users("zhaobiao", "jinan_staff")
    bidders = _users("toubiao", "toubiao2", "toubiao3", "toubiao4")
    experts = _users("zhuanjia", "zhuanjia2", "zhuanjia3", "zhuanjia4", "zhuanjia5")
    real_now = clock.now()
    try:
        # A finished tender, 70 days ago → archived.
        clock.freeze(real_now - dt.timedelta(days=70))
        lot = _publish(owner, staff, "历城区第二实验小学教学楼建设工程")
        for user, price in zip(bidders[:3], ["12450000.00", "12180000.00", "12620000.00"], strict=True):
            _bid(user, lot, price)
        clock.freeze(lot_fresh(lot).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=staff, lot=lot)
        opening.opening_decrypt_all(actor=staff, lot=lot)
        opening.opening_record_publish(actor=staff, lot=lot)
        opening.opening_close(actor=staff, lot=lot)
        evaluation.committee_appoint(actor=staff, lot=lot, members=[(e, "expert_technical") for e in experts[:4]]
                                     + [(experts[4], "expert_economic")], chair=experts[0])
        for expert, bump in zip(experts, [0, 1, 2, 1, 0], strict=True):
            for bid in lot.bids.filter(state="opened"):
                evaluation.score_submit(actor=expert, bid=bid, technical=40 + bump + bid.pk % 3, commercial=20)
        evaluation.report_generate(actor=experts[0], lot=lot)
        for expert in experts:
            evaluation.report_sign(actor=expert, lot=lot)
        clock.advance(dt.timedelta(days=1))
        result.candidates_publish(actor=owner, lot=lot)
        clock.advance(dt.timedelta(days=4))
        award = result.award_issue(actor=owner, lot=lot)
        clock.advance(dt.timedelta(days=10))
        result.contract_record(actor=owner, lot=lot, amount=award.amount, signed_on=clock.today(),
                               content=b"%PDF contract")
        # A failed tender, 40 days ago: only two bids.
        clock.freeze(real_now - dt.timedelta(days=40))
        failed = _publish(owner, staff, "章丘区供水管网改造工程", price="3600000", region="370114")
        _bid(bidders[0], failed, "3520000.00")
        _bid(bidders[1], failed, "3490000.00")
        clock.freeze(lot_fresh(failed).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=None, lot=failed)
        _stage_lots(owner, staff, bidders, experts, real_now)
    finally:
        clock.unfreeze()
    # Signed with the test PKI's person certificates (valid from today), then archived so the archive holds them.
    signed = demo_signatures(lot, staff=staff, experts=experts)
    result.archive_build(actor=staff, lot=lot)
    # Open now: bidders can sign up and bid.
    open_lot = _publish(owner, staff, "济阳区黄河生态廊道绿化提升工程", price="8600000", region="370115")
    _bid(bidders[0], open_lot, "8420000.00")
    # Awaiting the center's acceptance.
    services.project_register(actor=owner, center=Center.objects.get(code="370100"),
                              region=Region.objects.get(code="370102"), title="历下区老旧小区改造三期工程" + MARK,
                              method="works_open_tender", estimated_price="5200000",
                              lots=[{"name": "施工标段", "estimated_price": "5200000"}])
    if stdout is not None:
        stdout.write(f"招标项目：7 个（已归档 1、流标 1、候选人公示 1、评标中 1、开标中 1、招标中 1、待受理 1），"
                     f"开放报名标段 {open_lot.code}\n")
        stdout.write(f"电子签名：已归档标段 {lot.code} 的开标记录与评标报告共 {signed} 个签名（测试PKI）\n")
    return 7


def _workday_morning(day: dt.datetime, *, hour: int, minute: int = 0) -> dt.datetime:
    """``day`` at hour:minute local time, moved back to the Friday before when it falls on a weekend."""
    local = timezone.localtime(day).replace(hour=hour, minute=minute, second=0, microsecond=0)
    while local.weekday() >= 5:
        local -= dt.timedelta(days=1)
    return local


def _published_with_bids(owner, staff, bidders, title, *, deadline, prices, price, region):
    """A lot published 21 days before ``deadline`` (10:00) with bids from ``bidders`` two days later (14:00)."""
    clock.freeze(_workday_morning(deadline - dt.timedelta(days=21), hour=10))
    lot = _publish(owner, staff, title, price=price, region=region, deadline=deadline)
    clock.freeze(_workday_morning(deadline - dt.timedelta(days=19), hour=14))
    for user, bid_price in zip(bidders, prices, strict=True):
        _bid(user, lot, bid_price)
        clock.advance(dt.timedelta(minutes=17))
    return lot


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
    # 评标中: the committee is scoring.
    deadline = _workday_morning(today_opening - dt.timedelta(days=1), hour=9, minute=30)
    lot = _published_with_bids(owner, staff, bidders[1:4], "槐荫区西客站片区学校配套建设工程", deadline=deadline,
                               prices=["9860000.00", "9725000.00", "9912000.00"], price="10200000", region="370104")
    _open_and_record(staff, lot)
    clock.advance(dt.timedelta(hours=1))
    evaluation.committee_appoint(actor=staff, lot=lot, members=[(e, "expert_technical") for e in experts[:4]]
                                 + [(experts[4], "expert_economic")], chair=experts[0])
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


def _open_and_record(staff, lot) -> None:
    clock.freeze(lot_fresh(lot).bid_deadline + dt.timedelta(minutes=1))
    opening.lot_open(actor=None, lot=lot)
    opening.opening_decrypt_all(actor=None, lot=lot)
    clock.advance(dt.timedelta(minutes=12))
    opening.opening_record_publish(actor=staff, lot=lot)
    clock.advance(dt.timedelta(minutes=8))
    opening.opening_close(actor=staff, lot=lot)


def _evaluate(staff, experts, lot) -> None:
    evaluation.committee_appoint(actor=staff, lot=lot, members=[(e, "expert_technical") for e in experts[:4]]
                                 + [(experts[4], "expert_economic")], chair=experts[0])
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


def _demo_ca(directory: Path):
    """The ECDSA root of the test PKI under ``directory`` (built first when missing), registered in the trust
    store with its CRL."""
    manifest = directory / "manifest.json"
    if not manifest.exists():
        build_test_pki(directory, now=clock.now(), crl_days=365)
    demo_pki_register(directory=directory)
    entry = next(e for e in json.loads(manifest.read_text())["cas"] if e["algorithm"] == Algorithm.ECDSA)
    certificate = x509.load_pem_x509_certificate((directory / entry["certificate"]).read_bytes())
    key = serialization.load_pem_private_key((directory / entry["key"]).read_bytes(), password=None)
    return certificate, key


def _person_certificate(ca_certificate, ca_key, user, directory: Path) -> tuple[bytes, bytes]:
    """A person signing certificate for ``user`` (CN = display name), bound to the account by its fingerprint and
    written to ``directory`` so ``ggzy-bid sign`` and certificate login can be tried with it."""
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
    return pem, key_pem


def demo_signatures(lot, *, staff, experts) -> int:
    """Sign the archived demo lot's opening record (the center's staff) and evaluation report (every member)
    with person certificates of the test PKI, through the same service as an upload. Returns the count."""
    directory = demo_pki_directory()
    ca_certificate, ca_key = _demo_ca(directory)
    signed = 0
    for purpose, signers in (("opening_record", [staff]), ("evaluation_report", experts)):
        content = document_of(lot, purpose).content
        for user in signers:
            pem, key_pem = _person_certificate(ca_certificate, ca_key, user, directory / "tendering-demo")
            certificate, private_key = bidclient.load_credentials_pem(pem, key_pem)
            signatures.document_sign(actor=user, lot=lot, purpose=purpose, signature_der=bidclient.sign_content(
                content, certificate=certificate, private_key=private_key))
            signed += 1
    return signed
