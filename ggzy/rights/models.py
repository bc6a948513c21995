"""Rights listings (产权/资源权益挂牌): the listing, its registrations (anonymous paddles), its bids and sealed reserve."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ggzy.core.money import MONEY_DECIMAL_PLACES, MONEY_MAX_DIGITS

from .choices import (
    BidRefusal,
    ListingOutcome,
    ListingState,
    ProcedureKindChoice,
    QualificationTiming,
    RegistrationState,
)


def _money(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(label, max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, **kwargs)


class RightsListing(models.Model):
    """挂牌项目 — one right offered by a grantor (出让方/转让方) through listing and a timed round."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="rights_listings",
                               verbose_name="交易中心")
    code = models.CharField("项目编号", max_length=40, unique=True)
    title = models.CharField("名称", max_length=200)
    kind = models.CharField("交易方式", max_length=32, choices=ProcedureKindChoice.choices)
    template_version = models.ForeignKey("catalog.TemplateVersion", on_delete=models.PROTECT,
                                         related_name="rights_listings", verbose_name="流程模板版本")
    grantor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rights_granted",
                                verbose_name="出让方")
    state = models.CharField("状态", max_length=16, choices=ListingState.choices, default=ListingState.ANNOUNCED)
    announced_at = models.DateTimeField("公告时间")
    registration_opens_at = models.DateTimeField("报名开始")
    registration_closes_at = models.DateTimeField("报名截止")
    listing_starts_at = models.DateTimeField("挂牌开始")
    listing_ends_at = models.DateTimeField("挂牌截止（进入限时竞价）")
    start_price = _money("起始价")
    increment = _money("增价幅度")
    deposit = _money("竞买保证金")
    round_minutes = models.PositiveIntegerField("限时竞价每轮分钟数")
    bidders_min = models.PositiveIntegerField("进入限时竞价最少竞买人数")
    # the live state, changed only under the row lock (services.bidding)
    current_sequence = models.PositiveIntegerField("当前报价序号", default=0)
    current_price = _money("当前最高报价", null=True, blank=True)
    leading = models.ForeignKey("RightsRegistration", null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name="当前最高报价竞买人")
    round_started_at = models.DateTimeField("限时竞价开始", null=True, blank=True)
    round_ends_at = models.DateTimeField("本轮限时竞价截止", null=True, blank=True)
    outcome = models.CharField("结果", max_length=8, choices=ListingOutcome.choices, blank=True, default="")
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    reserve_revealed = _money("底价（结束后公开）", null=True, blank=True)
    # state property (企业国有产权): the appraisal and, for a price below it, the written approval (90% rule)
    appraised_value = _money("评估结果（国有产权）", null=True, blank=True)
    approval_reference = models.CharField("低于评估结果的批准文件文号", max_length=100, blank=True)
    # 一次报价: the announced ceiling of the range [start_price, quote_ceiling]
    quote_ceiling = _money("一次报价上限", null=True, blank=True)
    # 中止: the state it left and the time the running period still had (restored on resumption)
    suspended_from = models.CharField("中止前状态", max_length=16, choices=ListingState.choices, blank=True,
                                      default="")
    suspended_at = models.DateTimeField("中止时间", null=True, blank=True)
    suspended_remaining_seconds = models.PositiveIntegerField("中止时剩余秒数", null=True, blank=True)
    # 恢复交易: the announced resumption time (services.suspension); the listing resumes when it comes
    resume_at = models.DateTimeField("恢复交易时间（已公告）", null=True, blank=True)
    # 资格前审 (today's path: deposit and qualification before bidding) or 资格后审 (deposit admits; only the winner's
    # qualification is checked, after the close: services.postqualification) — as the announcement states
    qualification_timing = models.CharField("资格审查方式", max_length=8, choices=QualificationTiming.choices,
                                            default=QualificationTiming.BEFORE)
    created_at = models.DateTimeField("创建时间")
    # the portal's notices (services.publicity): the announcement once announced_at passes, the result on the close
    announcement_notice = models.ForeignKey("disclosure.Notice", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="+", verbose_name="出让（转让）公告")
    result_notice = models.ForeignKey("disclosure.Notice", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="+", verbose_name="结果公示")

    class Meta:
        verbose_name = "挂牌项目"
        verbose_name_plural = "挂牌项目"
        ordering = ["-listing_ends_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(increment__gt=0), name="rights_increment_positive"),
            models.CheckConstraint(condition=models.Q(registration_opens_at__lte=models.F("listing_starts_at"))
                                   & models.Q(listing_starts_at__lt=models.F("listing_ends_at")),
                                   name="rights_listing_periods_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def is_qualified_after_winning(self) -> bool:
        """资格后审: a received deposit admits; the winner's qualification is checked after the close."""
        return self.qualification_timing == QualificationTiming.AFTER


class RightsReserve(models.Model):
    """底价 — the grantor's sealed reserve price: written once before the close, its commitment in the ledger."""

    listing = models.OneToOneField(RightsListing, on_delete=models.PROTECT, related_name="reserve",
                                   verbose_name="挂牌项目")
    amount = _money("底价")
    salt = models.CharField("承诺随机数", max_length=64)
    commitment = models.CharField("承诺值 SHA-256", max_length=64)
    set_at = models.DateTimeField("设定时间")

    class Meta:
        verbose_name = "底价（密封）"
        verbose_name_plural = "底价（密封）"

    def __str__(self) -> str:
        return f"{self.listing_id} 底价（密封）"


class RightsRegistration(models.Model):
    """竞买申请 — a bidder's application; admitted (deposit received, qualified) it carries an anonymous paddle."""

    listing = models.ForeignKey(RightsListing, on_delete=models.PROTECT, related_name="registrations",
                                verbose_name="挂牌项目")
    bidder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rights_registrations",
                               verbose_name="竞买人")
    state = models.CharField("状态", max_length=16, choices=RegistrationState.choices,
                             default=RegistrationState.APPLIED)
    paddle = models.PositiveIntegerField("竞买号牌", null=True, blank=True)
    deposit_amount = _money("已到账保证金", null=True, blank=True)
    deposit_reference = models.CharField("保证金到账凭证", max_length=64, blank=True)
    # 虚拟子账号: where this registration pays its deposit; the bank statement names only it (services.deposits)
    subaccount = models.CharField("保证金虚拟子账号", max_length=18, unique=True, null=True, blank=True)
    deposit_received_at = models.DateTimeField("保证金到账时间", null=True, blank=True)
    qualified_at = models.DateTimeField("资格审核通过时间", null=True, blank=True)
    refusal_reason = models.CharField("未通过原因", max_length=200, blank=True)
    applied_at = models.DateTimeField("报名时间")

    class Meta:
        verbose_name = "竞买申请"
        verbose_name_plural = "竞买申请"
        constraints = [
            models.UniqueConstraint(fields=["listing", "bidder"], name="rights_one_registration_per_bidder"),
            models.UniqueConstraint(fields=["listing", "paddle"], name="rights_paddle_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.listing.code} #{self.paddle or '—'}"


class RightsBid(models.Model):
    """报价 — one bid attempt, keyed by the bidder's idempotency key: accepted ones carry the listing's sequence."""

    listing = models.ForeignKey(RightsListing, on_delete=models.PROTECT, related_name="bids", verbose_name="挂牌项目")
    registration = models.ForeignKey(RightsRegistration, on_delete=models.PROTECT, related_name="bids",
                                     verbose_name="竞买申请")
    idempotency_key = models.CharField("幂等键", max_length=64)
    seen_sequence = models.PositiveIntegerField("报价依据的序号")
    amount = _money("报价")
    sequence = models.PositiveIntegerField("报价序号（已接受）", null=True, blank=True)
    refusal = models.CharField("拒绝原因", max_length=16, choices=BidRefusal.choices, blank=True, default="")
    message = models.CharField("答复", max_length=200, blank=True)
    in_timed_round = models.BooleanField("限时竞价阶段报价", default=False)
    received_at = models.DateTimeField("受理时间（锁定后服务器时间）")

    class Meta:
        verbose_name = "报价"
        verbose_name_plural = "报价"
        ordering = ["listing", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "sequence"], name="rights_bid_sequence_unique"),
            models.UniqueConstraint(fields=["registration", "idempotency_key"], name="rights_bid_idempotency"),
            models.CheckConstraint(condition=models.Q(sequence__isnull=True) | models.Q(refusal=""),
                                   name="rights_bid_accepted_or_refused"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} #{self.sequence or '—'}"

    @property
    def is_accepted(self) -> bool:
        return self.sequence is not None


class RightsSuspension(models.Model):
    """中止/恢复公告 — a suspension of bidding (with the reason) and its resumption, announced ahead of its time."""

    listing = models.ForeignKey(RightsListing, on_delete=models.PROTECT, related_name="suspensions",
                                verbose_name="挂牌项目")
    reason = models.CharField("中止原因", max_length=200)
    from_state = models.CharField("中止前状态", max_length=16, choices=ListingState.choices)
    suspended_at = models.DateTimeField("中止时间")
    remaining_seconds = models.PositiveIntegerField("中止时剩余秒数")
    resumption_announced_at = models.DateTimeField("恢复交易公告时间", null=True, blank=True)
    resume_at = models.DateTimeField("公告的恢复交易时间", null=True, blank=True)
    resumed_at = models.DateTimeField("恢复时间", null=True, blank=True)
    resumed_until = models.DateTimeField("恢复后截止时间", null=True, blank=True)

    class Meta:
        verbose_name = "中止公告"
        verbose_name_plural = "中止公告"
        ordering = ["listing", "suspended_at"]

    def __str__(self) -> str:
        return f"{self.listing_id} 中止 {self.suspended_at:%Y-%m-%d %H:%M}"


class RightsQuote(models.Model):
    """一次报价 — one sealed quote per admitted bidder within the announced range; opened only at the close."""

    listing = models.ForeignKey(RightsListing, on_delete=models.PROTECT, related_name="quotes",
                                verbose_name="挂牌项目")
    registration = models.OneToOneField(RightsRegistration, on_delete=models.PROTECT, related_name="quote",
                                        verbose_name="竞买申请")
    amount = _money("报价")
    submitted_at = models.DateTimeField("提交时间（锁定后服务器时间）")

    class Meta:
        verbose_name = "一次报价（密封）"
        verbose_name_plural = "一次报价（密封）"
        ordering = ["listing", "-amount", "submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.listing_id} 一次报价"


class RightsWeightFactor(models.Model):
    """权重报价因素 — one factor the transferor announced for a weighted quote (权重报价): its name, unit, weight (%)
    and allowed range. Position 0 is the price (报价, 元, [start price, quote ceiling]); 1–5 the other quantified
    factors in announcement order. Higher is better on every factor (weighting.py)."""

    listing = models.ForeignKey(RightsListing, on_delete=models.PROTECT, related_name="weight_factors",
                                verbose_name="挂牌项目")
    position = models.PositiveSmallIntegerField("序号（0为报价）")
    name = models.CharField("因素名称", max_length=40)
    unit = models.CharField("单位", max_length=20, blank=True)
    weight = models.DecimalField("权重（%）", max_digits=5, decimal_places=2)
    minimum = models.DecimalField("允许最小值", max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)
    maximum = models.DecimalField("允许最大值", max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)

    class Meta:
        verbose_name = "权重报价因素"
        verbose_name_plural = "权重报价因素"
        ordering = ["listing", "position"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "position"], name="rights_weight_factor_position_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0) & models.Q(weight__lte=100),
                                   name="rights_weight_factor_weight_range"),
            models.CheckConstraint(condition=models.Q(minimum__gte=0) & models.Q(maximum__gt=models.F("minimum")),
                                   name="rights_weight_factor_range_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.name}（{self.weight}%）"


class RightsQuoteFactorValue(models.Model):
    """权重报价因素值 — a sealed weighted quote's value for one announced factor (other than the price)."""

    quote = models.ForeignKey(RightsQuote, on_delete=models.PROTECT, related_name="factor_values",
                              verbose_name="一次报价")
    factor = models.ForeignKey(RightsWeightFactor, on_delete=models.PROTECT, related_name="values",
                               verbose_name="权重报价因素")
    value = models.DecimalField("报价值", max_digits=MONEY_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)

    class Meta:
        verbose_name = "权重报价因素值（密封）"
        verbose_name_plural = "权重报价因素值（密封）"
        ordering = ["quote", "factor__position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "factor"], name="rights_quote_factor_value_unique"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="rights_quote_factor_value_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id} · {self.factor_id}"


class RightsConfirmation(models.Model):
    """成交确认书 — after a sale the winner and the grantor each confirm the deal's text (its SHA-256 kept), in
    the platform, by their signed-in accounts (not a certificate signature)."""

    listing = models.OneToOneField(RightsListing, on_delete=models.PROTECT, related_name="confirmation",
                                   verbose_name="挂牌项目")
    text = models.TextField("确认书正文")
    sha256 = models.CharField("正文 SHA-256", max_length=64)
    created_at = models.DateTimeField("生成时间")
    winner_confirmed_at = models.DateTimeField("竞得人确认时间", null=True, blank=True)
    grantor_confirmed_at = models.DateTimeField("出让方确认时间", null=True, blank=True)

    class Meta:
        verbose_name = "成交确认书"
        verbose_name_plural = "成交确认书"

    def __str__(self) -> str:
        return f"{self.listing.code} 成交确认书"


class SettlementKind(models.TextChoices):
    REFUND = "refund", "退还保证金"
    TO_PAYMENT = "to_payment", "保证金转作成交价款"
    # 资格后审: the winner failed the check after winning — the sale is void and the deposit kept (rule 待核实)
    FORFEIT = "forfeit", "保证金不予退还（竞得无效）"


class RightsWinnerReview(models.Model):
    """竞得后资格审查 — under 资格后审 the winner's qualification, checked by the center after the close: the deal
    confirmation cannot be confirmed before it passes; a refusal voids the sale (竞得无效) and publishes its notice."""

    listing = models.OneToOneField(RightsListing, on_delete=models.PROTECT, related_name="winner_review",
                                   verbose_name="挂牌项目")
    registration = models.ForeignKey(RightsRegistration, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="竞得人的竞买申请")
    created_at = models.DateTimeField("生成时间")
    is_approved = models.BooleanField("审查通过", null=True, blank=True)
    reason = models.CharField("未通过原因", max_length=200, blank=True)
    decided_at = models.DateTimeField("审查时间", null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="审查人")
    void_notice = models.ForeignKey("disclosure.Notice", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="竞得无效公告")

    class Meta:
        verbose_name = "竞得后资格审查"
        verbose_name_plural = "竞得后资格审查"
        constraints = [
            models.CheckConstraint(condition=models.Q(is_approved__isnull=True, decided_at__isnull=True)
                                   | models.Q(is_approved__isnull=False, decided_at__isnull=False),
                                   name="rights_winner_review_decided_with_time"),
            models.CheckConstraint(condition=~models.Q(is_approved=False, reason=""),
                                   name="rights_winner_review_refusal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.listing.code} 竞得后资格审查"

    @property
    def is_pending(self) -> bool:
        return self.is_approved is None


class RightsSettlement(models.Model):
    """What becomes of an admitted bidder's deposit after the close: refunded within the template's working days
    (everyone but a winner), or turned into part of the price (the winner). The center records it with the bank's
    reference."""

    registration = models.OneToOneField(RightsRegistration, on_delete=models.PROTECT, related_name="settlement",
                                        verbose_name="竞买申请")
    kind = models.CharField("处理方式", max_length=16, choices=SettlementKind.choices)
    amount = _money("保证金金额")
    due_on = models.DateField("退还期限", null=True, blank=True)
    created_at = models.DateTimeField("生成时间")
    settled_at = models.DateTimeField("办理时间", null=True, blank=True)
    reference = models.CharField("银行凭证号", max_length=64, blank=True)
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name="办理人")

    class Meta:
        verbose_name = "保证金处理"
        verbose_name_plural = "保证金处理"

    def __str__(self) -> str:
        return f"{self.registration} {self.get_kind_display()}"


class RightsContract(models.Model):
    """成交合同 — the contract the winner and the grantor signed after the confirmation, as the center records it:
    the price, the winner's deposit credited towards it, and the schedule of the balance (one payment or instalments
    within the template's down-payment and term limits)."""

    listing = models.OneToOneField(RightsListing, on_delete=models.PROTECT, related_name="contract",
                                   verbose_name="挂牌项目")
    number = models.CharField("合同编号", max_length=64)
    signed_on = models.DateField("签订日期")
    price = _money("成交价款")
    deposit_credited = _money("保证金转作价款")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间")

    class Meta:
        verbose_name = "成交合同"
        verbose_name_plural = "成交合同"

    def __str__(self) -> str:
        return f"{self.listing.code} 合同 {self.number}"


class RightsInstalment(models.Model):
    """One payment of a contract's schedule; the center records it paid with the bank's reference."""

    contract = models.ForeignKey(RightsContract, on_delete=models.PROTECT, related_name="instalments",
                                 verbose_name="成交合同")
    number = models.PositiveSmallIntegerField("期次")
    due_on = models.DateField("应付日期")
    amount = _money("应付金额")
    paid_at = models.DateTimeField("到账登记时间", null=True, blank=True)
    reference = models.CharField("银行凭证号", max_length=64, blank=True)
    paid_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name="登记人")

    class Meta:
        verbose_name = "价款支付期次"
        verbose_name_plural = "价款支付期次"
        ordering = ["contract", "number"]
        constraints = [models.UniqueConstraint(fields=["contract", "number"], name="rights_instalment_number_unique"),
                       models.CheckConstraint(condition=models.Q(amount__gt=0), name="rights_instalment_positive")]

    def __str__(self) -> str:
        return f"{self.contract} 第{self.number}期"


class RightsDepositImport(models.Model):
    """One import of the center's rights deposit account statement (who imported which file, by hash)."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="+", verbose_name="交易中心")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="导入人")
    imported_at = models.DateTimeField("导入时间")
    file_name = models.CharField("文件名", max_length=200, blank=True)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    rows = models.PositiveIntegerField("行数")
    matched = models.PositiveIntegerField("已匹配", default=0)
    unmatched = models.PositiveIntegerField("未匹配", default=0)
    duplicates = models.PositiveIntegerField("此前已导入", default=0)

    class Meta:
        verbose_name = "竞买保证金对账单导入"
        verbose_name_plural = "竞买保证金对账单导入"
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"对账单 {self.file_name or self.sha256[:12]}"


class RightsDepositArrival(models.Model):
    """One arrival on the deposit account (by 流水号): matched to a registration by its sub-account, or not (then
    the center returns it to the payer). An arrival after the registration closed is kept, marked late, and never
    counts towards admission."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="+", verbose_name="交易中心")
    statement = models.ForeignKey(RightsDepositImport, on_delete=models.PROTECT, related_name="arrivals",
                                  verbose_name="对账单")
    serial = models.CharField("流水号", max_length=64)
    arrived_at = models.DateTimeField("到账时间")
    subaccount = models.CharField("收款子账号", max_length=40)
    amount = _money("金额")
    payer_name = models.CharField("付款户名", max_length=200)
    payer_account = models.CharField("付款账号", max_length=40)
    payer_bank = models.CharField("付款银行", max_length=128)
    registration = models.ForeignKey(RightsRegistration, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="arrivals", verbose_name="竞买申请")
    late = models.BooleanField("报名截止后到账", default=False)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reference = models.CharField("退回凭证号", max_length=64, blank=True)

    class Meta:
        verbose_name = "竞买保证金到账"
        verbose_name_plural = "竞买保证金到账"
        ordering = ["-arrived_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["center", "serial"], name="rights_arrival_serial_unique")]

    def __str__(self) -> str:
        return f"到账 {self.serial}"
