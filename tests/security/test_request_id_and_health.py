"""Small things callers control (issue 16, item 12): a client's X-Request-ID is kept only
when it is a short safe token, and /healthz does not write to the cache on every call."""

import pytest
from django.core.cache import cache

from modsite.health import HEALTH_KEY

SAFE = "4f1c0a9e-2b7d.4c55_ab"


@pytest.mark.django_db
def test_a_short_safe_request_id_from_the_proxy_is_kept(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=SAFE)
    assert response["X-Request-ID"] == SAFE


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sent",
    [
        SAFE + "\n",  # a line break: "$" alone lets it by
        "x" * 65,
        "short",
        "zelda.q@example.org",
        "id with spaces",
        "<script>alert(1)</script>",
        "ÿéé-ünicode-id",
    ],
)
def test_any_other_request_id_is_replaced_by_a_new_one(client, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_health_checks_read_the_cache_and_write_only_when_the_probe_is_gone(client, monkeypatch):
    writes = []

    def recorded(real):
        def write(key, *args, **kwargs):
            writes.append(key)
            return real(key, *args, **kwargs)

        return write

    for name in ("set", "add"):
        monkeypatch.setattr(cache, name, recorded(getattr(cache, name)))
    for _ in range(10):
        assert client.get("/healthz").json()["cache"] == "ok"
    assert writes.count(HEALTH_KEY) == 1
    cache.clear()  # the probe expired or the cache restarted: written again, and still ok
    assert client.get("/healthz").json()["cache"] == "ok"
    assert writes.count(HEALTH_KEY) == 2
