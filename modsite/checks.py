"""System checks for settings a clinic's deployment must not leave at their defaults.

`manage.py check --deploy` (see README, "Deploying") reports them next to Django's own.
"""

import os

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


@register(Tags.security, deploy=True)
def check_staff_site(app_configs, **kwargs):
    problems = []
    if settings.ADMIN_URL == "admin/":
        problems.append(
            Warning(
                "The staff admin answers at the default /admin/ path, which robots try first.",
                hint="Set ADMIN_URL to a path of your own, e.g. staff-3f9c/.",
                id="modsite.W001",
            )
        )
    if not settings.STAFF_REQUIRE_2FA:
        problems.append(
            Warning(
                "Staff can sign in to the admin, which holds patients' requests, with a "
                "password alone.",
                hint="Leave STAFF_REQUIRE_2FA on and enrol each person with enrol_totp.",
                id="modsite.W002",
            )
        )
    if not settings.SITE_URL:
        problems.append(
            Warning(
                "SITE_URL is empty: staff e-mails about new requests carry a link with no "
                "address, and canonical links follow whatever host was asked for.",
                hint="Set SITE_URL to the site's public origin, e.g. https://www.example.com.",
                id="modsite.W003",
            )
        )
    return problems


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    from modsite.security import trusted_proxies

    problems = []
    if os.environ.get("TRUSTED_PROXY_COUNT"):
        problems.append(
            Warning(
                "TRUSTED_PROXY_COUNT is no longer read: X-Forwarded-For is believed only "
                "from the addresses in TRUSTED_PROXIES (loopback unless set).",
                hint="Set TRUSTED_PROXIES to your proxy's address or range, e.g. "
                "10.0.0.0/8, and remove TRUSTED_PROXY_COUNT.",
                id="modsite.W004",
            )
        )
    try:
        everyone = [str(net) for net in trusted_proxies() if net.prefixlen == 0]
    except ImproperlyConfigured:
        everyone = []  # reported by check_client_address_settings
    if everyone:
        problems.append(
            Warning(
                f"TRUSTED_PROXIES includes {', '.join(everyone)}: any caller who reaches the "
                "site can choose the address the rate limit and the sign-in lockout see.",
                hint="List only your proxies' addresses or ranges.",
                id="modsite.W005",
            )
        )
    return problems


@register(Tags.translation, deploy=True)
def check_compiled_translations(app_configs, **kwargs):
    """Errors, not warnings: a deploy with an uncompiled language serves English under its
    address (/es/), which patients who read only Spanish cannot use."""
    from modsite.translations import COMPILE_HINT, catalogue_problems

    return [
        Error(problem, hint=COMPILE_HINT, id="modsite.E003") for problem in catalogue_problems()
    ]


def refuse_to_serve_untranslated():
    """For the WSGI/ASGI entry points: gunicorn runs no system checks, so an uncompiled
    language would otherwise go live silently. (Not in AppConfig.ready: compilemessages
    itself must run under the production settings.)"""
    from modsite.translations import COMPILE_HINT, catalogue_problems

    problems = catalogue_problems()
    if problems:
        raise ImproperlyConfigured(" ".join([*problems, COMPILE_HINT]))


@register()
def check_client_address_settings(app_configs, **kwargs):
    from modsite.security import trusted_proxies

    try:
        trusted_proxies()
    except ImproperlyConfigured as error:
        return [Error(str(error), id="modsite.E002")]
    return []


@register()
def check_consultation_settings(app_configs, **kwargs):
    from consultations.antispam import parse_rate

    try:
        parse_rate(settings.CONSULTATION_RATE_LIMIT)
    except ImproperlyConfigured as error:
        return [Error(str(error), id="modsite.E001")]
    return []
