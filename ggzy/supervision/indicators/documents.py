"""Lot indicators over the decrypted bid documents (招标投标法实施条例 第四十条: 第（四）项 不同投标人的投标文件异常一致;
第（一）项 不同投标人的投标文件由同一单位或者个人编制).

Each runs after the opening on the profiles tendering stored when it decrypted the bids
(``tendering.selectors_bid_texts``) and turns the pure findings of ``screens.documents`` into Signals.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ggzy.tendering.selectors_bid_texts import lot_document_profiles

from ..screens import documents as screens
from .base import IndicatorSpec, Signal, register

BASIS = "招标投标法实施条例 第四十条第（四）项（不同投标人的投标文件异常一致）"
BASIS_AUTHOR = "招标投标法实施条例 第四十条第（一）项（不同投标人的投标文件由同一单位或者个人编制）"


def _profiles(lot_id: int) -> list[screens.DocumentProfile]:
    return [screens.DocumentProfile(p["bidder"], tuple(p["signature"]), p["own_shingles"], frozenset(p["unusual"]),
                                    p["authors"]) for p in lot_document_profiles(lot_id=lot_id)]


def _runner(code: str, version: int, find: Callable[[Sequence[screens.DocumentProfile]], list[screens.PairFinding]],
            zh: Callable[[screens.PairFinding], str], en: Callable[[screens.PairFinding], str],
            score: Callable[[screens.PairFinding], float]) -> Callable[..., Iterable[Signal]]:
    def run(*, lot_id: int) -> Iterable[Signal]:
        return [Signal(indicator=code, version=version, level="red" if f.red else "yellow",
                       score=max(0.0, min(1.0, score(f))), summary_zh=zh(f), summary_en=en(f),
                       data={"bidders": list(f.bidders), **f.data}, lot_id=lot_id, subjects=f.bidders)
                for f in find(_profiles(lot_id))]
    return run


SIMILARITY = register(IndicatorSpec(
    code="documents.similarity", version=1, scope="lot",
    title_zh="投标文件内容异常相似", title_en="Bid documents abnormally similar",
    explanation_zh=("去除招标文件、澄清和修改自身的文字后，比较两家投标人投标文件的字符片段（5 字）集合，"
                    f"以 MinHash 估计 Jaccard 相似度；≥ {screens.SIMILARITY_THRESHOLD} 时预警，"
                    f"≥ {screens.SIMILARITY_RED} 为红色。"),
    explanation_en=("After removing the text of the tender documents, clarifications and amendments, compares two "
                    "bidders' documents as sets of 5-character shingles (MinHash estimate of the Jaccard "
                    f"resemblance); fires at ≥ {screens.SIMILARITY_THRESHOLD}, red at ≥ {screens.SIMILARITY_RED}."),
    run=_runner("documents.similarity", 1, screens.similar_pairs,
                lambda f: f"两家投标人的投标文件自有内容相似度约 {f.value:.0%}",
                lambda f: f"Two bidders' own document text is about {f.value:.0%} alike", lambda f: f.value),
    basis=BASIS,
))

SHARED_ERRORS = register(IndicatorSpec(
    code="documents.shared_errors", version=1, scope="lot",
    title_zh="投标文件出现相同的异常字句", title_en="Identical unusual strings in bid documents",
    explanation_zh=("两家投标人的投标文件含有相同的异常字句（不见于招标文件、也不见于本标段其他投标文件，"
                    f"如相同的错别字）≥ {screens.SHARED_ERRORS_THRESHOLD} 处时预警。"),
    explanation_en=("Two bidders' documents share unusual strings (found neither in the tender documents nor in any "
                    f"other bid of the lot, e.g. the same typo); fires at ≥ {screens.SHARED_ERRORS_THRESHOLD}."),
    run=_runner("documents.shared_errors", 1, screens.shared_errors,
                lambda f: f"两家投标人的投标文件有 {int(f.value)} 处相同的异常字句",
                lambda f: f"Two bidders' documents share {int(f.value)} unusual strings",
                lambda f: f.value / (3 * screens.SHARED_ERRORS_THRESHOLD)),
    basis=BASIS,
))

SAME_AUTHOR = register(IndicatorSpec(
    code="documents.same_author", version=1, scope="lot",
    title_zh="投标文件作者信息相同", title_en="Same author metadata in bid documents",
    explanation_zh=("两家投标人的文件元数据记载相同的作者、最后修改人或单位（忽略“Administrator”等通用值；"
                    "生成软件相同不单独预警）。"),
    explanation_en=("Two bidders' file metadata name the same author, last editor or company (generic values such "
                    "as \"Administrator\" ignored; the same software alone does not fire)."),
    run=_runner("documents.same_author", 1, screens.same_author,
                lambda f: "两家投标人的投标文件作者元数据相同", lambda f: "Two bidders' documents name the same author",
                lambda f: 1.0),
    basis=BASIS_AUTHOR,
))
