from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ggzy.registry"
    label = "registry"
    verbose_name = "主体与中心"
