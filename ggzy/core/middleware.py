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
