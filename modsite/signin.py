"""Staff sign-in and sessions: how long a signed-in session may last, and what repeated
failed sign-ins do (below).

Idle sessions end by Django's own settings (SESSION_COOKIE_AGE with
SESSION_SAVE_EVERY_REQUEST: 15 minutes without a request). Each request restarts that
clock, so a session in steady use (or a stolen cookie kept warm by a script) would never
end; SESSION_MAX_SECONDS caps it counted from the sign-in itself.
"""

import math
from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials, get_failure_limit
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import logout
from django.db.models import Max, Sum
from django.template.response import TemplateResponse
from django.utils import timezone

from .security import client_ip

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


# --- Failed sign-ins ----------------------------------------------------------------------
#
# Three rules, so that knowing a username is not enough to lock its owner out:
# - one username at one address: AXES_FAILURE_LIMIT (5) failures pause sign-in there for
#   AXES_COOLOFF_TIME (30 minutes): someone guessing one account from one place;
# - one address, whatever usernames it tries: AXES_ADDRESS_FAILURE_LIMIT (20) failures
#   pause it: one place trying many accounts. Higher than the first, so that one person
#   mistyping does not lock out colleagues behind the clinic's shared address;
# - one username from many addresses is never locked (anyone could then lock anyone out):
#   from AXES_FAILURE_LIMIT failures on, an address that has not signed in to that account
#   before must wait before its next try: 1 s after the last failure, doubling with each
#   further failure, at most SIGN_IN_SLOWDOWN_MAX_SECONDS (60 s). A try made too soon gets
#   "wait N seconds" (429, Retry-After) without its password being checked or counted,
#   so many addresses together still get one guess per wait. Addresses the owner has
#   signed in from (with the second factor) in the last KNOWN_ADDRESS_DAYS are not slowed.

KNOWN_ADDRESS_DAYS = 90


def _failures(attempts):
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInHandler(AxesDatabaseHandler):
    """django-axes' database handler with two limits (AXES_HANDLER): axes compares one
    number with AXES_FAILURE_LIMIT, so the address's failures count as that limit once
    they reach the address's own, higher one."""

    def get_failures(self, request, credentials=None):
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        at_address = recent.filter(ip_address=request.axes_ip_address)
        username = get_client_username(request, credentials)
        pair = _failures(at_address.filter(username=username))
        if _failures(at_address) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(pair, get_failure_limit(request, credentials))
        return pair


def slowdown_seconds(request, username):
    """Seconds this address must still wait before trying `username` (0: go ahead)."""
    if not settings.AXES_ENABLED or not username:
        return 0
    now = timezone.now()
    failures = AccessAttempt.objects.filter(
        username=username, attempt_time__gte=now - get_cool_off(request)
    ).aggregate(total=Sum("failures_since_start"), last=Max("attempt_time"))
    beyond = (failures["total"] or 0) - settings.AXES_FAILURE_LIMIT
    if beyond < 0 or _known_address(username, client_ip(request), now):
        return 0
    if AxesProxyHandler.is_locked(request, get_credentials(username)):
        return 0  # paused here anyway: axes answers with its own page (30 minutes)
    delay = min(2**beyond, settings.SIGN_IN_SLOWDOWN_MAX_SECONDS)
    left = (failures["last"] + timedelta(seconds=delay) - now).total_seconds()
    return max(0, math.ceil(left))


def _known_address(username, address, now):
    """Whether this account signed in from this address lately (axes' log of sign-ins,
    which records the same address key, the /64 for IPv6)."""
    since = now - timedelta(days=KNOWN_ADDRESS_DAYS)
    return AccessLog.objects.filter(
        username=username, ip_address=address, attempt_time__gte=since
    ).exists()


def slowdown_response(request, seconds):
    response = TemplateResponse(request, "staff/slowdown.html", {"seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response
