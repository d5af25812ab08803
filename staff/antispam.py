"""Generic robot checks any patient form can use, with no third-party service: a signed
"form shown at" time bound to the form's submission key, and a per-client rate limit kept
in the shared cache (so it holds across every worker). The client address is only ever
used hashed. Each app phrases its own refusals (the reasons are codes here)."""

import hashlib
import logging
import re
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from modsite.security import client_ip

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
INVALID, TOO_FAST, TOO_OLD = "invalid", "too_fast", "too_old"


def _key_text(submission_key):
    try:
        return str(uuid.UUID(str(submission_key)))
    except ValueError:
        return str(submission_key)


def make_token(salt, submission_key, issued_at=None):
    """The signed time a form was shown, bound to its submission key."""
    issued_at = int(issued_at if issued_at is not None else time.time())
    return signing.dumps([issued_at, _key_text(submission_key)], salt=salt)


def token_problem(salt, token, submission_key, min_seconds, max_age, now=None):
    """None when the token is good; else INVALID, TOO_FAST or TOO_OLD."""
    now = now if now is not None else time.time()
    try:
        issued_at, bound_key = signing.loads(token or "", salt=salt)
        issued_at = int(issued_at)
    except (signing.BadSignature, TypeError, ValueError):
        return INVALID
    if bound_key != _key_text(submission_key):
        return INVALID
    if now - issued_at < min_seconds:
        return TOO_FAST
    if now - issued_at > max_age:
        return TOO_OLD
    return None


def parse_rate(value):
    """ "5/h" -> (5, 3600); "off" -> None; anything else ValueError."""
    text = (value or "").strip().lower()
    if text == "off":
        return None
    match = re.fullmatch(r"(\d+)\s*/\s*([smhd])", text)
    if not match or int(match[1]) < 1:
        raise ValueError(f"a rate must look like 5/h (per s, m, h or d) or be off, not {value!r}")
    return int(match[1]), PERIODS[match[2]]


def rate_key(request, scope, window, now):
    """The client's cache key for `scope` in the current window (e.g. the hour under way);
    the address only hashed, with the site's secret."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{client_ip(request)}".encode()).hexdigest()
    return f"{scope}:rate:{digest[:32]}:{int(now // window)}"


def within_rate(request, scope, rate_text, setting_name="its setting"):
    """Take one of the client's `rate_text` allowance (e.g. "10/h") for `scope`; False
    when none is left. Each allowance unit is a cache key add() takes atomically, so two
    workers never take the same one. A cache outage or a mistyped rate lets the request
    through (logged): shutting patients out is worse than a little abuse."""
    try:
        rate = parse_rate(rate_text)
    except ValueError:
        logger.error("Rate limit %s skipped: %s is mistyped.", scope, setting_name)
        return True
    if rate is None:
        return True
    limit, window = rate
    key = rate_key(request, scope, window, time.time())
    try:
        slots = [f"{key}:{n}" for n in range(limit)]
        taken = cache.get_many(slots)
        # A slot seen free may be taken by another worker meanwhile: try the next. (A
        # counter with incr() would not do: the database cache's incr() is a read, then a
        # write that also cuts the key's lifetime to the cache's default.)
        return any(cache.add(slot, 1, timeout=window) for slot in slots if slot not in taken)
    except Exception:
        logger.warning("Rate limit %s skipped: the cache is not answering.", scope, exc_info=True)
        return True
