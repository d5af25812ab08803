"""Site-wide middleware: a request id for the logs, the Permissions-Policy header, and the
page language from the URL."""

import re
import uuid

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from . import logs

# An id from our own proxy is kept so its logs and ours line up; anything odd is replaced.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give each request an id, put it on every log line and in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        with logs.request_context(request_id, request):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class PermissionsPolicyMiddleware:
    """Tell browsers this site never uses the camera, microphone, location and the like,
    so injected or third-party code could not either."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


class UrlLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language taken from the URL only.

    With prefix_default_language=False, Django already ignores the cookie and the
    Accept-Language header for unprefixed (English) paths and never redirects. It still
    marks those responses "Vary: Accept-Language", which would make shared caches keep a
    copy per browser language of pages that never vary: dropped here.
    """

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
