"""Cheap robot checks, with no third-party service.

- a honeypot field people never see,
- a signed "form shown at" time: too fast means a script, too old means a stale page,
- a per-client rate limit kept in the shared cache (Redis or the database cache), so it
  holds across every gunicorn worker.

The client address is only ever used hashed, so it is not stored anywhere readable.
"""

import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from modsite.security import client_ip

logger = logging.getLogger(__name__)

SALT = "consultations.form-started"
HONEYPOT_FIELD = "website"
STARTED_FIELD = "form_started"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}

# Spam gets a calm, generic answer; a person caught by mistake learns what to do.
GENERIC_REFUSAL = gettext_lazy(
    "We could not send your request. Please try again, or call the clinic."
)


class SpamCheckFailed(Exception):
    """Raised with a message that is safe and useful to show the person."""


def make_token(submission_key, issued_at=None):
    """The signed time the page was shown, bound to that page's submission key.

    A token therefore serves one key only, and a key is stored at most once (it is unique
    on the stored request), so each token can bring in at most one request, with no
    extra store that a cache outage could lose.
    """
    issued_at = int(issued_at if issued_at is not None else time.time())
    return signing.dumps([issued_at, _key_text(submission_key)], salt=SALT)


def _key_text(submission_key):
    """One spelling per key (a re-shown page echoes it as the browser sent it)."""
    try:
        return str(uuid.UUID(str(submission_key)))
    except ValueError:
        return str(submission_key)


def check_token(token, submission_key, now=None):
    now = now if now is not None else time.time()
    try:
        issued_at, bound_key = signing.loads(token or "", salt=SALT)
        issued_at = int(issued_at)
    except (signing.BadSignature, TypeError, ValueError):
        raise SpamCheckFailed(GENERIC_REFUSAL) from None
    if bound_key != _key_text(submission_key):
        raise SpamCheckFailed(GENERIC_REFUSAL)
    age = now - issued_at
    if age < settings.CONSULTATION_MIN_SECONDS:
        raise SpamCheckFailed(
            _("That was very fast. Please check your details and press “Send request” again.")
        )
    if age > settings.CONSULTATION_FORM_MAX_AGE:
        raise SpamCheckFailed(
            _(
                "This page was open a long time. Please check your details "
                "and press “Send request” again."
            )
        )


def check_honeypot(value):
    if value:
        raise SpamCheckFailed(GENERIC_REFUSAL)


def parse_rate(value):
    """ "5/h" -> (5, 3600); "off" -> None."""
    text = (value or "").strip().lower()
    if text == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*([smhd])", text)
    if not match or int(match[1]) < 1:
        raise ImproperlyConfigured(
            f"CONSULTATION_RATE_LIMIT must look like 5/h (per s, m, h or d) or be off, "
            f"not {value!r}."
        )
    return int(match[1]), PERIODS[match[2]]


def _rate_key(request, window, now):
    """The client's key for the current window, e.g. the hour now under way."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode())
    return f"consultations:rate:{digest.hexdigest()[:32]}:{int(now // window)}"


def check_rate_limit(request):
    """Count a valid request against the client's allowance for the current window.

    The allowance is `limit` slots, each a cache key that add() takes atomically (an
    insert in the database cache, SET NX in Redis), so two workers never take the same
    one. (A counter with incr() would not do: the database cache's incr() is a read, then
    a write that also cuts the key's lifetime to the cache's default.)

    Only valid forms count, so a patient fixing typos is never locked out. A cache outage
    or a mistyped setting lets the request through: losing a patient's request is worse
    than a little spam.
    """
    try:
        rate = parse_rate(settings.CONSULTATION_RATE_LIMIT)
    except ImproperlyConfigured:
        logger.error("Rate limit skipped: CONSULTATION_RATE_LIMIT is mistyped.", exc_info=True)
        return
    if rate is None:
        return
    limit, window = rate
    key = _rate_key(request, window, time.time())
    try:
        slots = [f"{key}:{n}" for n in range(limit)]
        taken = cache.get_many(slots)
        # A slot seen free may be taken by another worker meanwhile: try the next.
        allowed = any(cache.add(slot, 1, timeout=window) for slot in slots if slot not in taken)
    except Exception:
        logger.warning("Rate limit skipped: the cache is not answering.", exc_info=True)
        return
    if not allowed:
        raise SpamCheckFailed(
            _(
                "We got several requests from your connection in a short time, so we did "
                "not save this one. Please call the clinic, or try again later."
            )
        )
