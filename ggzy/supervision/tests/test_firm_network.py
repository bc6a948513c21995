"""A firm's co-bidding graph: the pure neighbourhood and layout, and /supervision/firms/<id>/network/ (supervisors
only, only lots whose opening is published, Chinese and English, SVG without inline styles)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ggzy.core.roles import Role
from ggzy.supervision.screens.history import HistoryRecord
from ggzy.supervision.screens.network import VIEW, neighbourhood
from ggzy.tendering.tests.conftest import world  # noqa: F401  (the world fixture)

from .history_world import opened_lot

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def rec(lot: str, firm: str, won: bool = False) -> HistoryRecord:
    return HistoryRecord(lot_id=lot, buyer_id="T", category="01", opened="2026-01-01", estimate=None,
                         bidder_id=firm, price=100.0, is_winner=won, disqualified=False)


def test_neighbourhood_weights_edges_by_lots_together_and_marks_winners():
    # given F bid with A in lots 1 and 2 (A won lot 1), with B in lot 2; lot 3 has no F
    records = [rec("1", "A", True), rec("1", "F"), rec("2", "A"), rec("2", "B", True), rec("2", "F"),
               rec("3", "A"), rec("3", "C", True)]
    # when
    graph = neighbourhood(records, "F")
    # then
    assert graph.lots == 2
    assert [(n.id, n.with_focus, n.wins) for n in graph.nodes] == [("F", 2, 0), ("A", 2, 1), ("B", 1, 1)]
    assert {(e.a, e.b): e.weight for e in graph.edges} == {("A", "F"): 2, ("B", "F"): 1, ("A", "B"): 1}
    assert graph.nodes[0].x == graph.nodes[0].y == VIEW / 2
    assert all(0 <= n.x <= VIEW and 0 <= n.y <= VIEW for n in graph.nodes)


def test_neighbourhood_keeps_the_closest_neighbours_and_counts_the_rest():
    # given F met X0..X19 once each and Y three times
    records = [r for i in range(20) for r in (rec(f"L{i}", "F"), rec(f"L{i}", f"X{i:02d}"))]
    records += [r for i in range(3) for r in (rec(f"M{i}", "F"), rec(f"M{i}", "Y"))]
    # when
    graph = neighbourhood(records, "F", max_nodes=5)
    # then
    assert [n.id for n in graph.nodes] == ["F", "Y", "X00", "X01", "X02"] and graph.omitted == 17


def test_neighbourhood_of_a_firm_without_lots_is_empty():
    # given / when / then
    assert neighbourhood([rec("1", "A")], "F").nodes == []


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(world, make_user, centers):  # noqa: F811
    return {
        "supervisor": make_user(Role.SUPERVISOR, center=centers["province"]),
        "qingdao_supervisor": make_user(Role.SUPERVISOR, center=centers["qingdao"]),
        "staff": world.staff,
        "bidder": world.bidders[0],
    }


def test_firm_network_page_is_for_supervisors_only(world, people):  # noqa: F811
    # given a published opening of three bids
    opened_lot(world, publish=True)
    url = f"/supervision/firms/{world.bidder_entities[0].pk}/network/"
    # when / then: anonymous goes to the login page, other roles are refused
    assert Client().get(url).status_code == 302
    assert _client(people["bidder"]).get(url).status_code == 403
    assert _client(people["staff"]).get(url).status_code == 403
    assert _client(people["supervisor"]).get("/supervision/firms/999999/network/").status_code == 404


def test_firm_network_page_draws_the_neighbours_as_svg(world, people):  # noqa: F811
    # given a published opening of three bids
    opened_lot(world, publish=True)
    url = f"/supervision/firms/{world.bidder_entities[0].pk}/network/"
    # when
    response = _client(people["supervisor"]).get(url)
    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="cobid-edge"') == 3 and html.count("<circle") == 3
    assert world.bidder_entities[1].name in html and world.bidder_entities[2].name in html
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "style=" not in svg and "<script" not in html.split("</header>", 1)[-1]


def test_firm_network_shows_nothing_before_the_opening_is_published(world, people):  # noqa: F811
    # given decrypted bids whose opening record is not published
    opened_lot(world, publish=False)
    url = f"/supervision/firms/{world.bidder_entities[0].pk}/network/"
    # when
    html = _client(people["supervisor"]).get(url).content.decode()
    # then no co-bidder appears, nor a count of lots
    assert "<svg" not in html
    assert world.bidder_entities[1].name not in html and world.bidder_entities[2].name not in html
    assert "该企业没有已公布开标记录的投标" in html


def test_a_city_supervisor_sees_only_the_lots_of_its_center(world, people):  # noqa: F811
    # given a Jinan lot with a published opening
    opened_lot(world, publish=True)
    url = f"/supervision/firms/{world.bidder_entities[0].pk}/network/"
    # when Qingdao's supervisor looks
    html = _client(people["qingdao_supervisor"]).get(url).content.decode()
    # then
    assert "<svg" not in html and world.bidder_entities[1].name not in html


def test_firm_network_page_in_english_has_no_chinese_but_data(world, people):  # noqa: F811
    # given a published opening
    opened_lot(world, publish=True)
    url = f"/supervision/firms/{world.bidder_entities[0].pk}/network/?lang=en"
    # when
    html = _client(people["supervisor"]).get(url).content.decode()
    # then: only the firms' names (data) and the brand/language switch stay Chinese in the content
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    for entity in world.bidder_entities:
        main = main.replace(entity.name, "")
    assert "Co-bidding" in main
    assert not HAN.search(main), HAN.findall(main)[:20]


def test_the_entity_page_links_supervisors_to_the_graph_and_nobody_else(world, people):  # noqa: F811
    # given a firm's public registry page
    entity = world.bidder_entities[0]
    url = f"/registry/entities/{entity.credit_code}/"
    # when / then
    assert f"/supervision/firms/{entity.pk}/network/" in _client(people["supervisor"]).get(url).content.decode()
    for viewer in (Client(), _client(people["bidder"]), _client(people["staff"])):
        html = viewer.get(url).content.decode()
        assert "firm-network-link" not in html and "/supervision/" not in html
