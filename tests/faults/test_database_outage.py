"""The database goes away while a patient has the form open: the real site (gunicorn,
production settings) answers with the calm 503 page, says nothing was saved and gives
the clinic phone staff entered earlier; /healthz reports the outage."""

import json
import secrets
import urllib.error
import urllib.request

import pytest
import redis

from benchmarks import loadtest
from benchmarks.bench_server import redis_answers

# Redis db 13 for this test only: the phone snapshot must outlive the database.
REDIS_URL = "redis://127.0.0.1:6379/13"
DATABASE_DOWN_URLS = {
    # Nothing listens on port 1: every connection is refused, as when the server is down.
    "postgresql": "postgres://postgres@127.0.0.1:1/none",
    # A database file SQLite cannot open (its folder is gone: a lost volume).
    "sqlite": "sqlite:////nonexistent-modsite-volume/site.sqlite3",
}
CLINIC_PHONE = "(402) 555-0142"

SAVE_PHONE = f"""
from pages.models import Location
clinic = Location.objects.get(slug="bellevue")
clinic.phone = "{CLINIC_PHONE}"
clinic.save()
"""

pytestmark = [
    pytest.mark.process,  # gunicorn
    pytest.mark.skipif(
        not redis_answers(REDIS_URL),
        reason="needs Redis at 127.0.0.1:6379: the clinic phones must outlive the database",
    ),
]


@pytest.fixture
def cache_prefix():
    prefix = f"outage-test-{secrets.token_hex(4)}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def assert_calm_outage_answers(env_down, answers, cookies, log_dir):
    with loadtest.gunicorn(env_down, workers=1, threads=2, log_dir=log_dir) as server:
        patient = loadtest.Patient(server.base_url)
        response, body = patient.send_form(answers, cookies)
        patient.close()
        health_status, health_body = get(f"{server.base_url}/healthz")
        page_status, page_body = get(f"{server.base_url}/bellevue/consultation/")
        log = server.log()

    page = body.decode()
    assert response.status == 503
    assert response.headers["Retry-After"]
    assert "Your request was not saved." in page
    assert CLINIC_PHONE in page
    assert f'href="tel:{CLINIC_PHONE}"' in page
    assert answers["last_name"] not in page

    assert health_status == 503
    assert json.loads(health_body) == {
        "status": "error",
        "database": "unavailable",
        "cache": "ok",  # Redis
        "backup": "missing",  # production settings, and this scratch site was never backed up
    }

    assert page_status == 503
    assert "This page is not available right now." in page_body
    assert CLINIC_PHONE in page_body

    # The outage is logged for staff to debug, without the patient's answers.
    assert "OperationalError" in log
    assert answers["last_name"] not in log
    assert answers["email"] not in log


def test_a_patient_sending_the_form_during_a_database_outage_gets_the_friendly_503(
    scratch_database_url, cache_prefix, tmp_path
):
    env_up = loadtest.site_env(
        scratch_database_url, REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=cache_prefix
    )
    loadtest.prepare_site(env_up)
    # Staff save the clinic's phone while all is well; the site remembers it in the cache.
    loadtest.manage(env_up, "shell", "-c", SAVE_PHONE)
    with loadtest.gunicorn(env_up, workers=1, threads=2, log_dir=tmp_path) as server:
        patient = loadtest.Patient(server.base_url)
        response, form, cookies = patient.open_form()
        patient.close()
    assert response.status == 200
    answers = {**form.hidden, **loadtest.patient_answers(7, form.locations[0])}

    # Same secret key and cache, but the database no longer answers.
    for kind, down_url in DATABASE_DOWN_URLS.items():
        down_dir = tmp_path / kind
        down_dir.mkdir()
        answers["last_name"] = f"Outagemarker{kind}"
        assert_calm_outage_answers({**env_up, "DATABASE_URL": down_url}, answers, cookies, down_dir)

    # Back up: nothing was stored while the database was away.
    assert loadtest.database_snapshot(env_up)["rows"] == []
