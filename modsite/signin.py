"""Staff sign-in and sessions: how long a signed-in session may last.

Idle sessions end by Django's own settings (SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST: 15 minutes without a request). Each request restarts that
clock, so a session in steady use (or a stolen cookie kept warm by a script) would never
end; SESSION_MAX_SECONDS caps it counted from the sign-in itself.
"""

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone

# When the session's owner signed in, as a Unix time (sessions are stored as JSON).
SIGNED_IN_AT = "modsite_signed_in_at"


def remember_sign_in_time(sender, request, user, **kwargs):
    """user_logged_in receiver: login() has already given the session a new key."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(timezone.now().timestamp())


def session_outlived(session):
    """Whether a signed-in session is older than SESSION_MAX_SECONDS. One with no sign-in
    time was made before the limit existed: its age is unknown, so it has outlived it."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if not isinstance(signed_in_at, int):
        return True
    return timezone.now().timestamp() - signed_in_at >= settings.SESSION_MAX_SECONDS


class SessionLifetimeMiddleware:
    """Signs out a session that has outlived SESSION_MAX_SECONDS, before any view sees
    it: the admin then answers as to anyone signed out (its sign-in page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and session_outlived(request.session):
            logout(request)
        return self.get_response(request)
