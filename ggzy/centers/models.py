"""Evaluation venues of the centers (a directory shared by every center) and remote off-site evaluation sessions.

A venue belongs to one center (registry.Center) and has rooms; a room has seats, each with one workstation. A
workstation is bound to one browser by a device fingerprint (see ``static/centers/workstation.js``: a hash of
browser-visible properties plus a random secret kept in that browser's localStorage — it identifies a browser
profile on a device, NOT the hardware) and a one-time activation code the venue's staff issue.

A remote session (远程异地评标) is one lot's evaluation held in a host venue (主场) and guest venues (副场) in other
cities; the lot is named by ``subject_key`` (this app never imports tendering). A guest venue of another center is
added only when that center accepts a request for seats; requests for experts are answered the same way.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Venue(models.Model):
    center = models.ForeignKey(
        "registry.Center", on_delete=models.PROTECT, related_name="venues", verbose_name="交易中心"
    )
    name = models.CharField("场地名称", max_length=128)
    city = models.CharField("城市", max_length=32)
    address = models.CharField("地址", max_length=255, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评标场地"
        verbose_name_plural = "评标场地"
        ordering = ["center__code", "name"]
        constraints = [models.UniqueConstraint(fields=["center", "name"], name="centers_venue_unique_name")]

    def __str__(self) -> str:
        return f"{self.city}·{self.name}"


class Room(models.Model):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="rooms", verbose_name="场地")
    name = models.CharField("评标室", max_length=64)

    class Meta:
        verbose_name = "评标室"
        verbose_name_plural = "评标室"
        ordering = ["venue_id", "name"]
        constraints = [models.UniqueConstraint(fields=["venue", "name"], name="centers_room_unique_name")]

    def __str__(self) -> str:
        return f"{self.venue}·{self.name}"


class Seat(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="seats", verbose_name="评标室")
    label = models.CharField("席位号", max_length=32)

    class Meta:
        verbose_name = "席位"
        verbose_name_plural = "席位"
        ordering = ["room_id", "label"]
        constraints = [models.UniqueConstraint(fields=["room", "label"], name="centers_seat_unique_label")]

    def __str__(self) -> str:
        return f"{self.room}·{self.label}"


class Workstation(models.Model):
    """The computer at a seat; bound to one browser (fingerprint digest) and, once activated, to the expert."""

    seat = models.OneToOneField(
        Seat, on_delete=models.CASCADE, related_name="workstation", verbose_name="席位"
    )
    label = models.CharField("工位编号", max_length=32)
    fingerprint_digest = models.CharField("设备指纹摘要", max_length=64, blank=True, db_index=True)
    occupant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="workstations",
        verbose_name="当前使用专家",
    )
    activated_at = models.DateTimeField("激活时间", null=True, blank=True)

    class Meta:
        verbose_name = "评标工位"
        verbose_name_plural = "评标工位"
        ordering = ["seat_id"]

    def __str__(self) -> str:
        return f"{self.seat.room}·{self.label}"

    @property
    def venue(self) -> Venue:
        return self.seat.room.venue


class ActivationCode(models.Model):
    """A one-time code the venue's staff issue for one workstation; only its digest is kept."""

    workstation = models.ForeignKey(
        Workstation, on_delete=models.CASCADE, related_name="codes", verbose_name="工位"
    )
    code_digest = models.CharField("激活码摘要", max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    issued_at = models.DateTimeField("签发时间")
    expires_at = models.DateTimeField("有效期至")
    used_at = models.DateTimeField("使用时间", null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="使用人",
    )

    class Meta:
        verbose_name = "工位激活码"
        verbose_name_plural = "工位激活码"

    def __str__(self) -> str:
        return f"{self.workstation} · {self.issued_at:%Y-%m-%d %H:%M}"


class RemoteSession(models.Model):
    """One lot's remote off-site evaluation: a host venue and guest venues, one shared scoring session."""

    subject_key = models.CharField("评审对象", max_length=64, unique=True)
    subject_code = models.CharField("标段编号", max_length=64)
    subject_title = models.CharField("标段名称", max_length=255)
    center = models.ForeignKey(
        "registry.Center", on_delete=models.PROTECT, related_name="remote_sessions", verbose_name="主场中心"
    )
    host_venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="hosted_sessions", verbose_name="主场"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="创建人"
    )
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = "远程异地评标"
        verbose_name_plural = "远程异地评标"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject_code} {self.subject_title}"


class VenueRole(models.TextChoices):
    HOST = "host", _("主场")
    GUEST = "guest", _("副场")


class SessionVenue(models.Model):
    session = models.ForeignKey(
        RemoteSession, on_delete=models.CASCADE, related_name="venues", verbose_name="会话"
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="session_roles", verbose_name="场地"
    )
    role = models.CharField("角色", max_length=8, choices=VenueRole.choices)
    seats = models.PositiveIntegerField("席位数", default=0)

    class Meta:
        verbose_name = "会话场地"
        verbose_name_plural = "会话场地"
        ordering = ["session_id", "-role", "venue_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "venue"], name="centers_session_venue_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.venue}"


