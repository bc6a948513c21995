from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ggzy.ledger"
    label = "ledger"
    verbose_name = "交易记录存证（透明日志）"
