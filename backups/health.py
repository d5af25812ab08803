"""/healthz's backup check: is the last successful backup older than BACKUP_MAX_AGE_HOURS?

The time is read from the marker `manage.py backup` writes next to the backups (a file:
it survives restarts and every worker reads the same one). A stale backup makes /healthz
answer "status": "warning" with 200, not 503: ops must hear about it, but the site itself
still works and must stay in the load balancer.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings

from . import archive


def backup_age():
    """(ok, fields for /healthz). Nothing is reported while the check is off."""
    hours = settings.BACKUP_MAX_AGE_HOURS
    if not hours:
        return True, {}
    finished = archive.last_success(settings.BACKUP_DIR)
    if finished is None:
        return False, {"backup": "missing"}
    fields = {"last_backup_at": finished.isoformat()}
    if datetime.now(UTC) - finished > timedelta(hours=hours):
        return False, {"backup": "stale", **fields}
    return True, {"backup": "ok", **fields}
