from django.utils import translation

from core.web import is_api


class ApiEnglishMiddleware:
    """The API speaks English (the screens speak Japanese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            translation.activate("en")
            request.LANGUAGE_CODE = "en"
        return self.get_response(request)
