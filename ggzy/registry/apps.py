from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ggzy.registry"
    label = "registry"
    verbose_name = "主体与中心"

    def ready(self) -> None:
        # A certificate sign-in verifies the user's entity when the certificate carries its credit code. pki sits
        # below the registry and must not import it, so the registry hands pki the function to call.
        from ggzy.pki.login import register_after_login

        from .services_review import entity_verify_by_certificate

        register_after_login(entity_verify_by_certificate)
