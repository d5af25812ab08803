"""/healthz: for load balancers and uptime checks, site-wide (not a patient page). The
database and the shared cache must answer; settings.HEALTH_CHECKS adds checks that warn
(the backups' age) without taking the site out of the load balancer."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views import View

logger = logging.getLogger(__name__)

HEALTH_KEY = "healthz:probe"


class HealthView(View):
    """For load balancers and uptime checks: 200 when the database and the shared cache
    both answer, 503 naming the part that does not. The cache counts as much as the
    database: without it every patient page renders uncached and the form's rate limit
    is skipped (e.g. a database cache whose table was never created)."""

    def get(self, request):
        parts = {"database": database_answers(), "cache": cache_answers()}
        healthy = all(parts.values())
        body = {"status": "ok" if healthy else "error"}
        body.update({part: "ok" if up else "unavailable" for part, up in parts.items()})
        if not extra_checks_pass(body) and healthy:
            body["status"] = "warning"  # alert ops, but stay in the load balancer
        return JsonResponse(body, status=200 if healthy else 503)


def extra_checks_pass(body):
    """Run settings.HEALTH_CHECKS (each returns (ok, fields)) into `body`; False when one
    is not ok or fails itself (named in the body, never an error page)."""
    passed = True
    for path in settings.HEALTH_CHECKS:
        try:
            ok, fields = import_string(path)()
        except Exception as error:  # a check's own failure is a warning, not a 500
            logger.warning("Health check %s failed (%s).", path, type(error).__name__)
            ok, fields = False, {path.rsplit(".", 1)[-1]: "unavailable"}
        passed = passed and ok
        body.update(fields)
    return passed


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def cache_answers():
    """A read, and while the probe is missing (once a minute) a write and a read back: a
    cache that only reads (or only fails) is not working. Not a write per check: uptime
    checkers and load balancers ask every few seconds."""
    try:
        if cache.get(HEALTH_KEY) is not None:
            return True
        cache.add(HEALTH_KEY, uuid.uuid4().hex, timeout=60)
        return cache.get(HEALTH_KEY) is not None
    except Exception as error:  # each backend fails its own way (Redis, database, ...)
        logger.warning("Health check: the cache is not answering (%s).", type(error).__name__)
        return False
