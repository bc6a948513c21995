"""The demo loader adds consultations and two city extensions, and can run twice."""

import io

import pytest

from ggzy.catalog.demo import demo_catalog_load
from ggzy.catalog.models import CityCatalogExtension, Consultation
from ggzy.catalog.selectors import catalog_item_get

pytestmark = pytest.mark.django_db


def test_demo_catalog_load_is_idempotent(frozen_clock):
    # when the loader runs twice
    out = io.StringIO()
    demo_catalog_load(stdout=out)
    counts = (CityCatalogExtension.objects.count(), Consultation.objects.count())
    demo_catalog_load()
    # then the second run adds nothing
    assert counts == (2, 6)
    assert (CityCatalogExtension.objects.count(), Consultation.objects.count()) == counts
    assert "交易目录演示数据已加载" in out.getvalue()


def test_demo_cities_have_their_extensions_with_published_consultations(frozen_clock):
    demo_catalog_load()
    jinan = catalog_item_get("61", center="370100")
    qingdao = catalog_item_get("62", center="370200")
    assert (jinan.name, qingdao.name) == ("排污权", "碳排放权")
    assert jinan.consultations and qingdao.consultations
    assert catalog_item_get("07").consultations
