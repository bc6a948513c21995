"""Sign-up, bid bonds and sealed bids. A bid's content is only ever stored encrypted."""

from django.db import models

from ..choices import BidState


class SealedIdentity(models.Model):
    """Who acted, sealed until the opening: a keyed tag (HMAC, key outside the database) lets the bidder find its
    own rows; the identity itself is encrypted to the opening key; ``bidder`` is filled only at the opening."""

    bidder_tag = models.CharField("投标人标签", max_length=64)
    bidder_sealed = models.BinaryField("加密的投标人身份")
    bidder = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name="投标人（开标后）")

    class Meta:
        abstract = True


class SignUp(SealedIdentity):
    """投标报名 — a bidder signs up for a lot and downloads its documents (who signed up is sealed)."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="signups", verbose_name="标段")
    signed_up_at = models.DateTimeField("报名时间")
    documents_downloaded_at = models.DateTimeField("下载招标文件时间", null=True, blank=True)

    class Meta:
        verbose_name = "投标报名"
        verbose_name_plural = "投标报名"
        constraints = [models.UniqueConstraint(fields=["lot", "bidder_tag"], name="one_signup_per_bidder_and_lot")]

    def __str__(self) -> str:
        return f"报名#{self.pk}"


class DocumentDownload(SealedIdentity):
    """招标文件下载记录 — one download of one document; who downloaded is sealed like the sign-up (the bidder's tag,
    the user's tag for notifying it of later clarifications, the identity encrypted to the opening key)."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="+", verbose_name="标段")
    document = models.ForeignKey("tendering.TenderDocument", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="文件")
    user_tag = models.CharField("下载用户标签", max_length=64)
    downloaded_at = models.DateTimeField("下载时间")

    class Meta:
        verbose_name = "招标文件下载记录"
        verbose_name_plural = "招标文件下载记录"
        indexes = [models.Index(fields=["lot", "bidder_tag"], name="download_lot_bidder"),
                   models.Index(fields=["lot", "user_tag"], name="download_lot_user")]

    def __str__(self) -> str:
        return f"下载#{self.pk}"


class BidBond(models.Model):
    """投标保证金 — one per sign-up of a lot with a bond: its virtual sub-account (虚拟子账号), what arrived on it
    (``amount``, the sum of matched bank arrivals) or the verified electronic guarantee."""

    signup = models.OneToOneField(SignUp, on_delete=models.PROTECT, related_name="bond", verbose_name="报名")
    subaccount = models.CharField("虚拟子账号", max_length=40, null=True, blank=True, unique=True)
    amount = models.DecimalField("已到账金额（元）", max_digits=16, decimal_places=2, default=0)
    guarantee = models.OneToOneField("tendering.GuaranteeRecord", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="bond", verbose_name="电子保函")
    guarantee_verified_at = models.DateTimeField("保函核验时间", null=True, blank=True)
    account_sealed = models.BinaryField("加密的付款账户", default=b"", blank=True)
    account_bank = models.CharField("付款银行（开标后）", max_length=100, blank=True)
    account_number = models.CharField("付款账号（开标后）", max_length=64, blank=True)
    paid_at = models.DateTimeField("首笔到账时间", null=True, blank=True)
    refund_due = models.DateField("应退还日期", null=True, blank=True)
    refunded_at = models.DateTimeField("退还（解除）时间", null=True, blank=True)
    refund_reference = models.CharField("退还凭证号", max_length=64, blank=True)

    class Meta:
        verbose_name = "投标保证金"
        verbose_name_plural = "投标保证金"

    def __str__(self) -> str:
        return f"保证金#{self.pk}"

    @property
    def is_guarantee(self) -> bool:
        return self.guarantee_id is not None


class Bid(SealedIdentity):
    """投标文件 — sealed: files and price sheet encrypted with the bid's own key, wrapped to the opening key."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="bids", verbose_name="标段")
    state = models.CharField("状态", max_length=20, choices=BidState.choices, default=BidState.SUBMITTED)
    arrived_at = models.DateTimeField("到达时间（服务器）")
    modified_count = models.PositiveIntegerField("修改次数", default=0)
    # The audit record of the latest submission or modification: its (sealed) ledger entry is the bidder's receipt.
    ledger_source_id = models.BigIntegerField("存证审计记录号", null=True, blank=True)
    # The one-time token of the form (or Idempotency-Key) that made the latest submission: the same submission sent
    # twice (a double click, a retried upload) is recognised and does not count as a modification.
    submission_token = models.CharField("递交令牌", max_length=64, blank=True)
    # What the bidder's receipt shows and the sealed columns hide (file names, sizes, plaintext and price-sheet
    # hashes), encrypted with the platform's secrets key (core.secrets), read only to issue the bidder its receipt.
    receipt_detail_sealed = models.TextField("回执明细（加密）", blank=True)
    wrapped_key = models.BinaryField("加密的内容密钥")
    key_wrap_id = models.CharField("开标密钥标识", max_length=64)
    sealed_price_sheet = models.BinaryField("加密的报价单")
    fingerprint_sealed = models.BinaryField("加密的客户端指纹")
    # The bidder-holds-the-key path (client-sealed): the client encrypted everything; the content key is wrapped
    # to the bidder's encryption certificate and (in wrapped_key / key_wrap_id) to the lot's custodian key.
    sealed_by = models.CharField("密封方", max_length=10, default="platform")  # platform / bidder
    content_algorithm = models.CharField("内容加密算法", max_length=16, default="aes-256-gcm")
    bidder_wrapped_key = models.BinaryField("投标人证书加密的内容密钥", null=True, blank=True)
    certificate_sealed = models.BinaryField("加密的投标人加密证书", null=True, blank=True)
    sealed_sha256 = models.CharField("密封数据摘要（存储完整性）", max_length=64, blank=True)
    opened_by = models.CharField("解密途径", max_length=12, blank=True)  # platform / bidder / custodians
    failure_cause = models.CharField("解密失败原因归属", max_length=10, blank=True)  # bidder / platform
    failure_reason = models.CharField("解密失败说明", max_length=255, blank=True)
    # The bidder's signature over the bid (CMS), sealed with the content key at submission: it names its signer, so
    # it stays ciphertext until the opening, when it is opened, verified and recorded (pki Signature).
    signature_sealed = models.BinaryField("加密的投标文件电子签名", null=True, blank=True)
    signature_state = models.CharField("投标文件签名核验", max_length=8, blank=True)  # "" / valid / invalid
    signature_reason = models.CharField("签名核验说明", max_length=255, blank=True)
    # Filled at the opening, never before:
    price = models.DecimalField("投标报价（元）", max_digits=16, decimal_places=2, null=True, blank=True)
    price_sheet = models.JSONField("报价单", null=True, blank=True)
    fingerprint = models.JSONField("客户端指纹", null=True, blank=True)
    opened_at = models.DateTimeField("解密时间", null=True, blank=True)

    class Meta:
        verbose_name = "投标文件"
        verbose_name_plural = "投标文件"
        constraints = [models.UniqueConstraint(fields=["lot", "bidder_tag"], name="one_bid_per_bidder_and_lot")]

    def __str__(self) -> str:
        return f"投标#{self.pk}"


class BidFile(models.Model):
    """投标文件附件 — one encrypted file of a bid, by the hash of its plaintext and of its ciphertext."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="files", verbose_name="投标文件")
    name_sealed = models.BinaryField("加密的文件名")
    plaintext_sha256 = models.CharField("明文 SHA-256", max_length=64)
    ciphertext_sha256 = models.CharField("密文 SHA-256（存储键）", max_length=64)
    size = models.PositiveBigIntegerField("明文大小")

    class Meta:
        verbose_name = "投标文件附件"
        verbose_name_plural = "投标文件附件"

    def __str__(self) -> str:
        return self.ciphertext_sha256[:12]


class BidEvent(models.Model):
    """投标事件 — submission, modification, withdrawal and every refused attempt (late ones included)."""

    lot = models.ForeignKey("tendering.Lot", on_delete=models.PROTECT, related_name="bid_events", verbose_name="标段")
    bidder_tag = models.CharField("投标人标签", max_length=64)
    kind = models.CharField("事件", max_length=24)  # submit / modify / withdraw / refused_late / refused_other
    at = models.DateTimeField("服务器时间")
    detail = models.CharField("说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "投标事件"
        verbose_name_plural = "投标事件"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}@{self.at:%Y-%m-%d %H:%M:%S}"
