from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "ggzy.rights"
    label = "rights"
    verbose_name = "产权与资源权益网上挂牌（土地、矿业权、国有产权、环境权益）"
