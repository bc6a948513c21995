from django.apps import AppConfig


class CentersConfig(AppConfig):
    name = "ggzy.centers"
    label = "centers"
    verbose_name = "评标场地与远程异地评标"
