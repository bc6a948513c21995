"""The portal's notices of a listing (issue 15 item 6): the announcement (出让/转让公告) once its announcement time
has come, and on the close the result — 成交公示 naming the winner and the price, or 流拍公告.

Both go through ``disclosure.services.notice_publish`` (the portal, the search index, the publication push to the
subscribing websites), inside the caller's transaction with the listing locked, once each: the listing keeps the
notices it published, so a second call (the chronograph every minute, a bid, the hall's stream) changes nothing.
Before the close the announcement names no bidder and no count; the result names the winner only after the close,
when the seal of the registrations is lifted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from ggzy.catalog import selectors as catalog
from ggzy.catalog.calendar import add_working_days
from ggzy.catalog.choices import PeriodUnit
from ggzy.catalog.selectors import PeriodMissing
from ggzy.core import clock
from ggzy.core.money import format_yuan
from ggzy.disclosure.models import NoticeType
from ggzy.disclosure.services import notice_publish

from .. import procedures
from ..choices import PROCEDURE_KINDS, ListingOutcome, ListingState, ProcedureKindChoice
from ..models import RightsListing, RightsRegistration


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at is not None else "—"


def _number(listing: RightsListing, key: str) -> int | None:
    try:
        return int(catalog.period_value(listing.template_version, key))
    except PeriodMissing:
        return None


def portal_category(listing: RightsListing) -> str:
    """The portal's class of the listing: its catalog category's top-level group (排污权 61 → 06 环境资源权益)."""
    entries = {e.code: e for e in catalog.catalog_in_force(timezone.localdate(listing.announced_at), listing.center)}
    code = PROCEDURE_KINDS[listing.kind].category_code
    for _ in range(len(entries)):
        entry = entries.get(code)
        if entry is None or not entry.parent_code:
            break
        code = entry.parent_code
    return code


def _kind_label(listing: RightsListing) -> str:
    return str(ProcedureKindChoice(listing.kind).label)


def winner_name(registration: RightsRegistration) -> str:
    bidder = registration.bidder
    return bidder.get_full_name() or bidder.username


def _hall_link(listing: RightsListing) -> dict:
    return {"kind": "hall", "url": reverse("rights:hall", args=[listing.pk])}


def announcement_text(listing: RightsListing) -> tuple[str, str]:
    """The announcement's title and body, from the listing and its mode (no bidder, no count)."""
    lines = [f"项目编号：{listing.code}", f"项目名称：{listing.title}", f"交易方式：{_kind_label(listing)}",
             f"出让（转让）方：{listing.grantor.get_full_name() or listing.grantor.username}",
             f"交易机构：{listing.center.name}", f"起始价：{format_yuan(listing.start_price)}"]
    if listing.appraised_value is not None:
        lines.append(f"评估结果：{format_yuan(listing.appraised_value)}")
    if listing.approval_reference:
        lines.append(f"低于评估结果的批准文件：{listing.approval_reference}")
    lines += [f"增价幅度：{format_yuan(listing.increment)}", f"竞买保证金：{format_yuan(listing.deposit)}",
              f"报名时间：{_when(listing.registration_opens_at)} 至 {_when(listing.registration_closes_at)}",
              *procedures.procedure_for(listing).notice_schedule(listing),
              ("资格审查方式：资格后审。竞买人在本平台报名，竞买保证金到账即取得竞买资格并获得匿名竞买号牌；竞价结束后"
               "由交易机构审查竞得人的资格，审查通过后方可签订成交确认书，审查未通过的竞得无效，其竞买保证金不予退还。"
               if listing.is_qualified_after_winning else
               "竞买人在本平台报名并缴纳保证金，经资格审核取得竞买资格后获得匿名竞买号牌。"),
              "竞价结束前不公开竞买人的名称和数量。出让方可在竞价结束前设定密封底价，结束后公开。"]
    return f"{_kind_label(listing)}公告：{listing.title}", "\n".join(lines)


