"""Production: behind a TLS-terminating proxy. SECRET_KEY and ALLOWED_HOSTS must be set."""

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str, env_url

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", required=True)
# Required: links others keep, and the page cache's key (without it every Host header a
# caller sends would be one more set of kept pages).
SITE_URL = env_url("SITE_URL", schemes=("https", "http"), required=True).rstrip("/")

# The proxy terminates TLS and tells us so with this header, and adds the caller's address
# to X-Forwarded-For. Both are believed only when the connection comes from TRUSTED_PROXIES
# (base.py; loopback unless set): modsite.middleware.ProxySchemeMiddleware, modsite.security.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
