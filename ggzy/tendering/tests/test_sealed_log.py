"""Sealed activity stays sealed in the log (issue 10, item 1).

Before a lot's deadline no public endpoint or page yields anything from which its sign-up, bond or bid count can
be derived: what anonymous sees with 0 and with 3 bidders is the same except the log's size and the platform-wide
number of sealed entries. After the opening every sealed entry's body and salt are published and match the
commitment its leaf holds.
"""

import base64
import datetime as dt
import hashlib
import json
import re

import pytest

from ggzy.core import clock
from ggzy.ledger import canonical, selectors
from ggzy.ledger.export import ledger_export, verify_database
from ggzy.ledger.models import LogEntry, SealedEntry
from ggzy.ledger.verify import verify_export
from ggzy.tendering import services
from ggzy.tendering.choices import LotState
from ggzy.tendering.services import bidding, opening

from .conftest import bond_arrive, lot_ready

# each sign-up and each submission is preceded by its credit check, sealed like the act (issue 18)
SEALED_ACTIONS = ["lot.signup", "lot.bond_arrival", "bid.submit", "credit.check", "credit.check"]


def _bid(world, lot, i):
    user = world.bidders[i]
    services.signup_create(actor=user, lot=lot)
    bond_arrive(world, lot, i)
    bidding.bid_submit(actor=user, lot=lot, price_sheet={"total_price": f"76{i}0000.00", "duration_days": 300},
                       files=[bidding.IncomingFile("技术标.pdf", [b"technical proposal %d" % i])],
                       fingerprint={"mac": f"00:11:22:33:44:{i:02d}"})


_MASKS = [
    (re.compile(r"[0-9a-f]{64}"), "<hex>"),  # hashes, commitments
    (re.compile(r"[A-Za-z0-9+/]{40,}={0,2}"), "<b64>"),  # base64 hashes and signatures
    (re.compile(r'nonce="[^"]*"'), 'nonce=""'),  # per-response CSP nonce
    (re.compile(r'(csrfmiddlewaretoken" value=|csrf-token" content=)"[^"]*"'), r'\1""'),
    (re.compile(r'<ol class="ledger-proof">.*?</ol>', re.S), "<proof/>"),  # audit path: hashes, length from size
]


