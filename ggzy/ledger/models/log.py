"""The log itself: its head (size, root, right edge), its entries and the hashes of its complete subtrees.

Entries and tree nodes are append-only: nothing updates or deletes them, and a database trigger
(migration 0002) refuses it. Only the head row changes; appends lock it, which puts every append of the
platform in one total order.
"""

from django.db import models


class LogHead(models.Model):
    """日志头 — the single row describing the log now: its size, root, right edge and hash algorithm."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.PositiveBigIntegerField("记录数", default=0)
    root_hash = models.BinaryField("根哈希", max_length=64, default=b"")
    # The roots of the complete subtrees on the right edge, largest first, concatenated.
    frontier = models.BinaryField("右边界子树哈希", default=b"")
    hash_algorithm = models.CharField("哈希算法", max_length=16, default="sha256")

    class Meta:
        verbose_name = "日志头"
        verbose_name_plural = "日志头"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="ledger_single_head")]

    def __str__(self) -> str:
        return f"{self.hash_algorithm} · {self.size}"


class LogEntry(models.Model):
    """存证记录 — one state change as canonical bytes, leaf ``index`` of the Merkle tree; never changed."""

    index = models.BigIntegerField("序号", primary_key=True)
    created_at = models.DateTimeField("时间")
    body = models.TextField("规范化内容")  # canonical JSON, see docs/ledger-format.md
    leaf_hash = models.BinaryField("叶哈希", max_length=64)
    object_type = models.CharField("对象类型", max_length=64)
    object_id = models.CharField("对象标识", max_length=64)
    action = models.CharField("动作", max_length=64)
    actor_label = models.CharField("操作人标识", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=32, blank=True)
    # The salt of the body's ``actor.label_commitment`` (version 2, a user's act): with ``actor_label`` it opens
    # the commitment. Private like ``actor_label``; None when the body names no user or names one in clear (v1).
    actor_salt = models.BinaryField("操作人承诺盐值", max_length=64, null=True, blank=True)
    center_id = models.BigIntegerField("所属中心", null=True, blank=True)
    previous_state_hash = models.CharField("变更前状态哈希", max_length=64, blank=True)
    source_id = models.BigIntegerField("审计记录号", null=True, blank=True)

    class Meta:
        verbose_name = "存证记录"
        verbose_name_plural = "存证记录"
        ordering = ["index"]
        indexes = [models.Index(fields=["object_type", "object_id", "index"], name="ledger_entry_object")]

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.object_type}:{self.object_id}"


class TreeNode(models.Model):
    """默克尔树节点 — the hash of the complete subtree of 2**level leaves starting at leaf position·2**level.

    Level 0 (the leaves) lives in ``LogEntry.leaf_hash``; this table holds levels ≥ 1.
    """

    pk = models.CompositePrimaryKey("level", "position")
    level = models.PositiveSmallIntegerField("层")
    position = models.BigIntegerField("位置")
    hash = models.BinaryField("哈希", max_length=64)

    class Meta:
        verbose_name = "默克尔树节点"
        verbose_name_plural = "默克尔树节点"

    def __str__(self) -> str:
        return f"({self.level}, {self.position})"
