from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ggzy.supervision"
    label = "supervision"
    verbose_name = "监督预警"

    def ready(self) -> None:
        # the indicator families register themselves on import
        from .indicators import documents  # noqa: F401