def result_text(listing: RightsListing) -> tuple[str, str, str]:
    """The result's notice type, title and body (after the close)."""
    kind = _kind_label(listing)
    lines = [f"项目编号：{listing.code}", f"项目名称：{listing.title}", f"交易方式：{kind}",
             f"交易机构：{listing.center.name}", f"竞价结束时间：{_when(listing.closed_at)}"]
    if listing.reserve_revealed is not None:
        lines.append(f"底价（结束后公开）：{format_yuan(listing.reserve_revealed)}")
    lines += procedures.procedure_for(listing).result_lines(listing)  # the weighted quote's score table
    if listing.outcome == ListingOutcome.SOLD and listing.leading is not None:
        lines += [f"竞得人（受让方）：{winner_name(listing.leading)}", f"成交价：{format_yuan(listing.current_price)}"]
        publicity = _number(listing, "result_publicity_min")
        if publicity is not None:
            ends = add_working_days(timezone.localdate(listing.closed_at or clock.now()), publicity).date
            lines.append(f"公示期：自本公示发布之日起{publicity}个工作日（至{ends:%Y-%m-%d}）。对公示内容有异议的，"
                         "请在公示期内以书面形式向交易机构提出。")
        if listing.is_qualified_after_winning:
            lines.append("本项目实行资格后审：竞得人的资格经交易机构审查通过后，方可签订成交确认书；审查未通过的，"
                         "竞得无效，另行公告。")
        lines.append("竞得人应按公告的约定与出让（转让）方签订成交确认书和合同；竞得人的保证金转作价款的一部分，"
                     "其他竞买人的保证金按规定退还。")
        return NoticeType.DEAL, f"{kind}结果公示：{listing.title}", "\n".join(lines)
    reason = (procedures.procedure_for(listing).below_reserve_reason if listing.leading is not None else
              "截止时没有有效报价（或取得竞买资格的竞买人不足）")
    lines += [f"结果：流拍（{reason}）", "已缴纳的保证金按规定退还。"]
    return NoticeType.FAILURE, f"{kind}流拍公告：{listing.title}", "\n".join(lines)


def publicity_due(listing: RightsListing) -> None:
    """Publish what is due and not yet published; the listing is locked by the caller. Idempotent."""
    now = clock.now()
    if listing.kind not in PROCEDURE_KINDS:
        return
    category = portal_category(listing)
    changed: list[str] = []
    if listing.announcement_notice_id is None and listing.announced_at <= now:
        title, body = announcement_text(listing)
        deadline = listing.registration_closes_at if listing.registration_closes_at > now else None
        listing.announcement_notice = notice_publish(
            actor=None, by_procedure=True, center=listing.center, region=listing.center.region,
            notice_type=NoticeType.LISTING, category_code=category, title=title[:200], body=body,
            project_code=listing.code, budget=listing.start_price, deadline=deadline,
            published_at=listing.announced_at, links=[_hall_link(listing)])
        changed.append("announcement_notice")
    if listing.result_notice_id is None and listing.state == ListingState.CLOSED:
        notice_type, title, body = result_text(listing)
        links = [_hall_link(listing)]
        if listing.announcement_notice_id is not None:
            links.append({"kind": "listing_notice",
                          "url": reverse("disclosure:notice_detail", args=[listing.announcement_notice_id])})
        price = listing.current_price if listing.outcome == ListingOutcome.SOLD else None
        listing.result_notice = notice_publish(
            actor=None, by_procedure=True, center=listing.center, region=listing.center.region,
            notice_type=notice_type, category_code=category, title=title[:200], body=body,
            project_code=listing.code, budget=price, published_at=listing.closed_at or now, links=links)
        changed.append("result_notice")
    if changed:
        listing.save(update_fields=changed)


