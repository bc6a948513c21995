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

from . import bidclient, sealing, services
from .documents import document_of
from .models import BidBond, BondAccount, BondRefund, GuaranteeIssuer, Project
from .procedures import lot_fresh
from .services import bidding, bond_imports, bonds, evaluation, opening, result, signatures

MARK = "（演示）"


def _users(*names):
    return [User.objects.get(username=n) for n in names]


def _publish(owner, staff, title, *, days_to_deadline=21, price="12800000", method="works_open_tender",
             region="370112"):
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
                          bid_deadline=timezone.localtime(now + dt.timedelta(days=days_to_deadline)).replace(
                              hour=9, minute=30, second=0, microsecond=0))
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


def _bid(user, lot, price, *, staff, by_guarantee=False):
    services.signup_create(actor=user, lot=lot)
    _bond_pay(user, lot, staff, by_guarantee=by_guarantee)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": price, "duration_days": 365, "quality": "合格"},
                       files=[bidding.IncomingFile("投标文件.pdf", [f"%PDF 投标文件 {user.username}".encode()])],
                       fingerprint={"mac": f"52:54:00:{user.pk:02x}:00:01", "public_ip": "10.8.0.1"})


def demo_tendering_load(stdout=None) -> int:
    if Project.objects.filter(title__endswith=MARK).exists():
        return 0
    with transaction.atomic():
        return _load(stdout)


def _load(stdout) -> int:
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
    try:
        # A finished tender, 70 days ago → archived.
        clock.freeze(real_now - dt.timedelta(days=70))
        lot = _publish(owner, staff, "历城区第二实验小学教学楼建设工程")
        for user, price in zip(bidders[:3], ["12450000.00", "12180000.00", "12620000.00"], strict=True):
            _bid(user, lot, price, staff=staff, by_guarantee=user == bidders[2])
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
        # the bonds go back within the template's days of the contract (the guarantee is released)
        clock.advance(dt.timedelta(days=2))
        for refund in BondRefund.objects.filter(bond__signup__lot=lot).order_by("pk"):
            bonds.bond_refund_record(actor=staff, refund=refund, reference=f"TK{clock.today():%Y%m%d}{refund.pk:04d}")
        # A failed tender, 40 days ago: only two bids.
        clock.freeze(real_now - dt.timedelta(days=40))
        failed = _publish(owner, staff, "章丘区供水管网改造工程", price="3600000", region="370114")
        _bid(bidders[0], failed, "3520000.00", staff=staff)
        _bid(bidders[1], failed, "3490000.00", staff=staff)
        clock.freeze(lot_fresh(failed).bid_deadline + dt.timedelta(minutes=1))
        opening.lot_open(actor=None, lot=failed)
    finally:
        clock.unfreeze()
    # Signed with the test PKI's person certificates (valid from today), then archived so the archive holds them.
    signed = demo_signatures(lot, staff=staff, experts=experts)
    result.archive_build(actor=staff, lot=lot)
    # Open now: bidders can sign up and bid.
    open_lot = _publish(owner, staff, "济阳区黄河生态廊道绿化提升工程", price="8600000", region="370115")
    _bid(bidders[0], open_lot, "8420000.00", staff=staff)
    # a second bidder bid and withdrew: its bond is due back within the template's days (one refund pending)
    _bid(bidders[1], open_lot, "8390000.00", staff=staff)
    bidding.bid_withdraw(actor=bidders[1], lot=open_lot)
    # Awaiting the center's acceptance.
    services.project_register(actor=owner, center=Center.objects.get(code="370100"),
                              region=Region.objects.get(code="370102"), title="历下区老旧小区改造三期工程" + MARK,
                              method="works_open_tender", estimated_price="5200000",
                              lots=[{"name": "施工标段", "estimated_price": "5200000"}])
    if stdout is not None:
        stdout.write(f"招标项目：4 个（已归档 1、流标 1、招标中 1、待受理 1），开放报名标段 {open_lot.code}\n")
        stdout.write(f"电子签名：已归档标段 {lot.code} 的开标记录与评标报告共 {signed} 个签名（测试PKI）\n")
    return 4


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
