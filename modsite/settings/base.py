"""Settings shared by every environment. Each value can be set from the environment;
.env.example documents every variable."""

from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
import dj_database_url

from .env import (
    DEFAULT_TRUSTED_PROXIES,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_networks,
    env_parsed,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "modsite.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "modsite.apps.ModsiteConfig",
    "pages",
    "staff",
    "consultations",
    "appointments",
    "backups",
]

MIDDLEWARE = [
    # X-Forwarded-Proto from our own proxies only (TRUSTED_PROXIES), before anything reads it.
    "modsite.middleware.ProxySchemeMiddleware",
    "modsite.middleware.RequestIdMiddleware",
    # Above the page cache, which keeps (and serves HEAD from) whole GET pages.
    "modsite.middleware.HeadWithoutBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "modsite.middleware.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages go out gzipped to browsers that ask (a patient's phone fetches a quarter of the
    # bytes). Below WhiteNoise, which sends its own pre-compressed files and images untouched;
    # above the page cache, so kept pages are compressed too. Django pads each compressed
    # body by a random length, its guard against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    # Counts patients' views of patient pages, kept ones included (pages/visits.py).
    "pages.visits.VisitCounterMiddleware",
    # Kept patient pages are served from here, before sessions, CSRF and the database.
    "pages.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language comes from the URL alone (/es/...), never a cookie or Accept-Language.
    "modsite.middleware.UrlLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Signs staff out SESSION_MAX_SECONDS after they signed in, however active.
    "modsite.signin.SessionLifetimeMiddleware",
    # Before anything reads a request body (CSRF, forms): only signed-in staff may send
    # more than a small form (modsite/middleware.py). Needs to know who is signed in.
    "modsite.middleware.PublicBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "modsite.urls"
WSGI_APPLICATION = "modsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.site",
            ],
            # `|isolate` for staff-typed text on patient pages (pages/templatetags/isolate.py).
            "builtins": ["pages.templatetags.isolate"],
        },
    },
]

# SQLite by default so the site runs with no server; set DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": env_parsed(
        "DATABASE_URL",
        f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        lambda url: dj_database_url.parse(
            url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        ),
        "a database URL such as postgres://user:password@host:5432/name",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at the start of a transaction, so concurrent writers
    # wait (up to the timeout, in seconds) instead of failing with "database is locked"
    # halfway through. WAL, so readers never wait for the writer: modsite/sqlite.py.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A booking index carries the row id as a non-key column for PostgreSQL's index-only counts
# (appointments.models.Booking.Meta). SQLite leaves that part out, as intended: its indexes
# hold the row id already. Only that warning is silenced.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Redis when REDIS_URL is set (shared by every gunicorn worker), the database otherwise.
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss", "unix"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "modsite.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "modsite"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "django_cache",  # created by `migrate` (modsite/cache.py)
            # Django's default of 300 rows would cull rate-limit counters and page-cache
            # tokens (one per location) long before memory matters.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }
