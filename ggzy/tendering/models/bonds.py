"""Bid bonds as centers take them: the center's bond account with one virtual sub-account per sign-up, imported bank
arrivals matched to sub-accounts, and electronic guarantees checked against their issuers' records."""

from django.db import models


class BondAccount(models.Model):
    """保证金专户 — the center's bank account under which every sign-up gets a virtual sub-account (虚拟子账号)."""

    center = models.OneToOneField("registry.Center", on_delete=models.PROTECT, related_name="bond_account",
                                  verbose_name="交易中心")
    bank_name = models.CharField("开户银行", max_length=128)
    account_name = models.CharField("账户名称", max_length=200)
    account_number = models.CharField("专户账号", max_length=40)

    class Meta:
        verbose_name = "保证金专户"
        verbose_name_plural = "保证金专户"

    def __str__(self) -> str:
        return f"{self.account_name} {self.bank_name}"


class BankStatementImport(models.Model):
    """银行到账流水导入 — one imported statement file; only per-import totals are ever shown before an opening."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="+", verbose_name="交易中心")
    imported_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name="导入人")
    imported_at = models.DateTimeField("导入时间")
    file_name = models.CharField("文件名", max_length=200, blank=True)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    rows = models.PositiveIntegerField("行数", default=0)
    matched = models.PositiveIntegerField("已匹配子账号", default=0)
    unmatched = models.PositiveIntegerField("未匹配（待退回）", default=0)
    duplicates = models.PositiveIntegerField("重复流水（已跳过）", default=0)

    class Meta:
        verbose_name = "银行流水导入"
        verbose_name_plural = "银行流水导入"
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"流水导入#{self.pk}"


class BankArrival(models.Model):
    """保证金到账 — one credit on the bond account. Matched to a sub-account, its payer is sealed to the opening key
    and kept as a lot-keyed tag for the basic-account check; an unmatched one keeps its payer so it can be returned."""

    center = models.ForeignKey("registry.Center", on_delete=models.PROTECT, related_name="+", verbose_name="交易中心")
    statement = models.ForeignKey(BankStatementImport, on_delete=models.PROTECT, related_name="arrivals",
                                  verbose_name="导入批次")
    serial = models.CharField("银行流水号", max_length=64)
    arrived_at = models.DateTimeField("到账时间")
    subaccount = models.CharField("收款子账号", max_length=40)
    amount = models.DecimalField("金额（元）", max_digits=16, decimal_places=2)
    bond = models.ForeignKey("tendering.BidBond", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="arrivals", verbose_name="保证金（已匹配）")
    payer_sealed = models.BinaryField("加密的付款人", null=True, blank=True)
    payer_for_bidder = models.BinaryField("付款人（仅本投标人可解）", null=True, blank=True)
    payer_account_tag = models.CharField("付款账号标签", max_length=64, blank=True)
    # Filled for an unmatched arrival (it names no lot, and staff must return it) and, for a matched one, at the opening.
    payer_name = models.CharField("付款户名", max_length=200, blank=True)
    payer_account = models.CharField("付款账号", max_length=40, blank=True)
    payer_bank = models.CharField("付款银行", max_length=128, blank=True)
    returned_at = models.DateTimeField("退回时间", null=True, blank=True)
    return_reference = models.CharField("退回凭证号", max_length=64, blank=True)

    class Meta:
        verbose_name = "保证金到账"
        verbose_name_plural = "保证金到账"
        ordering = ["arrived_at", "id"]
        constraints = [models.UniqueConstraint(fields=["center", "serial"], name="bank_arrival_serial_once")]

    def __str__(self) -> str:
        return self.serial


class GuaranteeIssuer(models.Model):
    """保函出具机构 — a bank or insurer whose electronic guarantees (电子保函 / 保证保险) the center accepts."""

    code = models.CharField("机构代码", max_length=32, unique=True)
    name = models.CharField("机构名称", max_length=200)
    kind = models.CharField("类型", max_length=16, default="bank")  # bank（银行保函）/ insurance（保证保险）

    class Meta:
        verbose_name = "保函出具机构"
        verbose_name_plural = "保函出具机构"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GuaranteeRecord(models.Model):
    """保函记录 — the issuer's record of one guarantee, imported from the issuer's data file; the applicant is kept
    only as a keyed tag and sealed, so the records do not say who intends to bid."""

    issuer = models.ForeignKey(GuaranteeIssuer, on_delete=models.PROTECT, related_name="records",
                               verbose_name="出具机构")
    number = models.CharField("保函编号", max_length=64, unique=True)
    applicant_tag = models.CharField("申请人标签", max_length=64)
    applicant_sealed = models.BinaryField("加密的申请人统一社会信用代码")
    beneficiary = models.CharField("受益人", max_length=200)
    lot_code = models.CharField("标段编号", max_length=32)
    amount = models.DecimalField("担保金额（元）", max_digits=16, decimal_places=2)
    valid_until = models.DateField("有效期至")
    imported_at = models.DateTimeField("导入时间")

    class Meta:
        verbose_name = "保函记录"
        verbose_name_plural = "保函记录"

    def __str__(self) -> str:
        return self.number
