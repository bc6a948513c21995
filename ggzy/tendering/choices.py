"""Enumerations of the tendering app (states, methods, roles in a lot)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Method(models.TextChoices):
    """Trading methods handled by this app; each is a procedure class in procedures/."""

    WORKS_OPEN_TENDER = "works_open_tender", _("工程建设项目公开招标")
    GP_OPEN_TENDER = "gp_open_tender", _("政府采购公开招标")
    GP_NEGOTIATION = "gp_negotiation", _("政府采购竞争性谈判")
    GP_CONSULTATION = "gp_consultation", _("政府采购竞争性磋商")
    GP_INQUIRY = "gp_inquiry", _("政府采购询价")
    GP_SINGLE_SOURCE = "gp_single_source", _("政府采购单一来源")


class ProjectState(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已受理")


class LotState(models.TextChoices):
    DRAFT = "draft", _("待发布")
    PUBLISHED = "published", _("招标中")
    PUBLICITY = "publicity", _("单一来源公示")
    OPENING = "opening", _("开标中")
    FAILED = "failed", _("流标")
    NEGOTIATING = "negotiating", _("谈判中")
    FINAL_QUOTING = "final_quoting", _("最后报价")
    EVALUATING = "evaluating", _("评标中")
    CANDIDATES = "candidates", _("候选人公示")
    SUSPENDED = "suspended", _("异议暂停")
    AWARDED = "awarded", _("已定标")
    CONTRACTED = "contracted", _("合同已签订")
    ARCHIVED = "archived", _("已归档")


class EvaluationMethod(models.TextChoices):
    LOWEST_PRICE = "lowest_price", _("经评审的最低投标价法")
    COMPREHENSIVE = "comprehensive", _("综合评估法")


class ProcurementObject(models.TextChoices):
    """What government procurement buys (政府采购法 Art. 2): the price weight's legal range depends on it."""

    GOODS = "goods", _("货物")
    SERVICES = "services", _("服务")
    WORKS = "works", _("工程")


class TieBreak(models.TextChoices):
    """Rule the tender documents state for equal results."""

    LOWER_PRICE = "lower_price", _("报价低者优先")
    HIGHER_TECHNICAL = "higher_technical", _("技术得分高者优先")
    EARLIER_SUBMISSION = "earlier_submission", _("递交时间早者优先")


class BidState(models.TextChoices):
    SUBMITTED = "submitted", _("已递交")
    WITHDRAWN = "withdrawn", _("已撤回")
    OPENED = "opened", _("已解密")
    DEEMED_REVOKED = "deemed_revoked", _("视为撤销")
    DEEMED_WITHDRAWN = "deemed_withdrawn", _("视为撤回")
    REJECTED = "rejected", _("否决")


class CommitteeSeat(models.TextChoices):
    EXPERT_TECHNICAL = "expert_technical", _("技术专家")
    EXPERT_ECONOMIC = "expert_economic", _("经济专家")
    TENDERER_REP = "tenderer_rep", _("招标人代表")


class ObjectionState(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class DocumentKind(models.TextChoices):
    """What a tender document is (招标文件、澄清、修改、答疑、附件)."""

    TENDER = "tender", _("招标文件")
    CLARIFICATION = "clarification", _("澄清")
    AMENDMENT = "amendment", _("修改")
    ANSWER = "answer", _("答疑")
    ATTACHMENT = "attachment", _("附件")


class ChallengeKind(models.TextChoices):
    """异议 (works, to the tenderer) or 质疑 (government procurement, to the purchaser or its agency)."""

    OBJECTION = "objection", _("异议")
    CHALLENGE = "challenge", _("质疑")


class ComplaintSubject(models.TextChoices):
    """What a challenge or complaint is about."""

    DOCUMENTS = "documents", _("招标（采购）文件")
    OPENING = "opening", _("开标")
    EVALUATION_RESULT = "evaluation_result", _("评标结果")
    OTHER = "other", _("其他事项")


class ChallengeState(models.TextChoices):
    FILED = "filed", _("待答复")
    ANSWERED = "answered", _("已答复")
    WITHDRAWN = "withdrawn", _("已撤回")


class ComplaintState(models.TextChoices):
    FILED = "filed", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    REFUSED = "refused", _("不予受理")
    DECIDED = "decided", _("已作出处理决定")
    WITHDRAWN = "withdrawn", _("已撤回")


class ComplaintOutcome(models.TextChoices):
    UPHELD = "upheld", _("投诉成立")
    DISMISSED = "dismissed", _("投诉不成立（驳回）")
