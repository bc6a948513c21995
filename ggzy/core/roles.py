"""The platform's roles. The public needs no account.

They live in core so that every layer can check them (pki and ledger policies, core's idle timeout) without
importing ``accounts``; ``ggzy.accounts.roles`` re-exports them for the apps above.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["MARKET_ENTITY_ROLES", "SECOND_FACTOR_ROLES", "STAFF_ROLES", "Role"]


class Role(models.TextChoices):
    CENTER_STAFF = "center_staff", _("交易中心工作人员")
    TENDERER = "tenderer", _("招标人/采购人")
    AGENCY = "agency", _("招标代理机构")
    BIDDER = "bidder", _("投标人（市场主体）")
    EXPERT = "expert", _("评标专家")
    SUPERVISOR = "supervisor", _("行政监督部门")
    ADMIN = "admin", _("系统管理员")


# Roles that sign in with a second factor (TOTP): staff, supervision officers and administrators.
SECOND_FACTOR_ROLES = frozenset({Role.CENTER_STAFF, Role.SUPERVISOR, Role.ADMIN})
# Roles that act for a market entity (一表申请 record).
MARKET_ENTITY_ROLES = frozenset({Role.TENDERER, Role.AGENCY, Role.BIDDER})
STAFF_ROLES = frozenset({Role.CENTER_STAFF, Role.ADMIN})
