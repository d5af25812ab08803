"""What the site can still tell patients when its database is down.

Clinic phone numbers are copied to the cache (and this process's memory) whenever staff
save a location, so the "we're having trouble" page can still say whom to call. Each
process also keeps the numbers the home page last showed: without Redis the cache lives in
the very database that is down, and a restarted worker has not seen a location saved.
"""

import logging
import sys

from django.core.cache import cache
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

CONTACTS_KEY = "pages:clinic-phones"
_last_known = []


def remember_clinic_phones(locations, *, shared=True):
    """Keep the clinics' phone numbers in this process, and (shared) in the cache."""
    global _last_known  # the copy this process shows when the cache is down too
    phones = [
        {"name": loc.name, "phone": loc.phone, "display": loc.phone_display}
        for loc in locations
        if loc.phone
    ]
    _last_known = phones
    if not shared:
        return
    try:
        cache.set(CONTACTS_KEY, phones, timeout=None)
    except Exception:
        logger.warning("Could not store clinic phone numbers in the cache", exc_info=True)


def known_clinic_phones():
    try:
        phones = cache.get(CONTACTS_KEY)
    except Exception:  # the cache may live in the same, unavailable, database
        phones = None
    return _last_known if phones is None else phones


def is_database_outage(exc):
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request, template_name="500.html"):
    """handler500: a database outage gets a calm 503 page that needs no database."""
    exc = sys.exc_info()[1]
    if not is_database_outage(exc):
        return default_server_error(request, template_name)
    html = loader.get_template("503.html").render(
        {"clinic_phones": known_clinic_phones(), "is_post": request.method == "POST"}
    )
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "120"
    return response
