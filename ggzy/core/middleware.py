"""Turns a ``LoginRequired`` raised by a page's permission rule into a redirect to the login page."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

from .permissions import LoginRequired


def login_redirect(request):
    """The redirect to the login page; a ``?lang=`` choice of the page asked for is kept on the login page too."""
    from django.conf import settings
    from django.http import QueryDict

    login_url = settings.LOGIN_URL
    language = request.GET.get("lang")
    if language in dict(settings.LANGUAGES):
        query = QueryDict(mutable=True)
        query["lang"] = language
        login_url = f"{resolve_url(login_url)}?{query.urlencode()}"
    return redirect_to_login(request.get_full_path(), login_url=login_url)


class LoginRequiredMiddleware:
    """Pages redirect anonymous users to the login page; other denials stay 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, LoginRequired) and not request.path.startswith("/api/"):
            return login_redirect(request)
        return None


class ChineseFirstLocaleMiddleware:
    """Chinese unless the user chose English (language cookie or ?lang=en); the browser's header is ignored.

    Government staff often work on browsers set to English; the platform's language is Chinese by default.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        choice = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = choice if choice in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
