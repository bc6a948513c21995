"""The sealed quote modes: 一次报价 (one sealed price within the announced range) and 权重报价 (one sealed quote of
the price and the transferor's announced factors, scored at the close; weighting.py)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from ggzy.core.errors import DomainError
from ggzy.core.money import format_yuan, number_text

from .. import weighting
from ..models import RightsListing
from .base import Procedure, S, Terms, _blank, _ceiling, _settle, _when


class SealedQuoteProcedure(Procedure):
    """一次报价: each admitted bidder submits one sealed quote within [start price, announced ceiling] during the
    quoting period (services.quotes); at its end the quotes are opened and the highest wins (equal quotes: the
    earlier submitted), if it reaches the sealed reserve."""

    mode = "sealed_quote"
    takes_quotes = True
    transitions = {
        S.ANNOUNCED: frozenset({S.REGISTRATION}),
        S.REGISTRATION: frozenset({S.QUOTING}),
        S.QUOTING: frozenset({S.CLOSED, S.SUSPENDED}),
        S.SUSPENDED: frozenset({S.QUOTING}),
        S.CLOSED: frozenset(),
    }

    def next_due(self, listing, now, admitted_count):
        state = listing.state
        if state == S.ANNOUNCED and now >= listing.registration_opens_at:
            return S.REGISTRATION, listing.registration_opens_at
        if state == S.REGISTRATION and now >= listing.listing_starts_at:
            return S.QUOTING, listing.listing_starts_at
        if state == S.QUOTING and now >= listing.listing_ends_at:
            return S.CLOSED, listing.listing_ends_at
        return None

    def not_open_message(self, listing):
        if listing.state == S.SUSPENDED:
            return super().not_open_message(listing)
        return "本项目为一次报价（密封），请在报价期内提交一次报价，不接受公开加价"

    def validate_terms(self, *, start, quote_ceiling=None, price_weight=None, factors=None):
        self._refuse_factors(price_weight, factors)
        return Terms(quote_ceiling=_ceiling(quote_ceiling, start, "一次报价"))

    @staticmethod
    def check_price(listing: RightsListing, amount: Decimal) -> None:
        """The quoted price within [start price, announced ceiling]."""
        ceiling = listing.quote_ceiling
        if amount < listing.start_price or (ceiling is not None and amount > ceiling):
            top = format_yuan(ceiling) if ceiling is not None else "不限"
            raise DomainError(f"报价须在{format_yuan(listing.start_price)}至{top}之间", field="amount")

    def quote_parts(self, listing: RightsListing, amount: Decimal, factors: object) -> dict[int, Decimal]:
        """Check a quote against the announced terms (the listing is locked): the price within [start price,
        ceiling]; the values of the other factors by position (none in a single quote). DomainError naming the
        field."""
        self.check_price(listing, amount)
        if not _blank(factors):
            raise DomainError("一次报价项目只报价格，不填报其他因素", field="factors")
        return {}

    def notice_schedule(self, listing):
        return [f"一次报价期：{_when(listing.listing_starts_at)} 至 {_when(listing.listing_ends_at)}",
                f"报价范围：{format_yuan(listing.start_price)} 至 {format_yuan(listing.quote_ceiling)}；每个竞买人"
                "只能密封报价一次，报价期结束后开启，最高报价者受让（报价相同的，先提交者优先；须不低于底价）。"]

    def on_quoting_to_closed(self, listing, at):
        from ..models import RightsQuote

        best = (RightsQuote.objects.filter(listing=listing).order_by("-amount", "submitted_at", "pk")
                .select_related("registration").first())
        if best is not None:
            listing.current_price = best.amount
            listing.leading = best.registration
        _settle(listing, at)


def _factor_value(factor: weighting.FactorTerms, value: Decimal) -> str:
    if factor.position == weighting.PRICE_POSITION:
        return format_yuan(value)
    return f"{number_text(value)}{factor.unit}"


class WeightedQuoteProcedure(SealedQuoteProcedure):
    """权重报价: the sealed single quote's periods and rules, with the price and the transferor's announced factors
    (weighting.py) in one quote; at the close every quote is scored (value ÷ the best value × weight per factor,
    summed) and the highest total wins (equal: the earlier submitted), if its price reaches the sealed reserve —
    else 流拍, never the next in rank. ``current_price``/``leading`` are the winner's price and registration."""

    mode = "weighted_quote"
    transitions = {
        S.ANNOUNCED: frozenset({S.REGISTRATION}),
        S.REGISTRATION: frozenset({S.QUOTING}),
        S.QUOTING: frozenset({S.CLOSED, S.SUSPENDED}),
        S.SUSPENDED: frozenset({S.QUOTING}),
        S.CLOSED: frozenset(),
    }
    labels = {S.QUOTING: _("权重报价期（密封）")}
    below_reserve_reason = "综合得分最高者的报价未达到底价"

    def not_open_message(self, listing):
        if listing.state == S.SUSPENDED:
            return Procedure.not_open_message(self, listing)
        return "本项目为权重报价（密封），请在报价期内提交一次价格和各因素的报价，不接受公开加价"

    def validate_terms(self, *, start, quote_ceiling=None, price_weight=None, factors=None):
        ceiling = _ceiling(quote_ceiling, start, "权重报价")
        return Terms(quote_ceiling=ceiling, factors=weighting.factors_parse(
            price_weight=price_weight, factors=factors, start=start, ceiling=ceiling))

    def quote_parts(self, listing, amount, factors):
        self.check_price(listing, amount)
        return weighting.quote_values_parse(weighting.listing_factors(listing), factors)

    def notice_schedule(self, listing):
        factors = weighting.listing_factors(listing)
        rows = [f"{f.position}. {f.name}：权重{number_text(f.weight)}%，允许范围{number_text(f.minimum)}至"
                f"{number_text(f.maximum)}{f.unit}" for f in factors if f.position != weighting.PRICE_POSITION]
        price = next((f.weight for f in factors if f.position == weighting.PRICE_POSITION), None)
        return [f"权重报价期：{_when(listing.listing_starts_at)} 至 {_when(listing.listing_ends_at)}",
                f"报价（价格）：{format_yuan(listing.start_price)} 至 {format_yuan(listing.quote_ceiling)}，权重"
                f"{number_text(price) if price is not None else '—'}%；其他因素（均以数值高者为优）：", *rows,
                "每个竞买人只能密封报价一次（价格和全部因素），提交后不得修改或撤回；报价期结束后开启并评分："
                "各因素得分＝该报价的数值÷所有报价中该因素的最高值×该因素权重（保留两位小数），综合得分为各因素得分"
                "之和，综合得分最高者受让（得分相同的，先提交者优先）。综合得分最高者的报价低于底价的，本项目流拍。"
                "（评分办法为本平台设定，待核实）"]

    def on_quoting_to_closed(self, listing, at):
        from ..models import RightsRegistration

        table = weighting.listing_scores(listing)
        if table:
            listing.current_price = table[0].price
            listing.leading = RightsRegistration.objects.get(pk=table[0].registration_id)
        _settle(listing, at)

    def result_lines(self, listing):
        factors = weighting.listing_factors(listing)
        table = weighting.listing_scores(listing)
        if not table:
            return []
        names = "、".join(f"{f.name}（{number_text(f.weight)}%）" for f in factors)
        lines = [f"权重报价评分（各因素得分＝数值÷最高值×权重）：{names}"]
        for row in table:
            parts = "；".join(f"{f.name} {_factor_value(f, row.values[f.position])} 得{number_text(row.scores[f.position])}分"
                             for f in factors)
            lines.append(f"第{row.rank}名 号牌{row.paddle}：{parts}；综合得分 {number_text(row.total)}")
        return lines


