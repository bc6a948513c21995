from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "ggzy.registry"
    label = "registry"
    verbose_name = "主体与中心"

    def ready(self) -> None:
        # An entity certificate signs in as an account of the entity whose credit code it carries, and the sign-in
        # verifies that entity. pki sits below the registry and must not import it, so the registry hands pki the
        # functions to call.
        from ggzy.credit.firms import register_entity_resolver
        from ggzy.pki.login import register_account_resolver, register_after_login

        from .selectors import entity_certificate_accounts, entity_of_user
        from .services_review import entity_verify_by_certificate

        register_account_resolver(entity_certificate_accounts)
        register_after_login(entity_verify_by_certificate)
        # likewise credit (below the registry) finds the firm a user acts for through this function
        register_entity_resolver(entity_of_user)
