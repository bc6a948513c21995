from django.apps import AppConfig


class PkiConfig(AppConfig):
    name = "ggzy.pki"
    label = "pki"
    verbose_name = "数字证书与密码服务"
