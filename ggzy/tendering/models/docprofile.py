"""What the document screens need of a decrypted bid (never its text): created at the opening, after decryption."""

from django.db import models


class BidDocumentProfile(models.Model):
    """投标文件特征 — MinHash of the bid's own text (tender documents removed), hashed unusual strings, author
    metadata and each file's extraction status. Exists only once the bid is decrypted (sealed before)."""

    bid = models.OneToOneField("tendering.Bid", on_delete=models.CASCADE, related_name="document_profile",
                               verbose_name="投标文件")
    signature = models.JSONField("MinHash 签名", default=list)  # hex strings (64-bit values exceed JSON's safe ints)
    own_shingles = models.PositiveIntegerField("自有文本片段数", default=0)
    unusual = models.JSONField("异常字串（散列）", default=list)  # sorted hex strings
    authors = models.JSONField("作者元数据", default=dict)  # author / last_modified_by / company / creator / producer
    files = models.JSONField("文件读取状态", default=list)  # [{"index", "kind", "status"}]
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "投标文件特征"
        verbose_name_plural = "投标文件特征"

    def __str__(self) -> str:
        return f"profile {self.bid_id}"
