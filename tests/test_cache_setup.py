"""A forgotten `createcachetable` can no longer switch protections off: `migrate` makes
the database cache's table, and /healthz says when the cache does not answer."""

import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection

from pages import cache as page_cache

UNREACHABLE_REDIS = {
    "default": {"BACKEND": "modsite.cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


@pytest.mark.django_db
def test_migrate_alone_creates_the_database_cache_table(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "modsite_migrate_test_cache",
        }
    }
    assert "modsite_migrate_test_cache" not in connection.introspection.table_names()
    call_command("migrate", "--noinput", verbosity=0)
    assert "modsite_migrate_test_cache" in connection.introspection.table_names()
    cache.set("works", "yes")
    assert cache.get("works") == "yes"


@pytest.mark.django_db
def test_health_check_answers_503_naming_a_cache_that_does_not_answer(client, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


@pytest.mark.django_db
def test_a_cache_outage_logs_one_traceback_a_minute_not_one_per_request(
    client, settings, caplog, monkeypatch
):
    settings.CACHES = UNREACHABLE_REDIS
    settings.PAGE_CACHE_SECONDS = 60
    page_cache.reset()
    monkeypatch.setattr(page_cache, "_last_warning", [-page_cache.LOG_EVERY_SECONDS * 10])
    with caplog.at_level(logging.WARNING, logger="pages.cache"):
        for _ in range(3):
            assert client.get("/bellevue/").status_code == 200
    warnings = [r for r in caplog.records if r.name == "pages.cache"]
    assert len(warnings) == 1
    assert warnings[0].exc_info
