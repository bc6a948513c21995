from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "ggzy.publication"
    verbose_name = "信息推送"
    default_auto_field = "django.db.models.BigAutoField"
