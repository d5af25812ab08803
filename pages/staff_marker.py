"""The staff marker: how patient pages know a signed-in staff member, with no database.

Staff sessions live on the admin's path only (SESSION_COOKIE_PATH), so a staff member's
browser does not send its session with patient pages. The admin's answers therefore give
a signed-in staff member a second cookie for the whole site, signed with SECRET_KEY and
dated: a browser that sends a valid one is not counted in the visit counts and gets fresh
pages rather than kept ones. A made-up or expired value is worth nothing (before, any
value skipped the page cache and the counting). It carries no identifier ("1", a date and
the signature), is HttpOnly, ends after the session's idle time unless the admin renews
it, and is removed on sign-out. Patients never receive it.
"""

from django.conf import settings

STAFF_COOKIE = "modsite_staff"
_SALT = "pages.staff-marker"
_VALUE = "1"


def is_signed_in_staff(request):
    """Whether the browser sends a valid marker (checked by its signature: no query)."""
    if STAFF_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        STAFF_COOKIE, default=None, salt=_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    return value == _VALUE


def mark(response):
    response.set_signed_cookie(
        STAFF_COOKIE,
        _VALUE,
        salt=_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        path="/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def unmark(response):
    response.delete_cookie(STAFF_COOKIE, path="/", samesite="Lax")
