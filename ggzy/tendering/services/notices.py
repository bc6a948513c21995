"""The texts of the notices a lot publishes, in the statutory forms of its category (招标公告, 中标候选人公示,
中标结果公告, 流标公告). Every period comes from the project's process template, never from a literal; the
text is stored in Chinese whatever the publishing user's language (the portal shows it as published).

Only organisations are named with their contacts: an organisation's office phone is printed, a mobile number
(a person's phone) and any personal ID number never are (DOMAIN.md, Information disclosure).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone, translation

from ggzy.registry.masking import office_phone_public

from .. import rules
from ..procedures import procedure_for


@dataclass
class NoticeText:
    """What a lot's service passes to ``notice_publish``."""

    notice_type: str
    title: str
    body: str
    links: list[dict] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)


def period_text(project, key: str) -> str:
    """“3日” / “7个工作日” in Chinese (the stored notice is Chinese in any UI language)."""
    with translation.override("zh-hans"):
        return rules.describe(project, key)


def when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "—"
    return timezone.localtime(moment).strftime("%Y年%m月%d日%H时%M分")


def day(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y年%m月%d日")


def money(amount: Decimal | None) -> str:
    return "—" if amount is None else f"{amount:,.2f}元"


def _is_gp(lot) -> bool:
    return procedure_for(lot).result_notice_form == "government"


def _parties(lot) -> tuple[str, str]:
    """(tenderer's title, agency's title) as the category's forms call them."""
    return ("采购人", "采购代理机构") if _is_gp(lot) else ("招标人", "招标代理机构")


def _contact_line(label: str, entity) -> str:
    phone = office_phone_public(entity.contact_phone)
    phone_text = phone or "请通过本平台在线咨询"
    return (f"{label}：{entity.name}\n　　地址：{entity.registered_address}\n"
            f"　　联系人：{entity.contact_name}　联系电话：{phone_text}")


def lot_links(lot, *, signup: bool = False) -> list[dict]:
    url = reverse("tendering:lot", args=[lot.pk])
    links = [{"kind": "lot", "url": url}]
    if signup:
        links.append({"kind": "signup", "url": url + "#signup"})
    if lot.notice_id:
        links.append({"kind": "tender_notice", "url": reverse("disclosure:notice_detail", args=[lot.notice_id])})
    return links


def tender_notice(lot) -> NoticeText:
    """招标公告 / 采购公告: parties and contacts, key dates, opening place, bond, qualification, attachments."""
    project = lot.project
    gp = _is_gp(lot)
    owner_label, agency_label = _parties(lot)
    documents = list(lot.documents.order_by("uploaded_at", "pk"))
    sale = (f"{when(lot.documents_issued_at)}至{when(lot.documents_sale_end)}"
            f"（不少于{period_text(project, 'documents_sale_min')}）"
            if procedure_for(lot).uses_tender_documents_sale and lot.documents_sale_end else
            f"自{when(lot.documents_issued_at)}起至投标截止时间止")
    bond = (f"投标保证金：{money(lot.bond_amount)}（不超过估算价的{period_text(project, 'bid_bond_max_percent')}），"
            "须在投标截止时间前到账。" if lot.bond_amount else "本标段不收取投标保证金。")
    parties = [_contact_line(owner_label, project.tenderer)]
    if project.agency is not None:
        parties.append(_contact_line(agency_label, project.agency))
    attachments = [{"name": d.name, "sha256": d.sha256, "size": d.size} for d in documents]
    body = "\n".join([
        "一、项目概况",
        f"项目名称：{project.title}　标段：{lot.name}　标段编号：{lot.code}",
        f"项目所在地：{project.region.name}　估算价：{money(lot.estimated_price)}　交易方式：{project.get_method_display()}",
        lot.notice_text,
        "二、投标人资格要求",
        f"具备{lot.qualification_required}资质，其他要求详见招标文件。" if lot.qualification_required
        else "详见招标文件。",
        "三、招标文件的获取",
        f"获取时间：{sale}。",
        "获取方式：使用数字证书登录本平台，在标段页面报名后在线下载招标文件，不收取纸质文件。",
        "四、投标文件的递交",
        f"投标截止时间（开标时间）：{when(lot.bid_deadline)}。",
        "投标文件须加密后在线递交；逾期送达或者未加密的投标文件，本平台拒收。",
        "五、开标",
        f"开标时间：{when(lot.bid_deadline)}；开标地点：本平台网上开标大厅（不见面开标），"
        "投标人在线签到并解密本单位的投标文件。",
        "六、投标保证金",
        bond,
        f"七、{owner_label}、{agency_label}及联系方式" if project.agency is not None else f"七、{owner_label}及联系方式",
        *parties,
        "八、附件（招标文件）",
        *[f"{d['name']}　SHA-256：{d['sha256']}" for d in attachments],
    ])
    kind = "procurement" if gp else "tender"
    title = f"{project.title}（{lot.name}）{'采购公告' if gp else '招标公告'}"
    return NoticeText(notice_type=kind, title=title, body=body, links=lot_links(lot, signup=True),
                      attachments=attachments)


def failure_notice(lot, *, reason: str, followup: str) -> NoticeText:
    """流标公告: why the lot failed (how many bids) and what follows; it names no bidder."""
    project = lot.project
    owner_label, _agency = _parties(lot)
    body = "\n".join([
        f"项目名称：{project.title}　标段：{lot.name}　标段编号：{lot.code}",
        f"投标截止（开标）时间：{when(lot.bid_deadline)}",
        f"流标原因：{reason}。",
        f"后续安排：{followup}",
        f"{owner_label}：{project.tenderer.name}",
    ])
    return NoticeText(notice_type="failure", title=f"{project.title}（{lot.name}）流标公告", body=body,
                      links=lot_links(lot))


def candidates_notice(lot, *, ranking: list[dict], published_at: dt.datetime) -> NoticeText:
    """Works: 中标候选人公示 (实施条例 Art. 54). Government procurement: 中标（成交）结果公告 with the challenge period
    (政府采购法 Art. 52; 87号令 Art. 69) — a GP result notice has a notice period, not a candidates' publicity."""
    project = lot.project
    if _is_gp(lot):
        return _gp_result_notice(lot, ranking=ranking, published_at=published_at)
    end = rules.after(project, "candidates_publicity_min", published_at)
    rows = [f"第{r['rank']}中标候选人：{r['bidder']}，投标报价：{money(Decimal(str(r['price'])))}" for r in ranking]
    body = "\n".join([
        f"{project.title}（{lot.name}，标段编号{lot.code}）评标工作已经结束，根据《招标投标法实施条例》第五十四条，"
        "现将中标候选人公示如下：",
        *rows,
        f"公示期：{day(published_at)}至{day(end)}（不少于{period_text(project, 'candidates_publicity_min')}）。",
        "投标人或者其他利害关系人对评标结果有异议的，应当在中标候选人公示期间提出。"
        f"招标人应当自收到异议之日起{period_text(project, 'objection_answer_within')}内作出答复；"
        "作出答复前，应当暂停招标投标活动。",
    ])
    return NoticeText(notice_type="candidates", title=f"{project.title}（{lot.name}）中标候选人公示", body=body,
                      links=lot_links(lot))


def _gp_result_notice(lot, *, ranking: list[dict], published_at: dt.datetime) -> NoticeText:
    project = lot.project
    deal = procedure_for(lot).is_deal_form
    winner_label, amount_label = ("成交供应商", "成交金额") if deal else ("中标供应商", "中标金额")
    first = ranking[0]
    body = "\n".join([
        f"项目名称：{project.title}　采购包：{lot.name}　项目编号：{lot.code}",
        f"{winner_label}：{first['bidder']}",
        f"{amount_label}：{money(Decimal(str(first['price'])))}",
        f"公告期限：自本公告发布之日（{day(published_at)}）起{period_text(project, 'candidates_publicity_min')}。",
        "参加本项目的供应商认为采购过程、中标（成交）结果使自己的权益受到损害的，可以在知道或者应知其权益受到损害"
        f"之日起{period_text(project, 'challenge_within')}内，以书面形式向采购人、采购代理机构提出质疑"
        f"（《政府采购法》第五十二条）；采购人、采购代理机构应当在收到书面质疑后"
        f"{period_text(project, 'objection_answer_within')}内作出答复。",
    ])
    title = f"{project.title}（{lot.name}）{'成交结果公告' if deal else '中标结果公告'}"
    return NoticeText(notice_type="result", title=title, body=body, links=lot_links(lot))


def award_notice(lot, *, winner: str, amount: Decimal, committee: list[str], issued_at: dt.datetime) -> NoticeText:
    """Works: 中标结果公告 after the publicity (the result is final, so the committee is named)."""
    project = lot.project
    body = "\n".join([
        f"项目名称：{project.title}　标段：{lot.name}　标段编号：{lot.code}",
        f"中标人：{winner}",
        f"中标价：{money(amount)}",
        f"中标通知书发出日期：{day(issued_at)}",
        f"评标委员会成员：{'、'.join(committee)}",
    ])
    return NoticeText(notice_type="result", title=f"{project.title}（{lot.name}）中标结果公告", body=body,
                      links=lot_links(lot))