# Seconds a rendered patient page stays cached; edits to locations clear it at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Longest a worker serves its kept pages before checking the shared cache for edits again
# (the worker where staff saved the edit drops them at once).
PAGE_CACHE_RECHECK_SECONDS = env_int("PAGE_CACHE_RECHECK_SECONDS", 1)
# Pages each worker keeps in memory; past it, the least recently used one goes.
PAGE_CACHE_MAX_PAGES = env_int("PAGE_CACHE_MAX_PAGES", 1000)
# ... and at most this many bytes of pages (bodies, headers and about 1 KB each besides).
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 32 * 1024 * 1024)
# First-party visit counts (pages/visits.py): daily totals per page, nothing about the
# visitor. Each worker saves its counts every VISIT_FLUSH_SECONDS (what a killed worker
# can lose) and when it exits.
VISIT_COUNTS = env_bool("VISIT_COUNTS", True)
VISIT_FLUSH_SECONDS = env_int("VISIT_FLUSH_SECONDS", 5, minimum=1)
VISIT_FLUSH_AUTOMATICALLY = True

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English at today's addresses, Spanish under /es/ (modsite/urls.py). Names are written
# in their own language: they label the language link.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
# Level of the site's logs (LOGGING, below).
LOG_LEVEL = env_choice("LOG_LEVEL", "INFO", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", bootstrap_wrapper.get_bootstrap_dir()),
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded photos are read into memory up to this size; larger ones are rejected.
LOCATION_PHOTO_MAX_BYTES = env_int("LOCATION_PHOTO_MAX_BYTES", 8 * 1024 * 1024)
LOCATION_PHOTO_MAX_PIXELS = env_int("LOCATION_PHOTO_MAX_PIXELS", 40_000_000)

# Dev and test serve static files straight from the finders; production from STATIC_ROOT.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Absolute origin for canonical links, structured data, the sitemap and e-mails
# (e.g. https://www.example.com).
# Empty: taken from the request.
SITE_URL = env_url("SITE_URL", "", schemes=("https", "http")).rstrip("/")

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "MOD Dermatology website <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

ADMIN_URL = env_str("ADMIN_URL", "admin/").strip("/") + "/"

# --- Security (see .env.example, "Security") ---
# Staff sign in with a password and a code from an authenticator app (enrol_totp command).
STAFF_REQUIRE_2FA = env_bool("STAFF_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "MOD Dermatology"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed sign-ins (modsite/signin.py): sign-in is paused for a username at one address
# after AXES_FAILURE_LIMIT failures, and for an address, whatever usernames it tries, after
# AXES_ADDRESS_FAILURE_LIMIT. Never for a username alone, or anyone who knows it could lock
# its owner out: from AXES_FAILURE_LIMIT failures on, addresses it has not signed in from
# wait a growing few seconds (up to SIGN_IN_SLOWDOWN_MAX_SECONDS) between tries instead.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
SIGN_IN_SLOWDOWN_MAX_SECONDS = env_int("SIGN_IN_SLOWDOWN_MAX_SECONDS", 60, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "modsite.signin.SignInHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "staff/lockout.html"
AXES_CLIENT_IP_CALLABLE = "modsite.security.client_ip"
# Masked in axes' log lines and stored form data (a password typed into the username box).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "otp_token"]
AXES_VERBOSE = True
# Staff sessions end after 15 minutes without a request (patients have no session).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, staff sign in again this long after they last did (12 hours): requests
# keep restarting the idle clock, so without it a session could last for ever
# (modsite/signin.py).
SESSION_MAX_SECONDS = env_int("SESSION_MAX_SECONDS", 12 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Only the admin uses sessions: the cookie never travels with patient pages, and reading
# them does not keep an idle staff session alive.
SESSION_COOKIE_PATH = "/" + ADMIN_URL
# No script reads the CSRF token from the cookie; forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Content-Security-Policy: only this site's own files; scripts and styles live in static
# files, so no inline code and no per-response nonce (pages are cached whole).
# data: images are Bootstrap's form-control icons, written into its CSS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of this site uses; () allows them to nobody.
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    ]
}

# Proxies in front of the site (addresses or ranges). X-Forwarded-For is believed only
# from these, so a caller elsewhere cannot choose the address the rate limit and the
# sign-in lockout see. Loopback by default: a proxy on the same machine.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES", DEFAULT_TRUSTED_PROXIES)

# One JSON line per record on stderr, with the request id; ScrubFilter masks anything a
# patient sent (see modsite/logs.py). Django's own loggers are routed here too, replacing
# its defaults (which could e-mail a request's full form data to ADMINS).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "modsite.logs.RequestIdFilter"},
        "scrub": {"()": "modsite.logs.ScrubFilter"},
    },
    "formatters": {
        "json": {"()": "modsite.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id", "scrub"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": LOG_LEVEL, "propagate": True},
        "django.server": {"propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "axes.apps": {"level": "WARNING"},  # a start-up banner in every process
    },
}

# --- Consultations (see .env.example, "Consultations") ---
# Site-wide address for new-request e-mails when a location has none of its own.
CONSULTATION_NOTIFY_EMAIL = env_str("CONSULTATION_NOTIFY_EMAIL", "")
# About three days of tries (waits double up to an hour) before a staff e-mail gives up.
CONSULTATION_NOTIFY_MAX_ATTEMPTS = env_int("CONSULTATION_NOTIFY_MAX_ATTEMPTS", 80)
# Requests per client address, like "5/h" (s, m, h or d); "off" turns the limit off.
CONSULTATION_RATE_LIMIT = env_str("CONSULTATION_RATE_LIMIT", "5/h")
# Fastest plausible fill time for a person, in seconds (0 turns the check off), and how
# long a form page stays valid.
CONSULTATION_MIN_SECONDS = env_int("CONSULTATION_MIN_SECONDS", 3)
CONSULTATION_FORM_MAX_AGE = env_int("CONSULTATION_FORM_MAX_AGE", 24 * 3600)
CONSULTATION_RETENTION_DAYS = env_int("CONSULTATION_RETENTION_DAYS", 365)
# Business hours staff have to make first contact with a patient (their clinic's opening
# hours, in its own time zone; the clock stops while it is closed). A location can set its
# own target in the admin. Whole or decimal hours, more than 0.
CONSULTATION_RESPONSE_TARGET_HOURS = env_str("CONSULTATION_RESPONSE_TARGET_HOURS", "2")
# The week used for a location with no opening hours entered, e.g.
# "Mon-Fri 08:00-17:00" or "Mon-Thu 08:00-12:00,13:00-17:00; Fri 08:00-12:00".
# Read strictly at start-up (consultations.metrics): a typo stops the site from starting.
CONSULTATION_DEFAULT_HOURS = env_str("CONSULTATION_DEFAULT_HOURS", "Mon-Fri 08:00-17:00")

# --- Online booking (appointments) ---
# Bookings per client address, like "10/h" (s, m, h or d); "off" turns the limit off.
BOOKING_RATE_LIMIT = env_str("BOOKING_RATE_LIMIT", "10/h")
# Manage-link pages one client address may open: guessing tokens runs into this.
BOOKING_MANAGE_RATE_LIMIT = env_str("BOOKING_MANAGE_RATE_LIMIT", "60/h")
# Staff calendar feed requests one client address may make: guessing tokens runs into it.
BOOKING_FEED_RATE_LIMIT = env_str("BOOKING_FEED_RATE_LIMIT", "60/h")
# Online cancelling and moving close this many hours before the visit (then the page
# gives the clinic's phone number).
BOOKING_CHANGE_CUTOFF_HOURS = env_int("BOOKING_CHANGE_CUTOFF_HOURS", 24)
# Days a booking is kept after its visit ended (whatever its status), or after it was
# cancelled and left unchanged; purge_bookings deletes older ones. At least 1, the least
# the job accepts: a value it would refuse stops start-up, not the nightly run.
BOOKING_RETENTION_DAYS = env_int("BOOKING_RETENTION_DAYS", 365, minimum=1)

# --- Backups (see .env.example, "Backups", and docs/backups.md) ---
# The key backups are encrypted with (manage.py backup --generate-key makes one). Every
# backup command refuses to run without it; it is never printed or logged.
BACKUP_KEY = env_str("BACKUP_KEY", "")
# Where `manage.py backup` writes (and /healthz looks for the last backup's time).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
# How many of the newest backups are kept in BACKUP_DIR; older ones are deleted.
BACKUP_RETENTION = env_int("BACKUP_RETENTION", 14, minimum=1)
# /healthz reports "backup": "stale" (with "status": "warning", still 200) when the last
# successful backup is older than this; 0 turns the check off (dev and test default).
BACKUP_MAX_AGE_HOURS = env_int("BACKUP_MAX_AGE_HOURS", 26)
# Extra checks /healthz runs (dotted paths): each returns (ok, fields). A failing one makes
# the answer a warning, never a 503: it alerts, without taking the site out of service.
HEALTH_CHECKS = ["backups.health.backup_age"]
