"""Security headers and cookie flags, with production's settings, on the pages patients
and staff actually open. Requests are made as HTTPS, as the TLS proxy forwards them."""

import re

import pytest

PAGES = {
    "home": "/",
    "treatment": "/bellevue/isotretinoin/",
    "form": "/consultation/",
    "admin login": None,  # the configured ADMIN_URL, see page_url
}

BLOCKED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


@pytest.fixture(params=PAGES)
def page_url(request, admin_login_url):
    return PAGES[request.param] or admin_login_url


def csp_directives(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


@pytest.mark.django_db
def test_every_page_sends_the_security_headers(client, production_settings, page_url):
    response = client.get(page_url, secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    policy = dict(item.split("=", 1) for item in response["Permissions-Policy"].split(", "))
    for feature in BLOCKED_FEATURES:
        assert policy[feature] == "()", feature


@pytest.mark.django_db
def test_content_security_policy_allows_only_this_site(client, production_settings, page_url):
    header = client.get(page_url, secure=True)["Content-Security-Policy"]
    directives = csp_directives(header)

    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert set(directives["img-src"]) == {"'self'", "data:"}
    # No inline code, no nonce (pages are cached whole), no other host.
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header
    assert "nonce-" not in header
    assert not re.search(r"https?:|\*", header)


@pytest.mark.django_db
def test_a_page_served_from_the_cache_still_has_its_headers(client, production_settings):
    first = client.get("/bellevue/isotretinoin/", secure=True)
    second = client.get("/bellevue/isotretinoin/", secure=True)

    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["Strict-Transport-Security"]
    # Each response gets its own request id; a cached page must not replay the first one.
    assert second["X-Request-ID"] != first["X-Request-ID"]


@pytest.mark.django_db
def test_plain_http_is_sent_to_https(client, production_settings):
    response = client.get("/bellevue/isotretinoin/")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/bellevue/isotretinoin/"


@pytest.mark.django_db
def test_our_proxy_saying_https_is_believed(client, production_settings):
    # The test client connects from 127.0.0.1, inside the default TRUSTED_PROXIES.
    response = client.get("/bellevue/isotretinoin/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_direct_caller_claiming_https_is_still_sent_to_https(client, production_settings):
    response = client.get(
        "/bellevue/isotretinoin/",
        headers={"x-forwarded-proto": "https"},
        REMOTE_ADDR="203.0.113.7",
    )

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/bellevue/isotretinoin/"


def test_hsts_preload_is_a_setting(load_production_settings):
    assert load_production_settings(SECURE_HSTS_PRELOAD="false").SECURE_HSTS_PRELOAD is False
    assert load_production_settings(SECURE_HSTS_PRELOAD="true").SECURE_HSTS_PRELOAD is True


def test_csrf_cookie_is_secure_httponly_and_same_site(client, production_settings, admin_login_url):
    cookie = client.get(admin_login_url, secure=True).cookies["csrftoken"]

    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_staff_session_cookie_is_secure_httponly_and_same_site(
    client, production_settings, staff_user, staff_password, admin_login_url
):
    production_settings.STAFF_REQUIRE_2FA = False
    response = client.post(
        admin_login_url,
        {"username": staff_user.username, "password": staff_password},
        secure=True,
    )

    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # Sent only to the staff admin, never with patient pages.
    assert cookie["path"] == admin_login_url.removesuffix("login/")
    # Gone when the browser closes; the 15-minute idle limit is kept on the server.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
