from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "ggzy.ledger"
    label = "ledger"
    verbose_name = "交易记录存证（透明日志）"

    def ready(self) -> None:
        # Every audit entry becomes a ledger entry, appended in the same transaction (ggzy.core.audit).
        from ggzy.core.audit import register_after_record

        from .services import ledger_append_audit

        register_after_record(ledger_append_audit)
