"""Values every page template needs."""

from django.conf import settings
from django.utils.translation import gettext, gettext_noop

# The default platform name, marked for translation (an installation that renames the platform adds its own).
gettext_noop("山东省公共资源交易平台")


def platform(request):
    # Translated on pages only; signed texts (the certificate login challenge) read the setting itself.
    return {"platform_name": gettext(settings.GGZY_PLATFORM_NAME)}
