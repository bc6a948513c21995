from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "ggzy.catalog"
    label = "catalog"
    verbose_name = "交易目录、制度规则与流程清单"
