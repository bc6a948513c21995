"""Issue 18 follow-up: where a tenderer chooses its agency, each agency shows its credit grade and its records in
force (count and the worst kind), computed by ggzy.credit from the records keyed by the agency's credit code."""

import datetime as dt

from django.urls import reverse

from ggzy.core import clock
from ggzy.credit import evaluation
from ggzy.credit import services as credit_services
from ggzy.registry.models import MarketEntityAccount


def _record(entity, *, kind, subject_kind="entity", title="违规收取费用", days=365, start_days_ago=0):
    start = clock.today() - dt.timedelta(days=start_days_ago)
    return credit_services.record_create(
        actor=None, subject_kind=subject_kind, subject_key=entity.credit_code, subject_name=entity.name,
        source="supervision", kind=kind, title=title, authority="济南市住房和城乡建设局", decision_no="济建罚〔2026〕9号",
        decided_on=start, valid_from=start, valid_until=start + dt.timedelta(days=days))


def _agency(world):
    return MarketEntityAccount.objects.get(user=world.agency).entity


def _option(html, entity):
    start = html.index(f'<option value="{entity.pk}"')
    return html[start:html.index("</option>", start)]


def test_the_agency_choice_shows_grade_and_records_in_force(world, client):
    agency = _agency(world)
    client.force_login(world.tenderer)
    # no records: the base score's grade (80 → B) and no records in force
    option = _option(client.get(reverse("tendering:project_new")).content.decode(), agency)
    assert "信用等级 B" in option and "无在册信用记录" in option
    # a violation in force (keyed "entity" by its credit code) and an expired one: 70 → C, one record, worst violation
    _record(agency, kind="violation")
    _record(agency, kind="violation", title="旧处罚", days=30, start_days_ago=400)
    option = _option(client.get(reverse("tendering:project_new")).content.decode(), agency)
    assert "信用等级 C" in option and "1条在册信用记录（最重：违法违规行为）" in option


def test_records_keyed_as_agency_are_used_and_the_worst_kind_named(world, client):
    agency = _agency(world)
    _record(agency, kind="reward", subject_kind="agency", title="守信激励")
    _record(agency, kind="serious_breach", subject_kind="agency", title="串通投标")
    _record(agency, kind="reward", subject_kind="entity", title="不计入：另一主体类别")
    brief = evaluation.credit_brief(agency.credit_code)
    assert brief["subject_kind"] == "agency" and brief["records"] == 2
    assert brief["worst_kind"] == "serious_breach" and brief["score"] == 80 + 5 - 40 and brief["grade"] == "D"
    client.force_login(world.tenderer)
    option = _option(client.get(reverse("tendering:project_new")).content.decode(), agency)
    assert "信用等级 D" in option and "2条在册信用记录（最重：严重失信主体名单）" in option


def test_the_agency_choice_in_english(world, client):
    agency = _agency(world)
    _record(agency, kind="violation")
    client.force_login(world.tenderer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("tendering:project_new")).content.decode()
    option = _option(html, agency)
    assert "credit grade C" in option and "1 credit record(s) in force" in option
