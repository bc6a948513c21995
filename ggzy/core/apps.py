from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ggzy.core"
    label = "core"
    verbose_name = "平台核心"
