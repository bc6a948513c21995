"""The notices a lot publishes, in the statutory form of its category: the tender notice (parties, contacts, key
dates, bond, qualification, attachments, links), the result notices (works: candidates' publicity then result;
government procurement: a result notice with its challenge period) and the 流标公告 of a failed lot."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from ggzy.catalog.models import TemplatePeriod
from ggzy.core import clock
from ggzy.disclosure.models import Notice
from ggzy.registry.models import KeyPerson, MarketEntity
from ggzy.tendering.choices import BidState, LotState
from ggzy.tendering.services import bidding, evaluation, opening, result

from .conftest import lot_ready, seat_committee, sign_up

MOBILE = re.compile(r"1[3-9]\d{9}")


def _bid(world, lot, i, price):
    bidding.bid_submit(actor=world.bidders[i], lot=lot, price_sheet={"total_price": price, "duration_days": 300},
                       files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal %d" % i])],
                       fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})


def _opened(world, lot, prices):
    sign_up(world, lot, range(len(prices)))
    for i, price in enumerate(prices):
        _bid(world, lot, i, price)
    clock.freeze(lot.bid_deadline + dt.timedelta(minutes=1))
    return opening.lot_open(actor=world.staff, lot=lot)


def _evaluated(world, lot):
    opening.opening_decrypt_all(actor=world.staff, lot=lot)
    opening.opening_record_publish(actor=world.staff, lot=lot)
    opening.opening_close(actor=world.staff, lot=lot)
    members = [(e, "expert_technical") for e in world.experts[:4]] + [(world.experts[4], "expert_economic")]
    seat_committee(world.staff, lot, members, chair=world.experts[0])
    for member, _ in members:
        for bid in lot.bids.filter(state=BidState.OPENED):
            evaluation.score_submit(actor=member, bid=bid, technical="50", commercial="10")
    evaluation.report_generate(actor=world.experts[0], lot=lot)
    for member, _ in members:
        evaluation.report_sign(actor=member, lot=lot)
    return lot


def _notice(lot, notice_type):
    return Notice.objects.get(project_code=lot.code, notice_type=notice_type)


# --- the tender notice -------------------------------------------------------------------------------------


def _lot_by_agency(world):
    """As ``lot_ready``, registered by the agency for the tenderer (so both are named on the notice)."""
    from ggzy.tendering import services

    project = services.project_register(
        actor=world.agency, tenderer=world.tenderer_entity, center=world.center, region=world.region,
        title="历城区第二实验小学教学楼工程", method="works_open_tender", estimated_price="8000000",
        lots=[{"name": "施工一标段", "estimated_price": "8000000", "qualification_required": "建筑工程施工总承包"}])
    services.project_accept(actor=world.staff, project=project)
    lot = project.lots.get()
    services.lot_document_add(actor=world.agency, lot=lot, name="招标文件.pdf", content=b"%PDF-1.7 tender documents")
    now = clock.now()
    services.lot_schedule(actor=world.agency, lot=lot, notice_text="本项目公开招标，欢迎具备资质的企业参加。",
                          documents_sale_end=now + dt.timedelta(days=6), bid_deadline=now + dt.timedelta(days=21),
                          bond_amount="10000.00")
    services.lot_publish(actor=world.staff, lot=lot)
    lot.refresh_from_db()
    return lot


def test_tender_notice_names_parties_contacts_dates_bond_and_attachments(world, client):
    # given a tenderer whose contact phone is a mobile (a person's) and who has a key person with an ID number,
    # and an agency with an office phone
    world.tenderer_entity.contact_phone = "13912345678"
    world.tenderer_entity.save(update_fields=["contact_phone"])
    KeyPerson.objects.create(entity=world.tenderer_entity, name="王建国", role="项目负责人",
                             id_number="370102198001011234", phone="13800001111")
    agency = MarketEntity.objects.get(name="山东正信招标代理有限公司")
    agency.contact_phone = "0531-86901234"
    agency.save(update_fields=["contact_phone"])
    # when the agency's lot is published
    lot = _lot_by_agency(world)
    notice = Notice.objects.get(pk=lot.notice_id)
    # then the notice is a tender notice naming the tenderer, with the key dates, the opening place and the bond
    assert notice.notice_type == "tender"
    body = notice.body
    assert f"招标人：{world.tenderer_entity.name}" in body
    assert world.tenderer_entity.contact_name in body
    assert "请通过本平台在线咨询" in body  # its mobile is not published
    assert f"招标代理机构：{agency.name}" in body and "联系电话：0531-86901234" in body
    assert "具备建筑工程施工总承包资质" in body
    assert "投标截止时间（开标时间）" in body and "网上开标大厅" in body
    assert "投标保证金：10,000.00元" in body and "不超过估算价的2%" in body
    assert "不少于5日" in body  # the template's documents sale period
    # and its attachments are the tender documents with their hashes
    document = lot.documents.get()
    assert notice.attachments == [{"name": "招标文件.pdf", "sha256": document.sha256, "size": document.size}]
    assert document.sha256 in body
    # and it links to the lot and to sign-up
    assert {link["kind"] for link in notice.links} == {"lot", "signup"}
    # and no personal phone or ID number appears anywhere
    assert not MOBILE.search(body)
    assert "370102198001011234" not in body and "13800001111" not in body
    # and the public page shows the links, the attachments and the deadline under its own name
    page = client.get(f"/notices/{notice.pk}/").content.decode()
    assert f'href="/tendering/lots/{lot.pk}/"' in page and f'href="/tendering/lots/{lot.pk}/#signup"' in page
    assert document.sha256 in page and 'id="notice-attachments"' in page
    assert "投标截止（开标）时间" in page
    # and the public API gives the same links and attachments
    data = client.get(f"/api/v1/disclosure/notices/{notice.pk}").json()
    assert data["attachments"] == notice.attachments
    assert [link["kind"] for link in data["links"]] == ["lot", "signup"]


def test_the_lot_page_links_to_its_notice_and_sign_up(world, client):
    lot = lot_ready(world)
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert f'href="/notices/{lot.notice_id}/"' in page
    assert 'id="signup"' in page and "/accounts/login/?next=" in page


# --- result notices per category ---------------------------------------------------------------------------


def test_works_candidates_notice_has_the_publicity_period_in_calendar_days(world):
    # given a works lot evaluated with three bids
    lot = _evaluated(world, _opened(world, lot_ready(world), ["7600000.00", "7500000.00", "7700000.00"]))
    # when the candidates are published
    result.candidates_publish(actor=world.tenderer, lot=lot)
    notice = _notice(lot, "candidates")
    # then the notice is the works form: candidates with their prices, a publicity of at least 3 days
    assert "中标候选人公示" in notice.title
    assert "第五十四条" in notice.body and "不少于3日" in notice.body
    assert "7,500,000.00元" in notice.body
    assert "工作日" not in notice.body  # a works notice never says "working days"
    assert notice.deadline is None
    # when the award is issued after the publicity, the result notice names the winner and the price
    clock.advance(dt.timedelta(days=3, minutes=1))
    award = result.award_issue(actor=world.tenderer, lot=lot)
    final = _notice(lot, "result")
    assert f"中标人：{award.bidder_name}" in final.body and "中标价：" in final.body
    assert final.deadline is None and "工作日" not in final.body


def test_works_publicity_period_comes_from_the_template(world):
    # given the template's publicity period changed to 5 days
    lot = _evaluated(world, _opened(world, lot_ready(world), ["7600000.00", "7500000.00", "7700000.00"]))
    TemplatePeriod.objects.filter(version_id=lot.project.template_version_id, key="candidates_publicity_min") \
        .update(value=5)
    # when the candidates are published
    result.candidates_publish(actor=world.tenderer, lot=lot)
    # then the notice says 5 days
    assert "不少于5日" in _notice(lot, "candidates").body


def test_government_procurement_result_notice_has_the_challenge_period(world, client):
    # given a government procurement lot evaluated with three bids
    lot = _evaluated(world, _opened(world, lot_ready(world, method="gp_open_tender"),
                                    ["7600000.00", "7500000.00", "7700000.00"]))
    # when its result is published
    result.candidates_publish(actor=world.tenderer, lot=lot)
    # then it is a 中标结果公告 with the notice period and the challenge period in working days, no candidates list
    notice = _notice(lot, "result")
    assert notice.title.endswith("中标结果公告")
    assert "中标供应商：" in notice.body and "中标金额：7,500,000.00元" in notice.body
    assert "公告期限" in notice.body and "1个工作日" in notice.body
    assert "7个工作日内" in notice.body and "质疑" in notice.body and "第五十二条" in notice.body
    assert "公示期" not in notice.body
    assert not Notice.objects.filter(project_code=lot.code, notice_type="candidates").exists()
    # and its page shows no deadline
    assert 'id="notice-deadline"' not in client.get(f"/notices/{notice.pk}/").content.decode()
    # and a challenge is accepted after the notice period (1 working day) while the challenge period runs
    clock.advance(dt.timedelta(days=4))
    objection = result.result_objection_raise(actor=world.bidders[0], lot=lot, text="评分有误")
    assert objection.pk
    # and the award publishes no second result notice
    result.result_objection_answer(actor=world.tenderer, objection=objection, answer="经复核，评分无误")
    result.award_issue(actor=world.tenderer, lot=lot)
    assert Notice.objects.filter(project_code=lot.code, notice_type="result").count() == 1


# --- a failed lot ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, reason, followup", [
    ("works_open_tender", "投标人少于3个（2个），不予开标", "重新招标"),
    ("gp_open_tender", "投标人少于3个（2个），不予开标", "其他采购方式"),
], ids=["works", "government"])
def test_a_lot_with_too_few_bids_fails_and_says_why_and_what_follows(world, client, method, reason, followup):
    # given a lot with two bids
    lot = lot_ready(world, method=method)
    # when the deadline passes and the lot is opened
    lot = _opened(world, lot, ["7600000.00", "7500000.00"])
    lot.refresh_from_db()
    # then it failed, keeping the reason, and a 流标公告 says why and what follows, naming no bidder
    assert lot.state == LotState.FAILED and lot.failure_reason == reason
    notice = _notice(lot, "failure")
    assert notice.title.endswith("流标公告")
    assert f"流标原因：{reason}" in notice.body and followup in notice.body
    assert not any(e.name in notice.body for e in world.bidder_entities)
    assert notice.deadline is None
    # and the lot page says the same, and its stepper stops at 流标 with nothing pending after it
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert 'id="lot-failure"' in page and reason in page and followup in page
    # the failure section links to the 流标公告, as the tender notice is linked
    failure = page[page.index('id="lot-failure"'):]
    failure = failure[:failure.index("</section>")]
    assert f'href="/notices/{notice.pk}/" id="failure-notice-link"' in failure
    steps = re.findall(r'<li class="step-(\w+)">([^<]+)</li>', page)
    assert steps[-1] == ("stopped", "流标")
    assert all(status == "done" for status, _ in steps[:-1])
    assert "评标中" not in [label for _, label in steps]


def test_a_failed_lot_page_in_english_translates_the_reason(world, client):
    lot = _opened(world, lot_ready(world), ["7600000.00", "7500000.00"])
    client.cookies["django_language"] = "en"
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert "Fewer than 3 bidders (2)" in page and "re-tender" in page.lower()
    assert "View the failed-tender notice" in page and "查看流标公告" not in page


def test_a_withdrawn_failure_notice_is_not_linked(world, client):
    lot = _opened(world, lot_ready(world), ["7600000.00", "7500000.00"])
    Notice.objects.filter(project_code=lot.code, notice_type="failure").update(status="withdrawn")
    page = client.get(f"/tendering/lots/{lot.pk}/").content.decode()
    assert 'id="lot-failure"' in page and 'id="failure-notice-link"' not in page
