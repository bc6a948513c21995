from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ggzy.supervision"
    label = "supervision"
    verbose_name = "监督预警"

    def ready(self) -> None:
        # the indicator families register themselves at import (indicators.base.register)
        from .indicators import documents, history  # noqa: F401
