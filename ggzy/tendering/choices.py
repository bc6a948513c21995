"""Enumerations of the tendering app (states, methods, roles in a lot)."""

from django.db import models


class Method(models.TextChoices):
    """Trading methods handled by this app; each is a procedure class in procedures/."""

    WORKS_OPEN_TENDER = "works_open_tender", "工程建设项目公开招标"
    GP_OPEN_TENDER = "gp_open_tender", "政府采购公开招标"
    GP_NEGOTIATION = "gp_negotiation", "政府采购竞争性谈判"
    GP_INQUIRY = "gp_inquiry", "政府采购询价"


class ProjectState(models.TextChoices):
    SUBMITTED = "submitted", "待受理"
    RETURNED = "returned", "已退回"
    ACCEPTED = "accepted", "已受理"


class LotState(models.TextChoices):
    DRAFT = "draft", "待发布"
    PUBLISHED = "published", "招标中"
    OPENING = "opening", "开标中"
    FAILED = "failed", "流标"
    EVALUATING = "evaluating", "评标中"
    CANDIDATES = "candidates", "候选人公示"
    SUSPENDED = "suspended", "异议暂停"
    AWARDED = "awarded", "已定标"
    CONTRACTED = "contracted", "合同已签订"
    ARCHIVED = "archived", "已归档"


class EvaluationMethod(models.TextChoices):
    LOWEST_PRICE = "lowest_price", "经评审的最低投标价法"
    COMPREHENSIVE = "comprehensive", "综合评估法"


class TieBreak(models.TextChoices):
    """Rule the tender documents state for equal results."""

    LOWER_PRICE = "lower_price", "报价低者优先"
    HIGHER_TECHNICAL = "higher_technical", "技术得分高者优先"
    EARLIER_SUBMISSION = "earlier_submission", "递交时间早者优先"


class BidState(models.TextChoices):
    SUBMITTED = "submitted", "已递交"
    WITHDRAWN = "withdrawn", "已撤回"
    OPENED = "opened", "已解密"
    DEEMED_REVOKED = "deemed_revoked", "视为撤销"
    DEEMED_WITHDRAWN = "deemed_withdrawn", "视为撤回"
    REJECTED = "rejected", "否决"


class CommitteeSeat(models.TextChoices):
    EXPERT_TECHNICAL = "expert_technical", "技术专家"
    EXPERT_ECONOMIC = "expert_economic", "经济专家"
    TENDERER_REP = "tenderer_rep", "招标人代表"


class ObjectionState(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
