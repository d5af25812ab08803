import importlib
import io
import json
import logging
import os
import secrets

import pytest
from django.contrib.auth.models import User

from modsite.logs import JsonFormatter

# Same browser set-up as tests/browser/conftest.py (Debian's Chromium, never a downloaded
# one), for the CSP check in real Chromium; Django must allow the live server's database
# calls while Playwright's event loop runs in this thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": flags}


# The names production.py sets for HTTPS, cookies and headers; the rest of its settings
# (database, static storage) would only get in the way of a test run.
PRODUCTION_SECURITY_SETTINGS = [
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "PERMISSIONS_POLICY",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_SAVE_EVERY_REQUEST",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "STAFF_REQUIRE_2FA",
]


@pytest.fixture
def load_production_settings(monkeypatch):
    """Reads modsite.settings.production afresh with the given environment variables."""

    def load(**env):
        monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
        monkeypatch.setenv("SITE_URL", "https://www.example.com")
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return importlib.reload(importlib.import_module("modsite.settings.production"))

    return load


@pytest.fixture
def production_settings(settings, load_production_settings):
    """The running settings, with production's security settings laid over them."""
    production = load_production_settings(SECURE_HSTS_PRELOAD="true")
    for name in PRODUCTION_SECURITY_SETTINGS:
        setattr(settings, name, getattr(production, name))
    return settings


@pytest.fixture
def staff_password():
    return "a-long-staff-passphrase-42"


@pytest.fixture
def staff_user(db, staff_password):
    return User.objects.create_user(
        "frontdesk", "frontdesk@example.com", staff_password, is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_login_url(settings):
    return f"/{settings.ADMIN_URL}login/"


@pytest.fixture
def log_lines():
    """Reads what the site's configured log handler wrote: (raw text, parsed JSON lines)."""
    handler = next(
        h for h in logging.getLogger().handlers if isinstance(h.formatter, JsonFormatter)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)

    def read():
        raw = stream.getvalue()
        return raw, [json.loads(line) for line in raw.splitlines()]

    yield read
    handler.setStream(previous)
