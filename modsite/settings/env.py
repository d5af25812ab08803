"""Small helpers to read typed settings from the environment."""

import ipaddress
import os

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"Set the {name} environment variable.")
        return default
    return value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name, default=()):
    value = os.environ.get(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_networks(name, default=()):
    """Comma-separated addresses or ranges ("10.0.0.0/8, ::1"), checked and normalised;
    "none" for an empty list. A value that is not an address stops start-up."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
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
