"""k-of-n secret sharing: any k shares recover the secret, k−1 reveal nothing, a bad share is caught and named."""

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ggzy.pki import shamir


@st.composite
def splits(draw):
    count = draw(st.integers(min_value=2, max_value=8))
    threshold = draw(st.integers(min_value=2, max_value=count))
    secret = draw(st.binary(min_size=1, max_size=48))
    return secret, threshold, count


@settings(max_examples=150)
@given(splits(), st.randoms(use_true_random=False))
def test_any_k_shares_reconstruct_the_secret(split, rnd):
    # given
    secret, threshold, count = split
    shares, commitment = shamir.secret_split(secret, threshold=threshold, count=count)
    # when
    chosen = rnd.sample(shares, rnd.randint(threshold, count))
    # then
    assert shamir.secret_combine(chosen, commitment) == secret


@settings(max_examples=100)
@given(splits(), st.randoms(use_true_random=False))
def test_fewer_than_k_shares_are_refused(split, rnd):
    # given
    secret, threshold, count = split
    shares, commitment = shamir.secret_split(secret, threshold=threshold, count=count)
    chosen = rnd.sample(shares, threshold - 1)
    # when / then
    with pytest.raises(shamir.ShareError, match="不足"):
        shamir.secret_combine(chosen + chosen[:1], commitment)  # a repeated share does not count twice


@settings(max_examples=100)
@given(splits(), st.binary(min_size=48, max_size=48), st.randoms(use_true_random=False))
def test_k_minus_1_shares_are_consistent_with_every_secret(split, candidate, rnd):
    # given: k−1 real shares and an arbitrary candidate secret of the same length
    secret, threshold, count = split
    candidate = candidate[: len(secret)]
    shares, _ = shamir.secret_split(secret, threshold=threshold, count=count)
    known = rnd.sample(shares, threshold - 1)
    # when: the polynomial through (0, candidate) and the k−1 shares exists; evaluate it at a fresh x
    points = [(0, candidate)] + [(s.index, s.value) for s in known]
    fresh_x = next(x for x in range(1, 256) if x not in {s.index for s in known})
    shifted = [(x ^ fresh_x, value) for x, value in points]  # interpolate at fresh_x by translating x in GF(2^8)
    fabricated = shamir._interpolate_at_zero(shifted)
    # then: that fabricated share plus the k−1 real ones interpolate to the candidate — the k−1 shares alone
    # cannot tell the real secret from any other
    recovered = shamir._interpolate_at_zero([(fresh_x, fabricated)] + [(s.index, s.value) for s in known])
    assert recovered == candidate


@settings(max_examples=100)
@given(splits(), st.data())
def test_a_tampered_share_is_detected_and_named(split, data):
    # given
    secret, threshold, count = split
    shares, commitment = shamir.secret_split(secret, threshold=threshold, count=count)
    victim = data.draw(st.sampled_from(shares))
    position = data.draw(st.integers(min_value=0, max_value=len(secret) - 1))
    flip = data.draw(st.integers(min_value=1, max_value=255))
    value = bytearray(victim.value)
    value[position] ^= flip
    tampered = dataclasses.replace(victim, value=bytes(value))
    others = [s for s in shares if s.index != victim.index][: threshold - 1]
    # when / then
    with pytest.raises(shamir.ShareError) as raised:
        shamir.secret_combine([tampered, *others], commitment)
    assert raised.value.bad_indices == [victim.index]
    assert "篡改" in str(raised.value)


def test_a_share_from_another_split_or_with_a_changed_index_is_rejected():
    # given
    shares, commitment = shamir.secret_split(b"k" * 32, threshold=3, count=5)
    other_shares, _ = shamir.secret_split(b"k" * 32, threshold=3, count=5)
    relabelled = dataclasses.replace(shares[0], index=4)
    # when / then
    with pytest.raises(shamir.ShareError) as raised:
        shamir.secret_combine([other_shares[0], shares[1], shares[2]], commitment)
    assert raised.value.bad_indices == [1]
    with pytest.raises(shamir.ShareError):
        shamir.secret_combine([relabelled, shares[1], shares[2]], commitment)
    assert shamir.secret_combine(shares[2:], commitment) == b"k" * 32


def test_shares_survive_their_text_form():
    # given
    shares, commitment = shamir.secret_split(bytes(range(32)), threshold=3, count=5)
    # when
    decoded = [shamir.Share.decode(share.encode()) for share in shares[1:4]]
    # then
    assert shamir.secret_combine(decoded, commitment) == bytes(range(32))
    with pytest.raises(shamir.ShareError):
        shamir.Share.decode("not-a-share")


@pytest.mark.parametrize(("threshold", "count"), [pytest.param(1, 3, id="k=1"), pytest.param(4, 3, id="k>n"),
                                                  pytest.param(2, 256, id="n>255")])
def test_invalid_parameters_are_refused(threshold, count):
    with pytest.raises(ValueError):
        shamir.secret_split(b"x", threshold=threshold, count=count)
