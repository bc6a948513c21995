"""采购意向公开 (财库〔2020〕10号; period 待核实): published with budget and requirements by the purchaser, shown on the
portal; a GP notice before the intention's period has run is refused in Chinese and nothing changes."""

import datetime as dt

import pytest

from ggzy.core import clock
from ggzy.core.errors import Conflict, DomainError, NotAllowed
from ggzy.disclosure.models import Notice
from ggzy.tendering import services
from ggzy.tendering.choices import LotState
from ggzy.tendering.models import Lot, ProcurementIntention
from ggzy.tendering.services import intention, single_source

from .test_gp_single_source import single_source_lot

pytestmark = pytest.mark.django_db
API = "/api/v1/tendering"


def test_intention_publish_refusals_and_the_notice_waiting_for_its_period(world):
    lot = single_source_lot(world)
    project = lot.project
    with pytest.raises(NotAllowed):
        intention.intention_publish(actor=world.bidders[0], project=project, requirements="x", planned_on="2026-06-01")
    # every problem named by field, in Chinese; nothing stored
    with pytest.raises(DomainError) as refused:
        intention.intention_publish(actor=world.tenderer, project=project, requirements=" ", planned_on="1e400")
    assert set(refused.value.errors) == {"requirements", "planned_on"}
    with pytest.raises(DomainError, match="不早于2026-04-01"):  # 2026-03-02 + 30 days
        intention.intention_publish(actor=world.tenderer, project=project, requirements="质谱仪原厂维保",
                                    planned_on="2026-03-20")
    assert not ProcurementIntention.objects.exists()
    published = intention.intention_publish(actor=world.tenderer, project=project,
                                            requirements="质谱仪原厂维保一年，含备件", planned_on="2026-04-15")
    notice = Notice.objects.get(pk=published.notice_id)
    assert notice.notice_type == "intention" and "880,000.00" in notice.body and "质谱仪原厂维保" in notice.body
    with pytest.raises(Conflict, match="已公开"):
        intention.intention_publish(actor=world.tenderer, project=project, requirements="再次", planned_on="2026-05-01")
    # the single-source publicity (this method's notice) waits for the intention's 30 days
    with pytest.raises(Conflict, match="采购意向公开.*不足30日"):
        single_source.single_source_publicize(actor=world.tenderer, lot=lot,
                                              supplier_code=world.bidder_entities[0].credit_code, reasons="原厂专有")
    assert Lot.objects.get(pk=lot.pk).state == LotState.DRAFT
    clock.advance(dt.timedelta(days=30))
    single_source.single_source_publicize(actor=world.tenderer, lot=lot,
                                          supplier_code=world.bidder_entities[0].credit_code, reasons="原厂专有")
    assert Lot.objects.get(pk=lot.pk).state == LotState.PUBLICITY


def test_gp_tender_notice_refused_before_the_intention_period(world):
    project = services.project_register(
        actor=world.tenderer, center=world.center, region=world.region, title="历城区学校课桌椅采购",
        method="gp_open_tender", estimated_price="900000", lots=[{"name": "课桌椅", "estimated_price": "900000"}])
    services.project_accept(actor=world.staff, project=project)
    lot = project.lots.get()
    intention.intention_publish(actor=world.tenderer, project=project, requirements="课桌椅2000套",
                                planned_on="2026-05-01")
    services.lot_document_add(actor=world.tenderer, lot=lot, name="采购文件.pdf", content=b"%PDF-1.7 documents")
    now = clock.now()
    services.lot_schedule(actor=world.tenderer, lot=lot, notice_text="公开招标",
                          documents_sale_end=now + dt.timedelta(days=6), bid_deadline=now + dt.timedelta(days=21),
                          bond_amount="0")
    with pytest.raises(Conflict, match="前不得发布采购公告"):
        services.lot_publish(actor=world.staff, lot=lot)
    assert Lot.objects.get(pk=lot.pk).state == LotState.DRAFT
    assert not Notice.objects.filter(notice_type="procurement").exists()


def test_intention_page_and_api(client, world):
    lot = single_source_lot(world)
    project = lot.project
    page = f"/tendering/projects/{project.pk}/intention/"
    client.force_login(world.tenderer)
    assert 'id="intention-form"' in client.get(page).content.decode()
    bad = client.post(page, {"requirements": "", "planned_on": "NaN"})
    assert "请填写采购需求概况" in bad.content.decode() and not ProcurementIntention.objects.exists()
    hostile = client.post(f"{API}/projects/{project.pk}/intention", {"requirements": "x", "planned_on": "1e20"},
                          content_type="application/json")
    assert hostile.status_code == 400 and "planned_on" in hostile.json()["errors"]
    assert client.post(f"{API}/projects/{project.pk}/intention", "{bad json", content_type="application/json") \
        .status_code == 400
    made = client.post(f"{API}/projects/{project.pk}/intention", {"requirements": "原厂维保", "planned_on": "2026-04-10"},
                       content_type="application/json")
    assert made.status_code == 201 and made.json()["budget"] == "880000.00"
    client.logout()
    assert client.get(f"{API}/projects/{project.pk}/intention").json()["requirements"] == "原厂维保"
    assert client.get(f"{API}/projects/999999999/intention").status_code == 404
    shown = client.get(page).content.decode()
    assert "原厂维保" in shown and 'id="intention-form"' not in shown
