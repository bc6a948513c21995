"""Users of the platform and their sign-in attempts."""

from django.contrib.auth.models import AbstractUser
from django.db import models

from ggzy.core.secrets import EncryptedCharField, stored_length

from .roles import SECOND_FACTOR_ROLES, Role


class User(AbstractUser):
    """用户 — one person's account, with one role, belonging to a trading center where the role needs one."""

    role = models.CharField("角色", max_length=32, choices=Role.choices, default=Role.BIDDER)
    center = models.ForeignKey("registry.Center", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="users", verbose_name="所属交易中心")
    display_name = models.CharField("姓名", max_length=64, blank=True)
    totp_secret = EncryptedCharField("动态口令密钥", max_length=stored_length(64), blank=True)  # encrypted at rest
    totp_last_step = models.BigIntegerField("最近使用的口令时间步", default=0)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["center_staff", "supervisor"]) | models.Q(center__isnull=False),
                name="staff_and_supervisors_belong_to_a_center",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def requires_second_factor(self) -> bool:
        return self.role in SECOND_FACTOR_ROLES

    @property
    def is_provincial(self) -> bool:
        """Provincial scope: administrators, and staff or supervisors of the provincial center."""
        if self.role == Role.ADMIN:
            return True
        return self.center is not None and self.center.is_provincial


class LoginAttempt(models.Model):
    """登录尝试 — kept to throttle guessing, per user name and per address."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        verbose_name = "登录尝试"
        verbose_name_plural = "登录尝试"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username}@{self.address} {self.at:%Y-%m-%d %H:%M} {'成功' if self.succeeded else '失败'}"


class Notification(models.Model):
    """站内消息 — a message to one user (deadline moved, objection answered, bond refund due…)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications", verbose_name="收件人")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=255, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
