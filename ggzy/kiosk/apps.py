from django.apps import AppConfig


class KioskConfig(AppConfig):
    name = "ggzy.kiosk"
    label = "kiosk"
    verbose_name = "自助服务终端"
