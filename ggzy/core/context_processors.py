"""Values every page template needs."""

from django.conf import settings


def platform(request):
    return {"platform_name": settings.GGZY_PLATFORM_NAME}
