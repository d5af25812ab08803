"""Settings read from the environment: empty means the default for every variable, and a
value that cannot be read stops start-up naming the variable (never a silent False)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from modsite.settings import env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-test-0123456789",
    "ALLOWED_HOSTS": "www.example.com",
    "DATABASE_URL": "sqlite:///:memory:",
    "SITE_URL": "https://www.example.com",
}
SECURITY_SETTINGS = [
    "DEBUG",
    "STAFF_REQUIRE_2FA",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "ALLOWED_HOSTS",
]
# Read from the environment by other tests than the security ones.
OTHER_SETTINGS = ["BOOKING_RETENTION_DAYS"]
PRINT_SETTINGS = (
    "import json, modsite.wsgi; from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name) for name in "
    f"{[*SECURITY_SETTINGS, *OTHER_SETTINGS]!r}}}))"
)


def start_site(**variables):
    """Load the WSGI application (as gunicorn does) in a fresh process with `variables`
    on top of a clean environment."""
    read = {*SECURITY_SETTINGS, *OTHER_SETTINGS, "REDIS_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in read}
    clean.pop("DJANGO_SETTINGS_MODULE", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **variables},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


@pytest.mark.process
def test_empty_security_variables_keep_production_protections_on():
    result = start_site(
        DJANGO_SETTINGS_MODULE="",  # empty: wsgi.py's default, production
        DEBUG="",
        STAFF_REQUIRE_2FA="",
        SECURE_SSL_REDIRECT="",
        SECURE_HSTS_SECONDS=" ",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="",
        SECURE_HSTS_PRELOAD="",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["STAFF_REQUIRE_2FA"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is True


@pytest.mark.process
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("STAFF_REQUIRE_2FA", "maybe"),
        ("SECURE_HSTS_SECONDS", "-1"),
        ("SESSION_MAX_SECONDS", "12h"),
        # Words, or 0 days (the purge would refuse it every night): never a silent default.
        ("BOOKING_RETENTION_DAYS", "1 year"),
        ("BOOKING_RETENTION_DAYS", "0"),
    ],
)
def test_an_unreadable_value_stops_start_up_naming_the_variable(name, value):
    result = start_site(**{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"The {name} environment variable must be" in result.stderr


@pytest.mark.process
def test_booking_retention_days_is_read_from_the_environment_with_a_year_by_default():
    started = start_site(BOOKING_RETENTION_DAYS="30")
    assert started.returncode == 0, started.stderr
    assert json.loads(started.stdout)["BOOKING_RETENTION_DAYS"] == 30
    started = start_site(BOOKING_RETENTION_DAYS="")
    assert json.loads(started.stdout)["BOOKING_RETENTION_DAYS"] == 365


@pytest.mark.parametrize("blank", ["", "  "])
@pytest.mark.parametrize(
    ("read", "default"),
    [
        (lambda: env.env_str("MODSITE_TEST_VAR", "fallback"), "fallback"),
        (lambda: env.env_bool("MODSITE_TEST_VAR", True), True),
        (lambda: env.env_int("MODSITE_TEST_VAR", 42), 42),
        (lambda: env.env_list("MODSITE_TEST_VAR", ["a", "b"]), ["a", "b"]),
        (lambda: env.env_choice("MODSITE_TEST_VAR", "INFO", ["INFO", "DEBUG"]), "INFO"),
        (lambda: env.env_url("MODSITE_TEST_VAR", "", schemes=("https",)), ""),
        (lambda: env.env_parsed("MODSITE_TEST_VAR", "7", int, "a number"), 7),
    ],
)
def test_an_empty_variable_means_the_default_for_every_helper(monkeypatch, blank, read, default):
    monkeypatch.setenv("MODSITE_TEST_VAR", blank)
    assert read() == default


@pytest.mark.parametrize(
    ("read", "value"),
    [
        (lambda: env.env_bool("MODSITE_TEST_VAR", True), "ture"),
        (lambda: env.env_int("MODSITE_TEST_VAR", 1), "ten"),
        (lambda: env.env_int("MODSITE_TEST_VAR", 1), "-5"),
        (lambda: env.env_choice("MODSITE_TEST_VAR", "INFO", ["INFO", "DEBUG"]), "LOUD"),
        (lambda: env.env_url("MODSITE_TEST_VAR", "", schemes=("https",)), "www.example.com"),
        (lambda: env.env_str("MODSITE_TEST_VAR", required=True), ""),
    ],
)
def test_an_unreadable_value_raises_naming_the_variable(monkeypatch, read, value):
    monkeypatch.setenv("MODSITE_TEST_VAR", value)
    with pytest.raises(ImproperlyConfigured, match="MODSITE_TEST_VAR"):
        read()


def test_booleans_accept_the_usual_words_in_any_case(monkeypatch):
    for word, expected in [("TRUE", True), ("yes", True), ("On", True), ("0", False)]:
        monkeypatch.setenv("MODSITE_TEST_VAR", f" {word} ")
        assert env.env_bool("MODSITE_TEST_VAR", not expected) is expected


def test_a_mistyped_url_names_the_variable_but_never_shows_its_password(monkeypatch):
    import dj_database_url

    monkeypatch.setenv("DATABASE_URL", "postgress://staff:hunter2-secret@db:5432/site")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL") as error:
        env.env_parsed("DATABASE_URL", "sqlite://", dj_database_url.parse, "a database URL")
    assert "hunter2" not in str(error.value)
    monkeypatch.setenv("REDIS_URL", "redis//:hunter2-secret@cache:6379/0")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL") as error:
        env.env_url("REDIS_URL", None, schemes=("redis", "rediss"))
    assert "hunter2" not in str(error.value)


def test_an_empty_settings_module_variable_means_the_entry_points_default(monkeypatch):
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "")
    env.use_settings_module("modsite.settings.production")
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "modsite.settings.production"
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "modsite.settings.test")
    env.use_settings_module("modsite.settings.production")
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "modsite.settings.test"
