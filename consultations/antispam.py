"""Cheap robot checks, with no third-party service.

- a honeypot field people never see,
- a signed "form shown at" time: too fast means a script, too old means a stale page,
- a per-client rate limit kept in the shared cache (Redis or the database cache), so it
  holds across every gunicorn worker.

The client address is only ever used hashed, so it is not stored anywhere readable.
The signed time and the rate limit are the generic ones of staff.antispam; this module
adds the honeypot and phrases the refusals for the request form.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from staff import antispam as generic

SALT = "consultations.form-started"
HONEYPOT_FIELD = "website"
STARTED_FIELD = "form_started"
RATE_SCOPE = "consultations"

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
    return generic.make_token(SALT, submission_key, issued_at=issued_at)


def check_token(token, submission_key, now=None):
    problem = generic.token_problem(
        SALT,
        token,
        submission_key,
        settings.CONSULTATION_MIN_SECONDS,
        settings.CONSULTATION_FORM_MAX_AGE,
        now=now,
    )
    if problem == generic.TOO_FAST:
        raise SpamCheckFailed(
            _("That was very fast. Please check your details and press “Send request” again.")
        )
    if problem == generic.TOO_OLD:
        raise SpamCheckFailed(
            _(
                "This page was open a long time. Please check your details "
                "and press “Send request” again."
            )
        )
    if problem is not None:
        raise SpamCheckFailed(GENERIC_REFUSAL)


def check_honeypot(value):
    if value:
        raise SpamCheckFailed(GENERIC_REFUSAL)


def parse_rate(value):
    """ "5/h" -> (5, 3600); "off" -> None; mistyped: ImproperlyConfigured (the start-up
    check fails loudly on it)."""
    try:
        return generic.parse_rate(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"CONSULTATION_RATE_LIMIT: {error}.") from None


def _rate_key(request, window, now):
    """The client's key for the current window, e.g. the hour now under way."""
    return generic.rate_key(request, RATE_SCOPE, window, now)


def check_rate_limit(request):
    """Count a valid request against the client's allowance for the current window.

    Only valid forms count, so a patient fixing typos is never locked out. A cache outage
    or a mistyped setting lets the request through (staff.antispam.within_rate): losing a
    patient's request is worse than a little spam.
    """
    allowed = generic.within_rate(
        request,
        RATE_SCOPE,
        settings.CONSULTATION_RATE_LIMIT,
        setting_name="CONSULTATION_RATE_LIMIT",
    )
    if not allowed:
        raise SpamCheckFailed(
            _(
                "We got several requests from your connection in a short time, so we did "
                "not save this one. Please call the clinic, or try again later."
            )
        )
