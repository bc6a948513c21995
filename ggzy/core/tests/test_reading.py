"""Amounts as Chinese users read them, and messages translated when a page renders them."""

from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from ggzy.core.money import format_yuan_compact
from ggzy.core.ui_text import translate_message


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load ggzy_money ggzy_ui %}" + source).render(Context(context))


def test_yuan_filter_groups_thousands_in_both_languages():
    for language in ("zh-hans", "en"):
        assert _render("{{ v|yuan }}", language, v=Decimal("12800000")) == "¥12,800,000.00"
    assert _render("{{ v|yuan }}", "zh-hans", v="1234.5") == "¥1,234.50"  # stored text of a record
    assert _render("{{ v|yuan }}", "zh-hans", v=None) == "—"
    assert _render("{{ v|yuan }}", "zh-hans", v="未报价") == "未报价"  # not a number: shown as it is


def test_compact_sums_read_in_wan_or_million():
    assert _render("{{ v|yuan_compact }}", "zh-hans", v=Decimal("12800000")) == "1,280.00万元"
    assert _render("{{ v|yuan_compact }}", "en", v=Decimal("12800000")) == "¥12.80 million"
    assert format_yuan_compact(Decimal("9999"), "zh-hans") == "¥9,999.00"
    assert format_yuan_compact(Decimal("999999"), "en") == "¥999,999.00"
    assert format_yuan_compact(None, "en") == "—"


def test_templates_no_longer_format_amounts_with_intcomma():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(p) for p in root.rglob("*.html") if "intcomma" in p.read_text(encoding="utf-8")
                 or "¥{{" in p.read_text(encoding="utf-8")]
    assert not offenders, offenders


def test_messages_translate_directly_by_template_and_part_by_part():
    with translation.override("en"):
        assert translate_message("请先报名") == "Sign up first"
        assert translate_message("不能超过200个字符") == "At most 200 characters"
        assert translate_message("金额不能为负数") == "Amount cannot be negative"  # the label inside is translated
        assert translate_message("此项为必填项；请先报名") == "This field is required; Sign up first"
        assert translate_message("签名有效：证书有效（由“GGZY测试CA”签发，信任链完整，未被吊销）") == (
            "Signature valid: Certificate valid (issued by “GGZY测试CA”, chain complete, not revoked)")
        assert translate_message("投标保证金不得超过估算价的2%（160,000.00元）") == (
            "The bid bond cannot exceed 2% of the estimated price (160,000.00 yuan)")
        assert translate_message("一条目录里没有的消息") == "一条目录里没有的消息"
    with translation.override("zh-hans"):
        assert translate_message("请先报名") == "请先报名"
    assert _render("{{ m|tr }}", "en", m="报名成功") == "Signed up"


def test_the_yuan_filter_never_reinterprets_hostile_text():
    """A stored text that is not a plain amount is shown as it is: 1e20 is not ¥100,000,000,000,000,000,000.00."""
    from decimal import Decimal

    from ggzy.core.templatetags.ggzy_money import yuan, yuan_compact

    for hostile in ("1e20", "1e400", "NaN", "-Infinity", "-5", "12.345", "9" * 30, "—"):
        assert yuan(hostile) == hostile
        assert yuan_compact(hostile) == hostile
    assert yuan("¥7,650,000.00") == "¥7,650,000.00"
    assert yuan(Decimal("12800000")) == "¥12,800,000.00"
    assert yuan(True) is True
