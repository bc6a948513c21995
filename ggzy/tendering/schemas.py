"""API schemas of tendering: *In for writes, *Out for owners/staff, *PublicOut through the masking table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema

from ggzy.core.api_errors import TEXT_MAX, column_limit
from ggzy.core.money import Money, Percent

from . import masking
from .models import CommitteeMember, Lot, Project, Score
from .procedures import procedure_for


class LotIn(Schema):
    name: str = Field(max_length=column_limit(Lot, "name"))
    estimated_price: Money
    evaluation_method: str | None = Field(None, max_length=column_limit(Lot, "evaluation_method"))
    price_weight: Percent | None = None
    tie_break: str | None = Field(None, max_length=column_limit(Lot, "tie_break"))
    qualification_required: str | None = Field(None, max_length=column_limit(Lot, "qualification_required"))
    procurement_object: str | None = Field(None, max_length=column_limit(Lot, "procurement_object"))


class ProjectIn(Schema):
    title: str = Field(max_length=column_limit(Project, "title"))
    method: str = Field(max_length=column_limit(Project, "method"))
    region_code: str = Field(max_length=6)
    center_code: str = Field(max_length=6)
    estimated_price: Money
    description: str = Field("", max_length=TEXT_MAX)
    tenderer_credit_code: str | None = Field(None, max_length=18)
    lots: list[LotIn] = Field(max_length=100)


class ProjectOut(Schema):
    id: int
    code: str
    title: str
    method: str
    state: str
    state_label: str
    center: str
    tenderer: str
    agency: str | None
    estimated_price: Decimal
    return_reason: str
    lots: list[dict]

    @staticmethod
    def build(p) -> ProjectOut:
        return ProjectOut(id=p.pk, code=p.code, title=p.title, method=p.method, state=p.state,
                          state_label=p.get_state_display(), center=p.center.name, tenderer=p.tenderer.name,
                          agency=p.agency.name if p.agency_id else None, estimated_price=p.estimated_price,
                          return_reason=p.return_reason,
                          lots=[{"id": lot.pk, "code": lot.code, "name": lot.name, "state": lot.state}
                                for lot in p.lots.all()])


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=TEXT_MAX)


class TextIn(Schema):
    text: str = Field(max_length=TEXT_MAX)


class AnswerIn(Schema):
    answer: str = Field(max_length=TEXT_MAX)


class ScheduleIn(Schema):
    notice_text: str = Field(max_length=TEXT_MAX)
    documents_sale_end: dt.datetime
    bid_deadline: dt.datetime
    bond_amount: Money = Decimal(0)


class FindingOut(Schema):
    kind: str
    excerpt: str
    explanation: str
    acknowledged: bool


class ClarifyIn(Schema):
    text: str = Field(max_length=TEXT_MAX)
    new_deadline: dt.datetime | None = None


class MemberIn(Schema):
    username: str = Field(max_length=150)
    seat: str = Field(max_length=column_limit(CommitteeMember, "seat"))


class CommitteeIn(Schema):
    """Direct appointment (实施条例 第四十七条): the reason is required by the service."""

    members: list[MemberIn] = Field(max_length=50)
    chair: str | None = Field(None, max_length=150)
    reason: str = Field("", max_length=TEXT_MAX)


RegionCode = Annotated[str, Field(max_length=6)]
CreditCode = Annotated[str, Field(max_length=18)]


class NeedIn(Schema):
    code: str = Field(max_length=16)
    count: int = Field(ge=1, le=99)
    kind: Literal["technical", "economic"] = "technical"


class CommitteeDrawIn(Schema):
    needs: list[NeedIn] = Field(max_length=20)
    size: int | None = Field(None, ge=1, le=99)
    regions_include: list[RegionCode] = Field([], max_length=50)  # division codes (GB/T 2260)
    regions_exclude: list[RegionCode] = Field([], max_length=50)
    scheduled_at: dt.datetime | None = None
    tenderer_rep: str | None = Field(None, max_length=150)
    supervising_credit_codes: list[CreditCode] = Field([], max_length=10)


class RecusalIn(Schema):
    confirm: bool
    recuse: bool = False
    reason: str = Field("", max_length=TEXT_MAX)
    # the member's signature over the exact statement text (GET …/recusal/statement): base64 of a raw signature
    # with its certificate (PEM), or of a detached CMS SignedData (certificate left empty)
    signature: str = Field("", max_length=200_000)
    certificate: str = Field("", max_length=TEXT_MAX)


class RecusalStatementIn(Schema):
    """The member's choice for the statement to sign (POST …/recusal/statement): the same fields as RecusalIn."""

    recuse: bool = False
    reason: str = Field("", max_length=TEXT_MAX)


