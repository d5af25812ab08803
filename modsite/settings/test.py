"""Test runs: fast hashing, mail kept in memory, a private cache per run."""

from .base import *  # noqa: F403
from .base import REDIS_URL
from .env import env_int

SECRET_KEY = "test-only-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests sign staff in with force_login/login(); the tests in tests/security turn these on.
# (django-axes refuses client.login(), which passes no request.)
STAFF_REQUIRE_2FA = False
AXES_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_AUTOREFRESH = True
# Tests clear the cache between them; workers must see that at once.
PAGE_CACHE_RECHECK_SECONDS = 0
# No background thread and no flush at exit (it would outlive the test database): tests
# call pages.visits.flush().
VISIT_FLUSH_AUTOMATICALLY = False
# No backups are made here: /healthz does not ask about them unless told to.
BACKUP_MAX_AGE_HOURS = env_int("BACKUP_MAX_AGE_HOURS", 0)
