"""Document screens on hand-made Chinese bid documents: cases that must fire and cases that must stay quiet."""

from __future__ import annotations

from ggzy.core.textprint import fingerprint, minhash, shingles, tokens
from ggzy.supervision.screens import documents as doc
from ggzy.supervision.screens.documents import jaccard_estimate, same_author, shared_errors, similar_pairs

TENDER = (
    "第一章 投标人须知。投标人应当按照招标文件的要求编制投标文件，投标文件应当对招标文件提出的实质性要求和条件作出响应。"
    "第二章 评标办法。本项目采用综合评估法，评标委员会按照技术标、商务标和信用标分别评分。"
    "第三章 合同条款及格式。承包人应按合同约定的工期完成全部工程，并对工程质量承担保修责任。"
    "第四章 工程量清单。投标人应按工程量清单的项目特征和计量规则填报综合单价，不得擅自修改清单。"
)

PLAN_A = (
    "本公司拟投入项目经理一名、技术负责人一名，现场设安全员两名。基础施工采用旋挖钻孔灌注桩，"
    "主体结构采用铝合金模板体系，外墙保温在主体验收后分段施工。雨季施工期间设置截水沟与集水井，"
    "夜间施工时控制噪声并提前向周边居民公告。质量目标为一次验收合格，争创市级优质结构工程。"
)
PLAN_B = (
    "我方组建以注册建造师为核心的项目部，配备专职质检员和资料员。土方开挖分三层进行，每层深度不超过两米，"
    "边坡采用喷锚支护。钢筋集中加工后由塔吊运至作业面，混凝土采用商品混凝土泵送浇筑并覆盖养护七天。"
    "工期安排上先地下后地上，关键线路为桩基、地下室、主体和屋面，计划提前十天竣工。"
)


def profile(bidder: str, texts: list[str], tender_shingles: set[int], tender_tokens: set[int],
            authors: dict[str, str] | None = None) -> doc.DocumentProfile:
    signature, own, unusual = fingerprint(texts, tender_shingles, tender_tokens)
    return doc.DocumentProfile(bidder, signature, own, unusual, authors or {})


def prof(bidder: str, *texts: str, authors: dict[str, str] | None = None) -> doc.DocumentProfile:
    return profile(bidder, list(texts), shingles(TENDER), tokens(TENDER), authors)


def test_minhash_is_deterministic_and_estimates_resemblance():
    # given two shingle sets with a known Jaccard resemblance of 0.5 (1,000 shared of 2,000)
    left, right = set(range(0, 1500)), set(range(500, 2000))
    # when signed twice
    first, again = minhash(left), minhash(left)
    # then the signature is the same each time and the estimate is near 0.5
    assert first == again and len(first) == doc.PERMUTATIONS
    estimate = jaccard_estimate(first, minhash(right))
    assert estimate is not None and abs(estimate - 0.5) < 0.15
    assert jaccard_estimate(first, first) == 1.0
    assert jaccard_estimate((), first) is None


def test_shingles_are_character_ngrams_ignoring_spaces_punctuation_and_width():
    # given the same Chinese sentence with different spacing, punctuation and full-width digits
    # then the shingle sets are equal
    assert shingles("工期 ９０ 日历天，质量合格。") == shingles("工期90日历天质量合格")
    assert len(shingles("一二三四五六")) == 2  # two 5-character shingles


def test_copied_bid_documents_fire_as_similar():
    # given two bidders whose own technical plans are the same text (one with a sentence added)
    a = prof("1", TENDER, PLAN_A)
    b = prof("2", TENDER, PLAN_A + "另行配置应急物资仓库一座。")
    # when compared
    found = similar_pairs([a, b])
    # then the pair fires, red (near-duplicate), with the estimate and threshold as evidence
    assert [f.bidders for f in found] == [("1", "2")]
    assert found[0].red and found[0].data["threshold"] == doc.SIMILARITY_THRESHOLD


def test_bids_sharing_only_the_tender_boilerplate_stay_quiet():
    # given two bidders who both copy the whole tender documents but write their own plans
    a = prof("1", TENDER, PLAN_A)
    b = prof("2", TENDER, PLAN_B)
    # when compared
    # then nothing fires: the boilerplate was removed before comparing
    assert similar_pairs([a, b]) == []
    # and without removing it the two would look alike (the removal is what keeps them quiet)
    raw_a = profile("1", [TENDER + PLAN_A], set(), set())
    raw_b = profile("2", [TENDER + PLAN_B], set(), set())
    raw = jaccard_estimate(raw_a.signature, raw_b.signature)
    assert raw is not None and raw > 0.3