class ScoreIn(Schema):
    bid_id: int
    technical: Percent = Decimal(0)
    commercial: Percent = Decimal(0)
    is_qualified: bool = True
    comment: str = Field("", max_length=column_limit(Score, "comment"))


class SignIn(Schema):
    dissent: str = Field("", max_length=TEXT_MAX)


class ContractIn(Schema):
    amount: Money
    signed_on: dt.date


class MyBidOut(Schema):
    lot_id: int
    state: str
    arrived_at: dt.datetime
    modified_count: int
    files: list[dict]


class BidReceiptOut(Schema):
    """The bidder's own receipt: ``receipt`` is a ggzy-ledger-receipt/v1 with the sealed entry opened for it
    (``sealed``: body and salt) and the after-state holding the arrival time (``states``)."""

    receipt: dict
    lot_id: int
    arrived_at: dt.datetime
    bid_deadline: dt.datetime | None
    arrived_before_deadline: bool


def lot_public(lot, user) -> dict:
    """The lot as ``user`` may see it now; every sealed or confidential field goes through masking.visible."""
    data = {
        "id": lot.pk, "code": lot.code, "name": lot.name, "project": lot.project.title,
        "project_code": lot.project.code, "center": lot.project.center.name, "method": lot.project.method,
        "state": lot.state, "state_label": str(procedure_for(lot).state_label(lot.state)),
        "estimated_price": str(lot.estimated_price),
        "bond_amount": str(lot.bond_amount), "evaluation_method": lot.evaluation_method,
        "documents_issued_at": lot.documents_issued_at, "documents_sale_end": lot.documents_sale_end,
        "bid_deadline": lot.bid_deadline, "opened_at": lot.opened_at,
        "clarifications": [{"id": c.pk, "text": c.text, "published_at": c.published_at, "new_deadline": c.new_deadline}
                           for c in lot.clarifications.all()],
    }
    record = getattr(lot, "opening_record", None)
    if masking.visible("bidders", lot, user) and record is not None:
        data["opening_record"] = {"opened_at": record.opened_at, "rows": record.rows, "sha256": record.sha256}
    if masking.visible("committee_names", lot, user):
        data["committee"] = [{"name": m.user.display_name or m.user.username, "seat": m.get_seat_display()}
                             for m in lot.committee.select_related("user")]
    report = getattr(lot, "evaluation_report", None)
    if report is not None and masking.visible("evaluation_ranking", lot, user):
        data["ranking"] = report.ranking
        data["report_sha256"] = report.content_sha256
        data["report_signed"] = report.signatures.count()
    if lot.candidates_published_at:
        data["candidates"] = [{"rank": c.rank, "bidder": c.bidder_name or c.bid.bidder.name, "price": str(c.bid.price)}
                              for c in lot.candidates.select_related("bid__bidder")]
    award = getattr(lot, "award", None)
    if award is not None:
        data["award"] = {"bidder": award.bidder_name or award.winner.name, "amount": str(award.amount), "issued_at": award.issued_at,
                         "contract_due": award.contract_due}
    return data
