from django.apps import AppConfig


class ExpertsConfig(AppConfig):
    name = "ggzy.experts"
    label = "experts"
    verbose_name = "评标专家库"
