"""System checks for deployments (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def secrets_key_present(app_configs, **kwargs):
    """Production does not create the secrets key on its own; without the file no staff member can sign in."""
    from . import secrets

    if getattr(settings, "GGZY_SECRETS_KEY_CREATE", True):
        return []
    path = secrets.key_file()
    if path.is_file():
        return []
    return [Error(f"缺少数据库机密加密密钥文件 {path}", hint="运行 manage.py secrets_key_create，并在数据库之外备份该文件。",
                  id="ggzy.E001")]
