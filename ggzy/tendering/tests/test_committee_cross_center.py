"""Cross-center experts in a draw (issue 13): an ACCEPTED request for experts in the lot's remote session adds the
other center's region to the draw's regions; a pending or declined one adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from ggzy.centers import services as centers_services
from ggzy.core import clock
from ggzy.experts.models import DrawRequest
from ggzy.experts.tests.factories import ExpertFactory
from ggzy.tendering.services import committee

from .test_committee import _opened


def _session_with_expert_request(world, centers, lot):
    venue = centers_services.venue_create(actor=world.staff, name="济南评标基地", city="济南")
    session = centers_services.session_create(
        actor=world.staff,
        subject_key=f"tendering.lot:{lot.pk}",
        subject_code=lot.code,
        subject_title="x",
        center_id=centers["jinan"].pk,
        host_venue=venue,
    )
    return centers_services.session_request(
        actor=world.staff, session=session, kind="experts", to_center_id=centers["qingdao"].pk, count=2
    )


def _draw_regions(world, lot) -> list[int]:
    ExpertFactory(classifications=["A0101"], employer=None)  # the classification exists in the pool
    formation = committee.committee_draw_request(
        actor=world.staff,
        lot=lot,
        needs=[("A0101", 4, "technical")],
        size=5,
        tenderer_rep=world.tenderer,
        regions_include=["370100"],
        scheduled_at=clock.now() + dt.timedelta(hours=3),
    )
    ids = list(DrawRequest.objects.get(pk=formation.draw_request_id).regions_include)
    # the formation shows the same regions (as division codes) as the draw request uses (as ids)
    assert formation.regions_include == ["370100", "370200"][: len(ids)]
    return ids


@pytest.mark.parametrize("accept", [True, False])
def test_accepted_cross_center_expert_request_adds_the_other_centers_region_to_the_draw(world, centers, accept):
    # given an opened lot of Jinan with a remote session that asked Qingdao for experts, answered by Qingdao
    lot = _opened(world)
    request = _session_with_expert_request(world, centers, lot)
    centers_services.request_answer(actor=world.other_staff, request=request, accept=accept)
    # when Jinan's staff request a draw from Jinan's region
    regions = _draw_regions(world, lot)
    # then Qingdao's region joins the draw only if Qingdao accepted
    expected = [centers["jinan"].region_id, centers["qingdao"].region_id] if accept else [centers["jinan"].region_id]
    assert regions == expected


def test_pending_cross_center_expert_request_adds_nothing(world, centers):
    # given a request for experts Qingdao has not answered
    lot = _opened(world)
    _session_with_expert_request(world, centers, lot)
    # when the draw is requested
    regions = _draw_regions(world, lot)
    # then only the included region is drawn from
    assert regions == [centers["jinan"].region_id]
