"""The one entry encoding: RFC 8785 canonical JSON."""

import datetime as dt
import hashlib
import struct

import pytest

from ggzy.ledger import canonical, merkle

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text
NUMBERS = [
    ("0000000000000000", "0"), ("8000000000000000", "0"), ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"), ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"), ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"), ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"), ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"), ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"), ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"), ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"), ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), NUMBERS, ids=[t for _b, t in NUMBERS])
def test_numbers_are_written_as_ecmascript_does(bits, text):
    # given an IEEE double
    value = struct.unpack(">d", bytes.fromhex(bits))[0]
    # then its canonical form is RFC 8785's
    assert canonical.canonical_json(value) == text.encode()


def test_keys_sort_by_utf16_code_units_and_strings_stay_utf8():
    # given keys whose UTF-16 and code point orders differ (RFC 8785 §3.2.3) and text needing escapes
    value = {"\ufb33": 3, "\U0001f600": 2, "\u20ac": 1, "a": 'say "中"\n\x1f\x7f'}
    # when encoded
    text = canonical.canonical_json(value).decode("utf-8")
    # then: sorted by UTF-16, no whitespace, only quotes and control characters escaped
    assert text == '{"a":"say \\"\u4e2d\\"\\n\\u001f\x7f","\u20ac":1,"\U0001f600":2,"\ufb33":3}'


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), {1: "x"}, {"x": object()}, b"bytes"],
                         ids=["nan", "inf", "int-key", "object", "bytes"])
def test_values_outside_json_are_refused(bad):
    with pytest.raises(ValueError):
        canonical.canonical_json(bad)


def test_entry_body_is_stable():
    # given an entry
    body = canonical.entry_body(
        index=7, at=dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), action="tender.publish",
        object_type="tendering.tender", object_id="42", actor_label="staff1", actor_role="center_staff", center_id=3,
        before_hash=None, after_hash="ab" * 32, changed=["status"], documents=[], source="audit:9",
        actor_label_commitment=canonical.actor_commitment(merkle.sha256, b"\x01" * 32, "staff1"))
    # then its bytes are exactly the documented form (times in UTC; the user's name only as H(salt || name))
    commitment = hashlib.sha256(b"\x01" * 32 + b"staff1").hexdigest()
    assert canonical.canonical_json(body) == (
        '{"action":"tender.publish","actor":{"label_commitment":"' + commitment + '","role":"center_staff"},'
        '"after_hash":"' + "ab" * 32
        + '","before_hash":null,"center":3,"changed":["status"],"documents":[],"index":7,'
        '"object":{"id":"42","type":"tendering.tender"},"source":"audit:9","time":"2026-03-02T01:00:00.000000Z",'
        '"v":2}').encode()


def test_a_users_name_never_enters_a_body_in_clear():
    with pytest.raises(ValueError):
        canonical.entry_body(
            index=0, at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), action="tender.publish",
            object_type="tendering.tender", object_id="42", actor_label="staff1", actor_role="center_staff",
            center_id=3, before_hash=None, after_hash=None, changed=[], documents=[], source=None)


@pytest.mark.parametrize(("body", "masked"), [
    pytest.param('{"actor":{"label":"staff1","role":"center_staff"},"index":0,"v":1}', True, id="v1-user"),
    pytest.param('{"actor":{"label":"匿名/系统"},"index":0,"v":1}', False, id="v1-system"),
    pytest.param('{"actor":{"label_commitment":"ab","role":"x"},"index":0,"v":2}', False, id="v2"),
    pytest.param('{"commitment":"ab","index":0,"kind":"sealed","v":1}', False, id="sealed-stub"),
])
def test_only_version_1_bodies_naming_a_user_are_published_masked(body, masked):
    # when a stored body is prepared for the public
    text, was_masked = canonical.public_body(body)
    # then only a version 1 user's name is replaced (the rest published byte for byte as the leaf was computed)
    assert was_masked is masked
    assert (text == body) is not masked
    assert "staff1" not in text


def test_an_actor_without_a_role_has_no_role_key():
    # given the system (or a sealed bidder act): a label and no role
    body = canonical.entry_body(
        index=0, at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), action="lot.open", object_type="tendering.lot",
        object_id="5", actor_label="匿名/系统", actor_role="", center_id=None, before_hash="cd" * 32,
        after_hash="ab" * 32, changed=["state"], documents=[], source=None)
    # then the actor names no role at all, rather than an empty one
    assert body["actor"] == {"label": "匿名/系统"}
    assert '"actor":{"label":"匿名/系统"},'.encode() in canonical.entry_bytes(body)


def test_entries_written_with_an_empty_role_still_verify():
    # given a log whose first entry has the earlier form ("role": "") and whose second has the current one
    from ggzy.ledger import verify

    def body(index: int) -> dict:
        return canonical.entry_body(
            index=index, at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC), action="lot.signup",
            object_type="tendering.lot", object_id="5", actor_label="投标人（密封）", actor_role="", center_id=1,
            before_hash=None, after_hash="ab" * 32, changed=[], documents=[], source=f"audit:{index}")

    earlier = body(0)
    earlier["actor"] = {"label": "投标人（密封）", "role": ""}
    rows = [canonical.entry_bytes(earlier).decode(), canonical.entry_bytes(body(1)).decode()]
    # when the log is verified
    report = verify.verify_log(hash_name="sha256", checkpoint_notes=[], log_keys=[], entries=[
        (i, text, merkle.leaf_hash(merkle.sha256, text.encode())) for i, text in enumerate(rows)])
    # then both entries pass: the verifier recomputes leaves from the stored bytes, never from a rebuilt body
    assert report.ok and report.entries == 2
    assert '"role":""' in rows[0] and '"role"' not in rows[1]


def test_state_hashes_and_document_hashes():
    # given a before and after state with a document digest
    digest = "0f" * 32
    after = {"status": "submitted", "file_sha256": digest.upper(), "amount": 12.5, "note_hash": "short"}
    # then the state hash is the hash of the canonical bytes, and only well-formed digests are documents
    assert canonical.state_hash(merkle.sha256, after) == merkle.sha256(canonical.canonical_json(after)).hex()
    assert canonical.state_hash(merkle.sha256, None) is None
    assert canonical.document_hashes(after) == [digest]
    assert canonical.changed_fields({"status": "draft", "x": 1}, {"status": "submitted", "x": 1}) == ["status"]
