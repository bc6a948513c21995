"""A small world for the tendering tests: Jinan's center, a tenderer, an agency, bidders and experts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from ggzy.accounts.roles import Role
from ggzy.core import clock
from ggzy.registry.models import MarketEntityAccount, Region
from ggzy.registry.tests.factories import BankAccountFactory, MarketEntityFactory, QualificationFactory

from .recusal_signing import declare as declare_signed


@dataclass
class World:
    staff: object
    other_staff: object
    tenderer: object
    agency: object
    bidders: list = field(default_factory=list)
    bidder_entities: list = field(default_factory=list)
    experts: list = field(default_factory=list)
    tenderer_entity: object = None
    center: object = None
    region: object = None


def _entity_user(make_user, role, name):
    entity = MarketEntityFactory(name=name)
    user = make_user(role)
    MarketEntityAccount.objects.create(user=user, entity=entity, linked_at=clock.now())
    return entity, user


@pytest.fixture
def world(db, make_user, centers, frozen_clock):
    tenderer_entity, tenderer = _entity_user(make_user, Role.TENDERER, "济南市城市建设投资有限公司")
    _agency_entity, agency = _entity_user(make_user, Role.AGENCY, "山东正信招标代理有限公司")
    w = World(staff=make_user(Role.CENTER_STAFF, center=centers["jinan"]),
              other_staff=make_user(Role.CENTER_STAFF, center=centers["qingdao"]),
              tenderer=tenderer, agency=agency, tenderer_entity=tenderer_entity, center=centers["jinan"],
              region=Region.objects.get(code="370112"))
    for i, name in enumerate(["山东鲁建建设集团有限公司", "济南城建工程有限公司", "青岛海川建设有限公司", "淄博恒信建设有限公司"]):
        entity, user = _entity_user(make_user, Role.BIDDER, name)
        BankAccountFactory(entity=entity, account_number=f"3701000{i}88889999")
        QualificationFactory(entity=entity)
        w.bidders.append(user)
        w.bidder_entities.append(entity)
    w.experts = [make_user(Role.EXPERT, display_name=f"专家{i}") for i in range(7)]
    from ggzy.tendering.models import BondAccount

    BondAccount.objects.create(center=w.center, bank_name="中国建设银行济南分行", account_name="济南公共资源交易中心保证金专户",
                               account_number="37050161880100001234")
    return w


def lot_ready(world, *, method="works_open_tender", bond="10000.00", notice_text="本项目公开招标，欢迎具备资质的企业参加。",
              lot_terms=None, days_to_deadline=21):
    """Register, accept, upload, schedule and publish one lot; returns the published lot. ``lot_terms``: more of the
    lot's terms (procurement object, price weight …)."""
    from ggzy.tendering import services

    project = services.project_register(
        actor=world.tenderer, center=world.center, region=world.region, title="历城区第二实验小学教学楼工程",
        method=method, estimated_price="8000000",
        lots=[{"name": "施工一标段", "estimated_price": "8000000", **(lot_terms or {})}])
    services.project_accept(actor=world.staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=world.tenderer, lot=lot, name="招标文件.pdf", content=b"%PDF-1.7 tender documents")
    now = clock.now()
    services.lot_schedule(actor=world.tenderer, lot=lot, notice_text=notice_text,
                          documents_sale_end=now + dt.timedelta(days=6),
                          bid_deadline=now + dt.timedelta(days=days_to_deadline),
                          bond_amount=bond)
    lot.refresh_from_db()
    services.lot_publish(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    return lot


def sign_up(world, lot, indices):
    """Bidders ``indices`` sign up for ``lot`` and pay its bond in full from their basic account, so they may bid."""
    from ggzy.tendering import services

    for i in indices:
        services.signup_create(actor=world.bidders[i], lot=lot)
        bond_arrive(world, lot, i)


_serials = iter(range(1, 10**9))


def statement_csv(rows, *, encoding="utf-8") -> bytes:
    """A bank statement as the bond account's bank exports it: the header and ``rows`` (lists of cells)."""
    from ggzy.tendering.services.bond_imports import STATEMENT_COLUMNS

    lines = [",".join(STATEMENT_COLUMNS)] + [",".join(str(c) for c in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def bond_arrive(world, lot, i, *, amount=None, account=None, serial=None):
    """Bidder ``i``'s bond arrives on its sub-account (by default the lot's full bond, from its basic account),
    through the statement import as staff would do it; returns the import."""
    from ggzy.tendering.models import Lot
    from ggzy.tendering.services import bond_imports, signup

    lot = Lot.objects.get(pk=lot.pk)  # the bond amount as scheduled, whatever copy the caller holds
    bond = signup.signup_of(actor=world.bidders[i], lot=lot).bond
    arrived = timezone.localtime(clock.now() - dt.timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S")
    row = [serial or f"LS{next(_serials):08d}", arrived, world.bidder_entities[i].name,
           account or f"3701000{i}88889999", "中国工商银行济南分行", bond.subaccount,
           amount if amount is not None else lot.bond_amount]
    return bond_imports.bank_statement_import(actor=world.staff, center=lot.project.center, data=statement_csv([row]))


TEST_DIRECT_REASON = "测试：本项目技术复杂，随机抽取的专家难以胜任（实施条例第四十七条）"


def seat_committee(actor, lot, members, *, chair=None, declare=True):
    """A committee appointed directly with a recorded reason; every member then signs the recusal declaration."""
    from ggzy.tendering.services import committee

    rows = committee.committee_appoint_direct(actor=actor, lot=lot, members=members, chair=chair,
                                              reason=TEST_DIRECT_REASON)
    if declare:
        for user, _ in members:
            declare_signed(user, lot)
    return rows


class FakeExpertsDraw:
    """Stands in for the experts app's draw: records requests and redraws, confirms what the test says."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.confirmed_rows: list = []  # expert_draws.Confirmed
        self.complete = False
        self.redraws: list[dict] = []
        self.published: list[int] = []
        self.runs: list[int] = []

    def request(self, **kwargs) -> int:
        self.requests.append(kwargs)
        return 700 + len(self.requests)

    def is_complete(self, request_id: int) -> bool:
        return self.complete

    def confirmed(self, request_id: int) -> list:
        return list(self.confirmed_rows)

    def redraw(self, *, actor, request_id: int, expert_id: int, reason: str) -> bool:
        self.redraws.append({"request_id": request_id, "expert_id": expert_id, "reason": reason})
        self.confirmed_rows = [c for c in self.confirmed_rows if c.expert_id != expert_id]
        self.complete = False
        return True

    def publish(self, request_id: int) -> None:
        self.published.append(request_id)

    def run(self, *, actor, request_id: int, witness) -> None:
        self.runs.append(request_id)

    def invitations(self, request_id: int) -> list:
        return []

    def answer(self, *, actor, drawn, accept: bool) -> None:
        raise AssertionError("the fake draw has no invitations to answer")


@pytest.fixture
def fake_draw():
    from ggzy.tendering import expert_draws

    fake = FakeExpertsDraw()
    previous = expert_draws.use_gateway(fake)
    yield fake
    expert_draws.use_gateway(previous)
