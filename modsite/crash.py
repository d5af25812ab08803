"""The last-resort guard: nothing raised while answering a request ends the worker.

Django turns every Exception into the 500 page, but not a BaseException that is not an
Exception, such as the PanicException a Rust extension (pyo3) raises when it panics. That
one would reach gunicorn: a sync worker answers its bare 500 without our headers and logs
the request line; a gthread worker dies. `GuardedWSGIHandler` (modsite.wsgi) answers it
with the site's own 500 page, with the same security headers and request id as any page,
and logs its type and where it came from, never the query string or its message (which
can quote what was typed). KeyboardInterrupt, SystemExit and GeneratorExit are how
Python stops a worker or a generator: they go on.
"""

import logging
import traceback

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponseServerError
from django.urls import get_resolver, get_urlconf
from django.utils import translation
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

STOPPING = (KeyboardInterrupt, SystemExit, GeneratorExit)
# The middleware in settings.MIDDLEWARE that put the security headers and the request id
# on every answer, outermost first: the crash page goes through them too.
HEADER_MIDDLEWARE = [
    "modsite.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "modsite.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]


def is_crash(error):
    """Raised, not an Exception, and not one of the ways Python stops."""
    return not isinstance(error, (Exception, *STOPPING))


def _where(error):
    """file:line in function, of the innermost Python frame it passed through."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "unknown"
    frame = frames[-1]
    return f"{frame.filename}:{frame.lineno} in {frame.name}"


def error_page(request):
    """The site's 500 page (handler500), in the language of the address."""
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        return get_resolver(get_urlconf()).resolve_error_handler(500)(request)


def header_chain(page):
    """`page` wrapped in HEADER_MIDDLEWARE, as the full chain would wrap a view."""
    handler = page
    for path in reversed(HEADER_MIDDLEWARE):
        handler = import_string(path)(handler)
    return handler


class GuardedWSGIHandler(WSGIHandler):
    def load_middleware(self, is_async=False):
        super().load_middleware(is_async)
        self._crash_chain = header_chain(self._crash_page)

    def get_response(self, request):
        try:
            return super().get_response(request)
        except BaseException as error:
            if not is_crash(error):
                raise
            return self.crash_response(request, error)

    def crash_response(self, request, error):
        request.crash = error
        # The 500 carries the id the failed request's own log lines already have.
        if getattr(request, "request_id", None):
            request.META["HTTP_X_REQUEST_ID"] = request.request_id
        try:
            response = self._crash_chain(request)
        except STOPPING:
            raise
        except BaseException as second:
            logger.error("The error page failed too (%s)", type(second).__name__)
            response = HttpResponseServerError("Server error", content_type="text/plain")
        response._resource_closers.append(request.close)
        return response

    @staticmethod
    def _crash_page(request):
        error = request.crash
        # Logged here, inside RequestIdMiddleware, so the line carries the request id.
        logger.error(
            "A request ended in %s, which is not an Exception, raised at %s",
            type(error).__name__,
            _where(error),
            extra={"request": request, "status_code": 500},
        )
        return error_page(request)
