"""Turns a ``LoginRequired`` raised by a page's permission rule into a redirect to the login page."""

from django.contrib.auth.views import redirect_to_login

from .permissions import LoginRequired


class LoginRequiredMiddleware:
    """Pages redirect anonymous users to the login page; other denials stay 403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, LoginRequired) and not request.path.startswith("/api/"):
            return redirect_to_login(request.get_full_path())
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
