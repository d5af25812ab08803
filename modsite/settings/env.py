"""The one set of helpers that read typed settings from the environment.

Two rules, the same for every variable (.env.example lists them all):
- unset, empty or only spaces means the default: `STAFF_REQUIRE_2FA=` keeps two-factor
  sign-in on, it never reads as "false";
- a value that cannot be read stops start-up with ImproperlyConfigured naming the
  variable, never a quiet fallback that could switch a protection off.
"""

import ipaddress
import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
# TRUSTED_PROXIES when unset: a proxy on the same machine. Read by the settings and by
# gunicorn.conf.py, so Django and gunicorn trust the same proxies.
DEFAULT_TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")
FALSE = {"0", "false", "no", "off"}


def _raw(name):
    """The variable's value, or None when it is unset or blank (the default applies)."""
    value = os.environ.get(name)
    if value is None or not value.strip():
        return None
    return value


def _bad(name, expected, value=None):
    """The start-up error; URLs are never echoed (they may hold a password)."""
    shown = "" if value is None else f", not {value!r}"
    return ImproperlyConfigured(f"The {name} environment variable must be {expected}{shown}.")


def env_str(name, default=None, *, required=False):
    value = _raw(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    value = _raw(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise _bad(name, "true or false", value)


def env_int(name, default, *, minimum=0):
    """A whole number, `minimum` or more (every count and duration here is never negative:
    SECURE_HSTS_SECONDS=-1 would quietly send a header browsers ignore)."""
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise _bad(name, f"a whole number, {minimum} or more", value)
    return number


def env_choice(name, default, choices):
    """One of `choices`, matched without regard to case (returned as in `choices`)."""
    value = _raw(name)
    if value is None:
        return default
    by_key = {choice.lower(): choice for choice in choices}
    try:
        return by_key[value.strip().lower()]
    except KeyError:
        raise _bad(name, "one of " + ", ".join(choices), value) from None


def env_url(name, default="", *, schemes, required=False):
    """An absolute URL with one of `schemes` and a host (or a unix socket path)."""
    value = _raw(name)
    if value is None:
        if required:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    value = value.strip()
    try:
        parts = urlsplit(value)
        valid = parts.scheme in schemes and (parts.hostname or parts.scheme == "unix")
    except ValueError:
        valid = False
    if not valid:
        raise _bad(name, "a URL starting with " + " or ".join(f"{s}://" for s in schemes))
    return value


def env_parsed(name, default, parse, expected):
    """parse(value or default); a ValueError from `parse` names the variable (the value is
    not echoed: it may be a URL with a password)."""
    value = _raw(name)
    try:
        return parse(default if value is None else value.strip())
    except ValueError as error:
        raise _bad(name, expected) from error


def use_settings_module(default):
    """For manage.py, wsgi.py and asgi.py: DJANGO_SETTINGS_MODULE, or `default` when it is
    unset or empty (Django itself would stop on an empty one)."""
    if _raw("DJANGO_SETTINGS_MODULE") is None:
        os.environ["DJANGO_SETTINGS_MODULE"] = default


def env_list(name, default=()):
    """Comma-separated values, e.g. ALLOWED_HOSTS=www.example.com,example.com."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name, default=()):
    """Comma-separated addresses or ranges ("10.0.0.0/8, ::1"), checked and normalised;
    "none" for an empty list. A value that is not an address stops start-up."""
    value = _raw(name)
    if value is None:
        items = list(default)
    elif value.strip().lower() == "none":
        return []
    else:
        items = [item.strip() for item in value.split(",") if item.strip()]
    try:
        return [str(ipaddress.ip_network(item, strict=False)) for item in items]
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must list addresses or ranges like 10.0.0.0/8 or ::1, "
            f"separated by commas (or be none), not {value!r}."
        ) from None
