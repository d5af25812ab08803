"""Project-wide guarantees: migrations match the models, production settings pass Django's
deployment checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def check_deploy_with_production_settings(*args, **env_overrides):
    """Run `manage.py check --deploy` in a fresh process with production settings."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "modsite.settings.production",
        "SECRET_KEY": "x" * 20 + "-production-like-secret-key-for-the-check-0123456789",
        "ALLOWED_HOSTS": "www.example.com",
        "DATABASE_URL": "sqlite:///:memory:",
        "SITE_URL": "https://www.example.com",
        "ADMIN_URL": "staff-area/",
        **env_overrides,
    }
    for name in ("DEBUG", "STAFF_REQUIRE_2FA"):
        if name not in env_overrides:
            env.pop(name, None)
    # Set by the browser tests' conftest for Playwright; never in a deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.process
def test_production_settings_pass_check_deploy_with_no_warnings():
    result = check_deploy_with_production_settings("--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout


@pytest.mark.process
def test_check_deploy_warns_about_a_default_admin_path_and_password_only_staff():
    result = check_deploy_with_production_settings(ADMIN_URL="admin/", STAFF_REQUIRE_2FA="false")
    for check_id in ("modsite.W001", "modsite.W002"):
        assert check_id in result.stdout + result.stderr


@pytest.mark.process
def test_production_refuses_to_start_without_site_url():
    """The page cache keys on it: without it each Host a caller sends is new kept pages."""
    result = check_deploy_with_production_settings(SITE_URL="")
    assert result.returncode != 0
    assert "Set the SITE_URL environment variable." in result.stderr


def test_a_mistyped_rate_limit_is_a_system_check_error(settings):
    from django.core.management.base import SystemCheckError

    settings.CONSULTATION_RATE_LIMIT = "5 per hour"
    with pytest.raises(SystemCheckError, match=r"modsite\.E001"):
        call_command("check")


@pytest.mark.process
def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "modsite.settings.production"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_static_files_build_with_hashed_compressed_names(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "css/site.css" in manifest
    assert "vendor/bootstrap/css/bootstrap.min.css" in manifest
    hashed = list((tmp_path / "css").glob("site.*.css"))
    assert hashed, "site.css was not given a hashed name"
    assert list((tmp_path / "css").glob("site.*.css.gz"))


@pytest.mark.process
def test_a_mistyped_trusted_proxies_setting_stops_start_up_naming_it():
    result = check_deploy_with_production_settings(TRUSTED_PROXIES="10.0.0.0/33")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES" in result.stderr


@pytest.mark.process
def test_check_deploy_warns_about_the_old_proxy_count_and_trusting_every_address():
    result = check_deploy_with_production_settings(
        TRUSTED_PROXY_COUNT="1", TRUSTED_PROXIES="10.0.0.0/8, ::/0"
    )
    for check_id in ("modsite.W004", "modsite.W005"):
        assert check_id in result.stdout + result.stderr


def test_a_mistyped_trusted_proxies_value_in_settings_is_a_system_check_error(settings):
    from django.core.management.base import SystemCheckError

    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "the-load-balancer"]
    with pytest.raises(SystemCheckError, match=r"modsite\.E002"):
        call_command("check")


def test_no_template_comment_spans_lines():
    """Django's {# #} comments end at the line's end: one spread over two lines is shown on
    the page as text (it once printed a note to developers into the staff dashboard)."""
    spread = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("templates", "pages", "consultations", "modsite")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt", ".svg", ".xml"}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert spread == []


@pytest.mark.django_db
def test_the_system_checks_with_the_database_warn_of_nothing():
    """`migrate` and `runserver` run these: a warning there greets everyone at `make run`."""
    call_command("check", "--database", "default", fail_level="WARNING")