def _masked(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def _public_urls(lot) -> list[str]:
    return [f"/tendering/lots/{lot.pk}/", f"/api/v1/tendering/lots/{lot.pk}", "/tendering/lots/", "/tendering/",
            "/api/v1/tendering/lots", f"/notices/{lot.notice_id}/", "/api/v1/disclosure/notices", "/ledger/",
            "/api/v1/ledger/checkpoints/latest", "/api/v1/ledger/head", "/api/v1/ledger/feed",
            "/api/v1/ledger/receipts/0", "/api/v1/ledger/proofs/inclusion?index=0&size=1"]


def _anonymous_view(client, lot) -> tuple[int, dict[str, tuple[int, str]]]:
    """Everything anonymous can read: every entry (API and page), the lot's pages, the ledger's pages and lists."""
    size = client.get("/api/v1/ledger/head").json()["tree_size"]
    seen = {}
    for index in range(size):
        for url in (f"/api/v1/ledger/entries/{index}", f"/ledger/entries/{index}/"):
            response = client.get(url)
            seen[url] = (response.status_code, response.content.decode())
    for url in _public_urls(lot):
        response = client.get(url)
        seen[url] = (response.status_code, response.content.decode())
    return size, seen


def _without_counts(url: str, text: str, size: int, sealed: int) -> str:
    """Mask the two figures allowed to differ: the log's size and the platform-wide number of sealed entries."""
    text = _masked(text)
    if url == "/api/v1/ledger/head":
        data = json.loads(text)
        assert (data["tree_size"], data["sealed_pending"]) == (size, sealed)
        return "head"
    if url == "/ledger/":
        text = text.replace(f'id="tree-size">{size}<', 'id="tree-size">N<')
        return text.replace(f'id="sealed-pending">{sealed}<', 'id="sealed-pending">N<')
    if url.startswith("/ledger/entries/"):
        return re.sub(r"记录数为 \d+ 的", "记录数为 N 的", text)
    return text


@pytest.fixture
def published(world, client):
    lot = lot_ready(world)
    lot_open_elsewhere = lot_ready(world)  # another lot, to show sealed entries of different lots look alike
    return lot, lot_open_elsewhere


def test_before_the_deadline_nothing_public_tells_how_many_signed_up_or_bid(client, world, published):
    lot, other = published
    # given what anonymous sees before anyone signs up
    size_0, before = _anonymous_view(client, lot)
    # when three bidders sign up, pay the bond and bid (and one bidder acts on another lot)
    for i in range(3):
        _bid(world, lot, i)
    services.signup_create(actor=world.bidders[3], lot=other)
    size_3, after = _anonymous_view(client, lot)
    # then the log grew by one sealed entry per act and per credit check (sign-up, submission), and only the
    # log's size and the sealed count changed
    assert size_3 == size_0 + 17
    for url, (status, text) in before.items():
        assert status == after[url][0], url
        assert _without_counts(url, text, size_0, 0) == _without_counts(url, after[url][1], size_3, 17), url
    # and every new entry, in the API and on its page, is the same commitment-only shape: no lot, action, actor,
    # center or time (the other lot's sign-up looks exactly like this lot's bids)
    api_shapes, page_shapes = set(), set()
    for index in range(size_0, size_3):
        status, text = after[f"/api/v1/ledger/entries/{index}"]
        data = json.loads(text)
        assert status == 200 and data["sealed"]["is_revealed"] is False
        assert (data["created_at"], data["object_type"], data["object_id"], data["action"]) == (None, "", "", "")
        # the published body (the stub its leaf was computed from) names its index too
        api_shapes.add(re.sub(rf'(\\?)"index\\?": ?{index}\b', r'\1"index\1": N', _masked(text)))
        page = after[f"/ledger/entries/{index}/"][1]
        page_shapes.add(_without_counts("/ledger/entries/", page, 0, 0).replace(f"#{index}", "#N")
                        .replace(f"/ledger/entries/{index}/", "/ledger/entries/N/"))
        assert f"tendering.lot:{lot.pk}" not in page and "lot.signup" not in page and "bid.submit" not in page
    assert len(api_shapes) == 1 and len(page_shapes) == 1
    # and the entries' own bodies (what feeds and exports carry) are commitments only
    for entry in LogEntry.objects.filter(index__gte=size_0):
        assert set(json.loads(entry.body)) == {"v", "index", "kind", "commitment"}


def test_staff_cannot_count_a_lots_bidders_in_the_trace_before_the_opening(client, world, published):
    # given three bids on the lot
    lot, _ = published
    for i in range(3):
        _bid(world, lot, i)
    client.force_login(world.staff)
    # when the center's staff trace the lot
    page = client.get("/ledger/trace/", {"object": f"tendering.lot:{lot.pk}"}).content.decode()
    # then its sealed acts are not among its entries until the opening
    assert "lot.signup" not in page and "bid.submit" not in page
    clock.advance(dt.timedelta(days=21, minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    page = client.get("/ledger/trace/", {"object": f"tendering.lot:{lot.pk}"}).content.decode()
    assert page.count("bid.submit") == 3 and page.count("lot.signup") == 3


def _check_revealed(client, lot, indexes):
    """Every sealed entry, as anonymous reads it after the opening, opens its own commitment and leaf."""
    actions = []
    for index in indexes:
        data = client.get(f"/api/v1/ledger/entries/{index}").json()
        sealed = data["sealed"]
        assert sealed["is_revealed"] is True
        body, salt = sealed["body"].encode(), base64.b64decode(sealed["salt"])
        # the commitment is H(salt || body) …
        assert hashlib.sha256(salt + body).hexdigest() == sealed["commitment"]
        # … and the leaf is H(0x00 || the sealed entry {"commitment", "index", "kind", "v"}), recomputed by hand
        stub = json.dumps({"commitment": sealed["commitment"], "index": index, "kind": "sealed", "v": 1},
                          separators=(",", ":")).encode()
        assert base64.b64encode(hashlib.sha256(b"\x00" + stub).digest()).decode() == data["leaf_hash"]
        entry = json.loads(body)
        assert entry["index"] == index and entry["object"] == {"type": "tendering.lot", "id": str(lot.pk)}
        if entry["action"] == "lot.bond_arrival":  # imported by staff: the staff member's role, no bidder
            assert entry["actor"]["role"] == "center_staff"
        else:
            assert entry["actor"] == {"label": "投标人（密封）"}  # the body names no bidder either
        assert (data["action"], data["object_id"]) == (entry["action"], str(lot.pk))
        actions.append(entry["action"])
    return actions


@pytest.mark.parametrize(("bidders", "state"), [(3, LotState.OPENING), (2, LotState.FAILED)],
                         ids=["opened", "failed_too_few_bids"])
def test_at_the_opening_every_sealed_entry_is_revealed_and_matches_its_commitment(client, world, published, bidders,
                                                                                  state, tmp_path):
    # given bids on the lot, sealed in the log
    lot, other = published
    first = selectors.log_head().size
    for i in range(bidders):
        _bid(world, lot, i)
    services.signup_create(actor=world.bidders[3], lot=other)
    indexes = list(SealedEntry.objects.filter(object_id=str(lot.pk)).values_list("index", flat=True))
    assert len(indexes) == len(SEALED_ACTIONS) * bidders and min(indexes) >= first
    # when the deadline passes and the lot opens (or fails for too few bids: the count is then announced anyway)
    clock.advance(dt.timedelta(days=21, minutes=1))
    assert opening.lot_open(actor=world.staff, lot=lot).state == state
    # then anonymous reads every one of them, and each body and salt opens its commitment
    actions = _check_revealed(client, lot, indexes)
    assert sorted(actions) == sorted(SEALED_ACTIONS * bidders)
    # the other lot's sign-up and its credit check stay sealed
    assert client.get("/api/v1/ledger/head").json()["sealed_pending"] == 2
    for other_index in SealedEntry.objects.filter(object_id=str(other.pk)).values_list("index", flat=True):
        assert client.get(f"/api/v1/ledger/entries/{other_index}").json()["sealed"]["body"] is None
    # and the whole log verifies, from the database and from an export (which carries only revealed bodies)
    assert verify_database().ok
    ledger_export(tmp_path / "export")
    revealed = (tmp_path / "export" / "sealed.jsonl").read_text().splitlines()
    assert sorted(json.loads(line)["index"] for line in revealed) == sorted(indexes)
    assert verify_export(tmp_path / "export").ok


def test_verify_names_a_revealed_body_that_does_not_match_its_commitment(world, published, tmp_path):
    # given an opened lot, exported
    lot, _ = published
    for i in range(3):
        _bid(world, lot, i)
    clock.advance(dt.timedelta(days=21, minutes=1))
    opening.lot_open(actor=world.staff, lot=lot)
    ledger_export(tmp_path / "export")
    path = tmp_path / "export" / "sealed.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    # when someone publishes another body for one of the entries
    forged = json.loads(rows[1]["body"])
    forged["action"] = "bid.withdraw"
    rows[1]["body"] = canonical.canonical_json(forged).decode()
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    # then the verifier names that entry
    report = verify_export(tmp_path / "export")
    assert not report.ok and report.first_bad_index == rows[1]["index"]
    assert "承诺值" in report.problems[0].message
    # and in the database too, where even still-sealed bodies are checked
    SealedEntry.objects.filter(index=rows[2]["index"]).update(salt=b"\x00" * 32)
    assert verify_database().first_bad_index == rows[2]["index"]