def suspension_publish(listing: RightsListing, *, reason: str, resume_at: dt.datetime | None = None,
                       resumed_until: dt.datetime | None = None) -> None:
    """中止公告 (with the reason), or 恢复交易公告 published when the resumption is announced — stating the
    resumption time and the period's new deadline — on the portal, in the act's transaction."""
    if listing.announcement_notice_id is None:  # not yet announced: nothing public to suspend
        return
    kind = _kind_label(listing)
    lines = [f"项目编号：{listing.code}", f"项目名称：{listing.title}", f"交易方式：{kind}",
             f"交易机构：{listing.center.name}"]
    if resume_at is None:
        title = f"{kind}中止公告：{listing.title}"
        try:
            period = catalog.period_get(listing.template_version, "resumption_notice_min")
            units = {str(PeriodUnit.WORKING_DAYS): "个工作日", str(PeriodUnit.HOURS): "小时", str(PeriodUnit.MINUTES): "分钟"}
            unit = units.get(str(period.unit), "日")  # the notice is in Chinese whatever the reader's language
            when = f"恢复交易时间至少提前{int(period.value)}{unit}另行公告"
        except PeriodMissing:
            when = "恢复时间另行公告"
        lines += [f"中止时间：{_when(clock.now())}", f"中止原因：{reason}",
                  f"中止期间不接受报价；{when}，恢复后自中止时的最高有效报价继续，剩余时间不少于中止时所余时间。"]
    else:
        title = f"{kind}恢复交易公告：{listing.title}"
        lines += [f"中止原因：{reason}", f"公告时间：{_when(clock.now())}", f"恢复交易时间：{_when(resume_at)}",
                  f"恢复后本阶段截止时间：{_when(resumed_until)}",
                  "恢复交易前不接受报价；恢复后自中止时的最高有效报价继续竞价。"]
    notice_publish(actor=None, by_procedure=True, center=listing.center, region=listing.center.region,
                   notice_type=NoticeType.CHANGE, category_code=portal_category(listing), title=title[:200],
                   body="\n".join(lines), project_code=listing.code,
                   links=[_hall_link(listing), {"kind": "listing_notice", "url": reverse(
                       "disclosure:notice_detail", args=[listing.announcement_notice_id])}])


def void_text(listing: RightsListing, *, reason: str, decided_at: dt.datetime) -> tuple[str, str]:
    """竞得无效公告: the winner named in the result failed the check after winning (资格后审); no other bidder named."""
    kind = _kind_label(listing)
    winner = winner_name(listing.leading) if listing.leading is not None else "—"
    lines = [f"项目编号：{listing.code}", f"项目名称：{listing.title}", f"交易方式：{kind}",
             f"交易机构：{listing.center.name}", f"竞价结束时间：{_when(listing.closed_at)}",
             f"原竞得人：{winner}", f"资格审查时间：{_when(decided_at)}", f"资格审查未通过原因：{reason}",
             "结果：竞得无效。原竞得人的竞买保证金不予退还；其他竞买人的保证金按规定退还。"]
    return f"{kind}竞得无效公告：{listing.title}", "\n".join(lines)


def void_publish(listing: RightsListing, review) -> None:
    """Publish the 竞得无效公告 once, in the decision's transaction (the review keeps it: a second call is a no-op)."""
    if review.void_notice_id is not None or review.is_approved is not False or review.decided_at is None:
        return
    title, body = void_text(listing, reason=review.reason, decided_at=review.decided_at)
    links = [_hall_link(listing)]
    if listing.result_notice_id is not None:
        links.append({"kind": "result_notice",
                      "url": reverse("disclosure:notice_detail", args=[listing.result_notice_id])})
    review.void_notice = notice_publish(
        actor=None, by_procedure=True, center=listing.center, region=listing.center.region,
        notice_type=NoticeType.TERMINATION, category_code=portal_category(listing), title=title[:200], body=body,
        project_code=listing.code, links=links)
    review.save(update_fields=["void_notice"])
