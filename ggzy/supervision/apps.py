from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "ggzy.supervision"
    label = "supervision"
    verbose_name = "监督预警"
