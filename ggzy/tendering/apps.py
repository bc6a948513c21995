from django.apps import AppConfig


class TenderingConfig(AppConfig):
    name = "ggzy.tendering"
    label = "tendering"
    verbose_name = "电子招标投标与政府采购"
