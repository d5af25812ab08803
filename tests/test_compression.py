"""Pages go out gzipped to clients that ask, kept pages too; static files keep WhiteNoise's
own handling; clients that do not ask get plain bytes."""

import gzip

import pytest

pytestmark = pytest.mark.django_db


def test_a_page_is_gzipped_for_a_browser_that_asks_and_plain_for_one_that_does_not(
    client, bellevue
):
    plain = client.get("/bellevue/isotretinoin/")
    assert "Content-Encoding" not in plain.headers

    squeezed = client.get("/bellevue/isotretinoin/", headers={"accept-encoding": "gzip"})
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert gzip.decompress(squeezed.content) == plain.content
    assert len(squeezed.content) < len(plain.content) / 2


def test_a_kept_page_served_from_the_page_cache_is_gzipped_too(client, bellevue):
    client.get("/bellevue/")  # built and kept
    kept = client.get("/bellevue/", headers={"accept-encoding": "gzip"})
    assert kept.headers["Content-Encoding"] == "gzip"
    assert b"Bellevue" in gzip.decompress(kept.content)