def test_too_little_own_text_is_not_compared():
    # given two bids that only repeat the tender documents and one identical short line
    a = prof("1", TENDER, "同意。")
    b = prof("2", TENDER, "同意。")
    # then similarity stays quiet (nothing of their own to compare)
    assert similar_pairs([a, b]) == []


def test_identical_unusual_errors_fire_for_the_pair_only():
    # given two bidders with the same three odd strings (typos) and a third bidder without them
    typos = "施工组制设计按规范执形，砼强度等级C3O，保温层厚度按图施攻。"
    a = prof("1", PLAN_A, typos)
    b = prof("2", PLAN_B, typos)
    c = prof("3", "另一家公司自行编写的方案，内容与其他投标人完全不同。")
    # when compared
    found = shared_errors([a, b, c])
    # then exactly the pair fires, with the count as evidence
    assert [f.bidders for f in found] == [("1", "2")]
    assert found[0].data["shared_unusual_tokens"] >= doc.SHARED_ERRORS_THRESHOLD


def test_strings_from_the_tender_documents_or_common_to_the_lot_are_not_errors():
    # given two bidders sharing only clauses of the tender documents
    a = prof("1", TENDER, PLAN_A)
    b = prof("2", TENDER, PLAN_B)
    # then quiet
    assert shared_errors([a, b]) == []
    # given three bidders sharing the same odd strings: not unusual to one pair, quiet as well
    typos = "施工组制设计按规范执形，砼强度等级C3O，保温层厚度按图施攻。"
    assert shared_errors([prof("1", typos), prof("2", typos), prof("3", typos)]) == []


def test_same_author_metadata_fires_and_generic_values_stay_quiet():
    # given two bidders whose files name the same last editor, and two whose files only carry generic values
    a = prof("1", PLAN_A, authors={"author": "张三", "company": "甲建设有限公司"})
    b = prof("2", PLAN_B, authors={"author": "李四", "last_modified_by": " 张三 ", "producer": "WPS Office"})
    c = prof("3", PLAN_A, authors={"author": "Administrator", "company": "微软中国"})
    d = prof("4", PLAN_B, authors={"author": "administrator", "company": "微软中国", "producer": "WPS Office"})
    # when compared
    found = same_author([a, b, c, d])
    # then only the pair naming 张三 fires
    assert [f.bidders for f in found] == [("1", "2")]
    assert found[0].data["same_people"] == ["张三"]


def test_same_software_alone_does_not_fire():
    # given two pdfs made with the same software and no author
    a = prof("1", PLAN_A, authors={"creator": "Microsoft Word", "producer": "Acrobat Distiller 11"})
    b = prof("2", PLAN_B, authors={"creator": "Microsoft Word", "producer": "Acrobat Distiller 11"})
    # then quiet
    assert same_author([a, b]) == []


def test_the_three_document_indicators_are_registered_for_lots_with_their_basis():
    # given the supervision app loaded (its ready() imports the indicator families)
    from ggzy.supervision.indicators import base
    # then the document indicators are lot-scoped, versioned, explained in both languages and cite Art. 40
    specs = {s.code: s for s in base.registered("lot") if s.code.startswith("documents.")}
    assert sorted(specs) == ["documents.same_author", "documents.shared_errors", "documents.similarity"]
    for spec in specs.values():
        assert spec.version >= 1 and spec.title_zh and spec.title_en and spec.explanation_zh and spec.explanation_en
        assert "第四十条" in spec.basis
    assert "同一单位或者个人编制" in specs["documents.same_author"].basis
    assert "异常一致" in specs["documents.similarity"].basis


def test_unusual_tokens_are_capped_by_a_consistent_sample(monkeypatch):
    # given a cap of 5 tokens per bid and two bids sharing many clauses
    from ggzy.core import textprint
    monkeypatch.setattr(textprint, "MAX_UNUSUAL", 5)
    text = "，".join(f"第{i}条自编条款内容" for i in range(40))
    # when fingerprinted
    _, _, first = fingerprint([text], set(), set())
    _, _, second = fingerprint([text + "，另加的一条条款"], set(), set())
    # then each keeps 5 tokens, the smallest hashes, so the shared ones are kept alike
    assert len(first) == len(second) == 5
    assert len(first & second) >= 4
