"""Local development: DEBUG on, mail printed to the console."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

DEBUG = True
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Edits to templates show at once; set PAGE_CACHE_SECONDS to try the page cache.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 0)
# Password-only staff sign-in unless asked for; production requires the second factor.
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", False)
WHITENOISE_AUTOREFRESH = True
# No backups are made here: /healthz does not ask about them unless told to.
BACKUP_MAX_AGE_HOURS = env_int("BACKUP_MAX_AGE_HOURS", 0)
