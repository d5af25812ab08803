"""Site-wide middleware: proxy headers believed only from our proxies, a request id for the
logs, HEAD answers without a body, the Permissions-Policy header, a limit on what the
public pages accept as a request body, and the page language from the URL."""

import re
import uuid

from django.conf import settings
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import logs, security

# An id from our own proxy is kept so its logs and ours line up; anything else (longer, other
# characters, a line break) is replaced. fullmatch: "$" alone lets a trailing newline by.
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class ProxySchemeMiddleware:
    """Believe the proxy's "this came over https" header (SECURE_PROXY_SSL_HEADER) only on
    a connection from TRUSTED_PROXIES, as X-Forwarded-For is. Django believes it from
    anyone: a caller that reaches the server directly over plain http could claim https,
    skip the redirect to https and be served as if its connection were private. First in
    MIDDLEWARE, before anything asks request.is_secure()."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        header = settings.SECURE_PROXY_SSL_HEADER
        if header and header[0] in request.META and not security.from_trusted_proxy(request):
            del request.META[header[0]]
        return self.get_response(request)


class RequestIdMiddleware:
    """Give each request an id, put it on every log line and in the X-Request-ID header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        with logs.request_context(request_id, request):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class HeadWithoutBodyMiddleware:
    """Answer HEAD with GET's headers (its Content-Length included) and no body. Views
    render HEAD as GET, and the page cache keeps that page; gunicorn would drop the body
    itself, logging a warning for every HEAD (uptime checkers send one a minute)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "HEAD" and not response.streaming and response.content:
            length = response.get("Content-Length") or str(len(response.content))
            response.content = b""
            response["Content-Length"] = length
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


# The largest body the public pages take: the consultation form filled to every limit
# with 3-byte characters, percent-encoded (about 12.5 KB), plus a few KB to spare.
PUBLIC_BODY_MAX_BYTES = 16 * 1024


class PublicBodyLimitMiddleware:
    """Refuse file uploads and oversized bodies from anyone but signed-in staff, from the
    headers alone, before anything reads the body. No public form takes a file, and the
    admin's sign-in form is small, so without this a robot could make a worker parse a
    40 MB upload and spool it to disk (CSRF's 403 comes only after the parse), and only
    then be refused. Staff (location photos) are left to Django's own limits.

    Placed after the session and authentication middleware, to know who is signed in, but
    still before any view or CSRF's check reads request.POST. Public pages never get the
    session cookie (SESSION_COOKIE_PATH), so for them that costs no database query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_signed_in_staff(request):
            refusal = self.refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def refusal(self, request):
        content_type = request.META.get("CONTENT_TYPE", "").strip().lower()
        if content_type.startswith("multipart/"):
            return self.refuse(
                request,
                415,
                _("We could not read this form"),
                _("Our forms take typed answers only, not files or pictures."),
            )
        if length_unknown_or_over_cap(request.META):
            return self.refuse(
                request,
                413,
                _("We could not read this form"),
                _("What was sent was much bigger than our form can take."),
            )
        return None

    def refuse(self, request, status, heading, explanation):
        context = {
            "heading": heading,
            "explanation": explanation,
            "next_step": _(
                "Please go back, check your answers and send the form again. Or call the clinic."
            ),
        }
        # No request context: nothing here may depend on the request (its Host) or the database.
        # This runs before the language is set: the address says which one (/es/...).
        language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
        with translation.override(language):
            html = render_to_string("request_refused.html", context)
        return HttpResponse(html, status=status)


def is_signed_in_staff(request):
    """Signed in to the admin, as the admin itself decides (active staff, with the second
    factor when STAFF_REQUIRE_2FA is on)."""
    from django.contrib import admin

    return hasattr(request, "user") and admin.site.has_permission(request)


def length_unknown_or_over_cap(meta):
    """A declared length over the cap, or a body sent in chunks with no length at all: its
    size is known only by reading it, and browsers always declare a form's length."""
    declared = meta.get("CONTENT_LENGTH")
    if not declared:
        return "HTTP_TRANSFER_ENCODING" in meta
    try:
        return int(declared) > PUBLIC_BODY_MAX_BYTES
    except ValueError:
        return False  # Django reads no body at all then


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
