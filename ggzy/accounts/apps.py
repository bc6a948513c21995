from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ggzy.accounts"
    label = "accounts"
    verbose_name = "账户与角色"
