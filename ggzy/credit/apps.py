from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "ggzy.credit"
    label = "credit"
    verbose_name = "信用管理"