class RequestKind(models.TextChoices):
    SEATS = "seats", _("席位")
    EXPERTS = "experts", _("专家")


class RequestState(models.TextChoices):
    PENDING = "pending", _("待答复")
    ACCEPTED = "accepted", _("已同意")
    DECLINED = "declined", _("已拒绝")


class CenterRequest(models.Model):
    """A request from the host center to another center for seats in one of its venues or for experts."""

    session = models.ForeignKey(
        RemoteSession, on_delete=models.CASCADE, related_name="requests", verbose_name="会话"
    )
    kind = models.CharField("类型", max_length=8, choices=RequestKind.choices)
    to_center = models.ForeignKey(
        "registry.Center",
        on_delete=models.PROTECT,
        related_name="incoming_requests",
        verbose_name="被请求中心",
    )
    venue = models.ForeignKey(
        Venue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
        verbose_name="请求场地",
    )
    count = models.PositiveIntegerField("数量")
    note = models.CharField("说明", max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="请求人"
    )
    requested_at = models.DateTimeField("请求时间")
    state = models.CharField("状态", max_length=8, choices=RequestState.choices, default=RequestState.PENDING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="答复人",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    answer_note = models.CharField("答复说明", max_length=255, blank=True)

    class Meta:
        verbose_name = "跨中心请求"
        verbose_name_plural = "跨中心请求"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.count} → {self.to_center_id}"


class SessionEvent(models.Model):
    """The session log: who joined from where, scores submitted, votes, the report and its signatures."""

    session = models.ForeignKey(
        RemoteSession, on_delete=models.CASCADE, related_name="events", verbose_name="会话"
    )
    at = models.DateTimeField("时间")
    kind = models.CharField("事件", max_length=16)
    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="场地"
    )
    workstation = models.ForeignKey(
        Workstation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="工位"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="操作人",
    )
    text = models.CharField("内容", max_length=255)

    class Meta:
        verbose_name = "会话日志"
        verbose_name_plural = "会话日志"
        ordering = ["session_id", "id"]

    def __str__(self) -> str:
        return self.text


class RatingSubject(models.TextChoices):
    CENTER = "center", _("交易中心")
    AGENCY = "agency", _("招标代理机构")


class RaterKind(models.TextChoices):
    TENDERER = "tenderer", _("招标人")
    BIDDER = "bidder", _("投标人")
    THIRD_PARTY = "third_party", _("第三方（匿名）")


class ServiceRating(models.Model):
    """服务评价 — a market entity that took part in a lot (its tenderer, or a bidder once the result is final), or an
    anonymous third party, rates a trading center or an agency: 1–5 on each criterion, with a comment.

    The lot is named by ``subject_key`` (``lot:<id>``; this app never imports tendering); one rating per rater, lot
    and subject. Third-party ratings name no lot and no rater; they are limited per client address."""

    subject = models.CharField("评价对象类型", max_length=8, choices=RatingSubject.choices)
    center = models.ForeignKey("registry.Center", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="service_ratings", verbose_name="交易中心")
    agency = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="agency_ratings", verbose_name="招标代理机构")
    subject_key = models.CharField("评价事项（标段）", max_length=64, blank=True)
    rater_kind = models.CharField("评价人类型", max_length=16, choices=RaterKind.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name="评价用户")
    rater_entity = models.ForeignKey("registry.MarketEntity", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name="评价主体")
    compliance = models.PositiveSmallIntegerField("依法规范")
    efficiency = models.PositiveSmallIntegerField("办事效率")
    attitude = models.PositiveSmallIntegerField("服务态度")
    transparency = models.PositiveSmallIntegerField("公开透明")
    comment = models.TextField("评价意见", blank=True, max_length=500)
    address = models.GenericIPAddressField("来源地址（第三方限流）", null=True, blank=True)
    created_at = models.DateTimeField("评价时间")

    class Meta:
        verbose_name = "服务评价"
        verbose_name_plural = "服务评价"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(subject="center", center__isnull=False, agency__isnull=True)
                           | models.Q(subject="agency", agency__isnull=False, center__isnull=True)),
                name="centers_rating_one_subject"),
            *[models.CheckConstraint(condition=models.Q(**{f"{f}__gte": 1, f"{f}__lte": 5}),
                                     name=f"centers_rating_{f}_1_5")
              for f in ("compliance", "efficiency", "attitude", "transparency")],
            # one per rater, lot and subject (two constraints: a NULL column would make rows distinct)
            models.UniqueConstraint(fields=["center", "subject_key", "rater_entity"],
                                    condition=models.Q(subject="center", rater_entity__isnull=False),
                                    name="centers_rating_one_per_rater_lot_center"),
            models.UniqueConstraint(fields=["agency", "subject_key", "rater_entity"],
                                    condition=models.Q(subject="agency", rater_entity__isnull=False),
                                    name="centers_rating_one_per_rater_lot_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} {self.center_id or self.agency_id} · {self.rater_kind}"
