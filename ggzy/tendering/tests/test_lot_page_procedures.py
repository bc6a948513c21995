"""The lot page asks the lot's procedure: an inquiry lot hides the bid change/withdraw controls once a quotation is
in and states the one-quotation rule (政府采购非招标采购方式管理办法 Art. 47); the status tag and the step bar name
the state as the method does (a government-procurement result is a 成交／中标结果公告, not 候选人公示)."""

import pytest
from django.db import transaction

from ggzy.tendering import services
from ggzy.tendering.choices import LotState
from ggzy.tendering.procedures import procedure_for
from ggzy.tendering.services import bidding
from ggzy.tendering.templatetags.tendering_tags import lot_state

from .conftest import bond_arrive, lot_ready
from .test_gp_single_source import single_source_lot

pytestmark = pytest.mark.django_db

RULE = "询价采购中供应商只能一次报出不得更改的价格"


def _quoted_lot(world, method):
    """A published lot of ``method`` with bidder 0 signed up, its bond in and one bid submitted."""
    lot = lot_ready(world, method=method)
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    bidding.bid_submit(actor=world.bidders[0], lot=lot, price_sheet={"total_price": "98000.00"},
                       files=[bidding.IncomingFile("报价文件.pdf", [b"quotation"])])
    return lot


def _page(client, user, lot, lang=None):
    client.force_login(user)
    if lang:
        client.cookies["django_language"] = lang
    response = client.get(f"/tendering/lots/{lot.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_inquiry_lot_hides_change_and_withdraw_and_states_the_rule(client, world):
    # given an inquiry lot where the supplier has quoted
    lot = _quoted_lot(world, "gp_inquiry")
    # when the supplier opens the lot page
    html = _page(client, world.bidders[0], lot)
    # then its quotation is shown, the rule is stated in words, and no control offers to change or withdraw it
    assert 'id="my-bid"' in html
    assert 'id="bid-change-rule"' in html and RULE in html
    assert 'id="bid-form"' not in html and "修改投标文件" not in html
    assert 'id="bid-withdraw"' not in html and "撤回投标" not in html
    assert "/act/withdraw/" not in html and "/sealed-bid/" not in html


def test_an_inquiry_lot_states_the_rule_in_english(client, world):
    lot = _quoted_lot(world, "gp_inquiry")
    html = _page(client, world.bidders[0], lot, lang="en")
    assert "each supplier quotes once" in html and RULE not in html
    assert 'id="bid-withdraw"' not in html


def test_an_inquiry_lot_before_the_quotation_offers_the_form_and_warns(client, world):
    # given an inquiry lot where the supplier has signed up but not quoted
    lot = lot_ready(world, method="gp_inquiry")
    services.signup_create(actor=world.bidders[0], lot=lot)
    bond_arrive(world, lot, 0)
    html = _page(client, world.bidders[0], lot)
    # then it can quote, and is told beforehand that the quotation is final
    assert 'id="bid-form"' in html and RULE in html
    assert 'id="bid-withdraw"' not in html


def test_an_open_tender_lot_keeps_the_change_and_withdraw_controls(client, world):
    # given a works open-tender lot where the bidder has bid
    lot = _quoted_lot(world, "works_open_tender")
    html = _page(client, world.bidders[0], lot)
    # then it may still replace or withdraw its bid, and no one-quotation rule is shown
    assert 'id="bid-form"' in html and "修改投标文件" in html
    assert 'id="bid-withdraw"' in html and "/act/withdraw/" in html and "/sealed-bid/" in html
    assert 'id="bid-change-rule"' not in html


@pytest.mark.parametrize(("method", "refused"), [("gp_inquiry", True), ("works_open_tender", False)])
def test_the_browser_sealed_page_follows_the_same_rule(client, world, method, refused):
    # given a lot where the bidder has bid; when it opens the browser-sealed bid page
    lot = _quoted_lot(world, method)
    client.force_login(world.bidders[0])
    html = client.get(f"/tendering/lots/{lot.pk}/sealed-bid/").content.decode()
    # then an inquiry supplier is offered no re-submission and reads the rule; an open-tender bidder may re-seal
    assert ('id="sealed-form"' not in html) is refused
    assert ('id="sealed-change-rule"' in html and RULE in html) is refused


def _single_source_at_result(world):
    """A single-source lot at its result notice (the service path there is test_single_source_from_publicity_to_
    result; here the transitions run through the procedure's own table)."""
    lot = single_source_lot(world)
    with transaction.atomic():
        for state in (LotState.PUBLICITY, LotState.NEGOTIATING, LotState.CANDIDATES):
            procedure_for(lot).transition(actor=world.staff, to=state)
    return lot


@pytest.mark.parametrize(("lang", "label", "wrong"), [(None, "成交结果公告", "候选人公示"),
                                                      ("en", "Result published", "Candidates announced")])
def test_a_single_source_result_is_labelled_as_the_result_notice(client, world, lang, label, wrong):
    # given a single-source lot whose result notice is published
    lot = _single_source_at_result(world)
    html = _page(client, world.tenderer, lot, lang=lang)
    # then the status tag and the step bar call it the result notice, nowhere candidates' publicity
    tag = html.split('id="lot-state">', 1)[1].split("<", 1)[0]
    assert tag == label
    assert f'<li class="step-current">{label}</li>' in html
    assert wrong not in html
    # and the lists show the same label
    listing = client.get("/tendering/lots/").content.decode()
    assert label in listing and wrong not in listing
    single = client.get(f"/tendering/lots/{lot.pk}/single-source/")
    assert single.status_code == 200
    assert f'id="single-source-state">{label}<' in single.content.decode()


def test_the_state_label_is_the_procedures():
    class _Lot:
        def __init__(self, method, state):
            self.state = state
            self.project = type("P", (), {"method": method})()

    # works tendering publicises candidates; GP publishes a result notice (成交 for the non-tender methods)
    assert str(lot_state(_Lot("works_open_tender", LotState.CANDIDATES))) == "候选人公示"
    assert str(lot_state(_Lot("gp_open_tender", LotState.CANDIDATES))) == "中标结果公告"
    for method in ("gp_single_source", "gp_inquiry", "gp_negotiation"):
        assert str(lot_state(_Lot(method, LotState.CANDIDATES))) == "成交结果公告"
    # other states keep their common label
    assert str(lot_state(_Lot("gp_single_source", LotState.PUBLICITY))) == "单一来源公示"
