"""工程建设项目公开招标 — open tendering of construction projects (招标投标法, 实施条例)."""

from ..choices import Method
from .base import Procedure, register


@register
class WorksOpenTender(Procedure):
    method = Method.WORKS_OPEN_TENDER
    label = "工程建设项目公开招标"
