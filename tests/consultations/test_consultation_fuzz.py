"""Property-based fuzzing (hypothesis) of the consultation form and of URL parameters: no
input ever produces a server error, and input that is refused never stores a request.

Examples per property: 40 by default (HYPOTHESIS_PROFILE=thorough: 1,000), no deadline.
"""

import os
import time
import unicodedata
import uuid
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from consultations import antispam
from consultations.models import ConsultationRequest
from pages import text
from tests.form_client import FormClient

settings.register_profile(
    "site",
    max_examples=40,
    deadline=None,
    # One database transaction and client per test, shared by its examples on purpose:
    # each example counts the rows before and after itself.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile("thorough", settings.get_profile("site"), max_examples=1000)
FUZZ = settings(settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE") or "site"))

FORM_FIELDS = [
    "location",
    "first_name",
    "last_name",
    "contact_method",
    "phone",
    "email",
    "best_time",
    "topic",
    "patient_type",
    "message",
    "consent",
    "website",
    "submission_key",
    "source_page",
    "form_started",
    "preferred_language",
    "preferred_language_other",
]
MISSING = object()
SINGLE_LINE_TEXT = [
    "first_name",
    "last_name",
    "phone",
    "email",
    "preferred_language_other",
    "source_page",
]

# Anything a browser or a robot could send, surrogates aside (not encodable as UTF-8).
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=80)
control_text = st.text(st.characters(categories=["Cc"]), min_size=1, max_size=10)
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "a\x00b",
        "\u202eevil",
        "Smi\u200bth",
        "\uff2a\uff41\uff4e\uff45",
        "\ufdfa" * 4,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "../../etc/passwd",
        "１２３",
        "+1 (402) 555-0123 ext. 99999999999999999999",
        "😀" * 100,
        "-1",
        "0",
        "99999999999999999999999",
        "1.5",
        "true",
        "null",
        "[]",
        "{}",
    ]
)
huge_text = st.integers(min_value=61, max_value=3_000_000).map(lambda n: "x" * n)
field_value = st.one_of(
    st.just(MISSING),
    any_text,
    control_text,
    tricky_text,
    huge_text,
    st.integers().map(str),
    st.lists(any_text, min_size=2, max_size=3),  # the field sent several times
)


@pytest.fixture
def client():
    # As in production: an exception becomes the response the site would send (400, 500).
    return FormClient(raise_request_exception=False)


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # Every example comes from the same test client address.
    settings.CONSULTATION_RATE_LIMIT = "off"


def page_token(key):
    """The started token of a page with this key, shown 30 seconds ago."""
    return antispam.make_token(key, issued_at=time.time() - 30)


def with_changes(data, changes):
    """A new page's answers (its own key and started time) with `changes` made."""
    key = str(uuid.uuid4())
    data = {**data, "submission_key": key, "form_started": page_token(key)}
    for name, value in changes.items():
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def assert_stored_request_is_sound(consultation):
    """What any stored request must satisfy, whatever was sent."""
    consultation.full_clean()  # lengths, choices, e-mail syntax, an active location
    assert consultation.location.is_active
    assert consultation.consent_at is not None
    assert consultation.phone or consultation.email
    assert consultation.phone == "" or consultation.phone.startswith("+")
    assert consultation.phone_extension == "" or (
        consultation.phone and consultation.phone_extension.isdigit()
    )
    # Every free-text answer as the one shared cleaning leaves it (pages.text).
    for name in SINGLE_LINE_TEXT:
        value = getattr(consultation, name)
        assert text.problem(value) is None, name
        assert unicodedata.is_normalized("NFKC", value), name
    assert text.problem(consultation.message, multiline=True) is None
    assert unicodedata.is_normalized("NFKC", consultation.message)
    assert consultation.first_name.strip() and consultation.last_name.strip()


def post_and_check(client, url, data, raw_content_type=None):
    """POST a form (dict), or raw bytes as sent with `raw_content_type`."""
    before = set(ConsultationRequest.objects.values_list("pk", flat=True))
    if raw_content_type:
        response = client.generic("POST", url, data, content_type=raw_content_type)
    else:
        response = client.post(url, data)
    assert response.status_code < 500, response.status_code
    new = ConsultationRequest.objects.exclude(pk__in=before)
    if response.status_code == 302 and response["Location"].endswith("/consultation/thanks/"):
        event("stored")  # shown by --hypothesis-show-statistics
        assert new.count() <= 1
        for consultation in new:
            assert_stored_request_is_sound(consultation)
    else:
        event(f"refused with {response.status_code}")
        assert not new.exists(), f"refused with {response.status_code} but stored"
    return response


@pytest.mark.django_db
@FUZZ
@given(name=st.sampled_from(FORM_FIELDS), value=field_value)
def test_any_value_in_any_one_field_is_stored_soundly_or_refused_without_error(
    client, valid_form_data, name, value
):
    post_and_check(client, "/consultation/", with_changes(valid_form_data, {name: value}))


@pytest.mark.django_db
@FUZZ
@given(changes=st.dictionaries(st.sampled_from(FORM_FIELDS), field_value, max_size=6))
def test_any_mix_of_fields_is_stored_soundly_or_refused_without_error(
    client, valid_form_data, changes
):
    post_and_check(client, "/bellevue/consultation/", with_changes(valid_form_data, changes))


@pytest.mark.django_db
@FUZZ
@given(
    body=st.binary(max_size=2000),
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-1",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "application/json",
            "text/plain",
        ]
    ),
)
def test_a_malformed_body_never_errors_or_stores(client, body, content_type):
    post_and_check(client, "/consultation/", body, raw_content_type=content_type)


@pytest.mark.django_db
def test_an_oversized_form_is_refused_without_error(client, valid_form_data):
    # Above Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
    response = client.post("/consultation/", {**valid_form_data, "message": ["x"] * 1500})

    assert response.status_code == 400
    assert not ConsultationRequest.objects.exists()


url_part = st.one_of(
    any_text.map(lambda text: quote(text, safe="")),
    st.binary(max_size=20).map(lambda raw: "".join(f"%{byte:02x}" for byte in raw)),
    st.sampled_from(["bellevue", "gretna", "BELLEVUE", "bellevue ", "..", "%2e%2e", "%00", ""]),
)
page_path = st.one_of(
    url_part.map(lambda slug: f"/{slug}/"),
    url_part.map(lambda slug: f"/{slug}/isotretinoin/"),
    url_part.map(lambda slug: f"/{slug}/consultation/"),
    url_part.map(lambda slug: f"/consultation/{slug}"),
    # The Spanish site and its path words.
    url_part.map(lambda slug: f"/es/{slug}/isotretinoina/"),
    url_part.map(lambda slug: f"/es/{slug}/consulta/"),
    url_part.map(lambda slug: f"/es/consulta/{slug}"),
    st.lists(url_part, max_size=4).map(lambda parts: "/" + "/".join(parts)),
)


@pytest.mark.django_db
@FUZZ
@given(path=page_path, query=st.dictionaries(url_part, any_text, max_size=3))
def test_any_page_path_and_query_answers_without_server_error(client, path, query):
    response = client.get(path, query)
    assert response.status_code < 500, (path, response.status_code)


@pytest.mark.django_db
@FUZZ
@given(slug=url_part, query=st.dictionaries(url_part, any_text, max_size=3))
def test_posting_the_form_to_any_location_slug_never_errors(client, valid_form_data, slug, query):
    path = f"/{slug}/consultation/"
    if query:
        path += "?" + "&".join(f"{k}={quote(v, safe='')}" for k, v in query.items())
    post_and_check(client, path, with_changes(valid_form_data, {}))


# --- Request headers, on every public URL ---

# Every public route, by URL name, as a path (location routes for Bellevue).
PUBLIC_PATHS = {
    "pages:home": "/",
    "pages:location": "/bellevue/",
    "pages:isotretinoin": "/bellevue/isotretinoin/",
    "pages:finder": "/locations/?q=68005",
    "consultations:create": "/consultation/",
    "consultations:create_for_location": "/bellevue/consultation/",
    "consultations:thanks": "/consultation/thanks/",
    "pages:nondiscrimination": "/nondiscrimination/",
    "pages:language_assistance": "/language-assistance/",
    "healthz": "/healthz",
    "robots": "/robots.txt",
    "sitemap": "/sitemap.xml",
    "sitemap-section": "/sitemap-locations.xml",
    "appointments:book": "/bellevue/book/",
    "appointments:manage": "/appointments/not-a-real-token/",
    "appointments:calendar": "/appointments/not-a-real-token/appointment.ics",
    "staff-calendar-feed": "/staff-calendar/not-a-token.ics",
    "slotfeed-manifest": "/$bulk-publish",
    "consultations:privacy": "/privacy/",
    "slotfeed-locations": "/slot-feed/locations.ndjson",
    "slotfeed-schedules": "/slot-feed/schedules.ndjson",
    "slotfeed-slots": "/slot-feed/slots-bellevue.ndjson",
}
FORM_PATHS = ["/consultation/", "/bellevue/consultation/"]


def test_the_header_fuzz_covers_every_public_route(settings):
    from django.urls import URLPattern, URLResolver, get_resolver

    def names(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern) != settings.ADMIN_URL:
                    inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                    yield from names(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}{pattern.name}"

    assert set(names(get_resolver().url_patterns)) == set(PUBLIC_PATHS)


# What a header can carry on the wire (latin-1, no line breaks), and some known troublemakers.
header_text = st.text(
    st.characters(max_codepoint=0xFF, exclude_characters="\r\n"), max_size=60
) | st.text(st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)
odd_header = st.sampled_from(
    [
        "http://[x/",
        "http://a]b/",
        "http://[::1/",
        "http://testserver:99999/bellevue/isotretinoin/",
        "http://testserver:x/",
        "//testserver/bellevue/isotretinoin/",
        "http://testserver/bellevue/isotretinoin/",
        "testserver",
        "testserver:80",
        "testserver:99999",
        "localhost:",
        "[::1]",
        "[::1]:8000",
        "a]b",
        "evil.example",
        "203.0.113.5",
        "203.0.113.5, 10.0.0.1",
        "2001:db8::1",
        "[2001:db8::1]:443, 127.0.0.1",
        "::ffff:203.0.113.5",
        "fe80::1%eth0",
        "unknown",
        ",,,",
        "999.1.1.1",
        "es",
        "es-419;q=0.9, en;q=0.8",
        "*;q=x",
        "zz-ZZ",
        "x" * 5000,
    ]
)
header_value = odd_header | header_text
# URL-shaped, so brackets, colons and ports land where parsers look for them.
url_value = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "ftp", ""]),
    header_text | st.sampled_from(["[", "]", "[::1", "a]b", "testserver:", "[v1.x]"]),
    header_text,
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "HTTP_REFERER": header_value | url_value,
        "HTTP_HOST": header_value,
        "HTTP_X_FORWARDED_FOR": header_value,
        "HTTP_ACCEPT_LANGUAGE": header_value,
    },
)


@pytest.mark.django_db
@FUZZ
@given(path=st.sampled_from(sorted(PUBLIC_PATHS.values())), headers=headers)
@example(path="/consultation/", headers={"HTTP_REFERER": "http://[x/"})
@example(path="/bellevue/consultation/", headers={"HTTP_REFERER": "http://a]b/"})
def test_any_request_headers_on_any_public_page_answer_without_server_error(
    client, bellevue, path, headers
):
    response = client.get(path, **headers)
    assert response.status_code < 500, (path, headers, response.status_code)


@pytest.mark.django_db
@FUZZ
@given(path=st.sampled_from(FORM_PATHS), headers=headers)
@example(path="/consultation/", headers={"HTTP_REFERER": "http://[x/"})
@example(path="/consultation/", headers={"HTTP_REFERER": "http://a]b/"})
def test_any_request_headers_on_the_form_post_never_error(
    client, valid_form_data, settings, path, headers
):
    # The rate limit on, so the client address is worked out from X-Forwarded-For.
    settings.CONSULTATION_RATE_LIMIT = "100/h"
    before = ConsultationRequest.objects.count()
    response = client.post(path, with_changes(valid_form_data, {}), **headers)
    assert response.status_code < 500, (path, headers, response.status_code)
    stored = ConsultationRequest.objects.count() - before
    assert stored == (1 if response.status_code == 302 else 0)


# --- Query strings, on every public page whose view reads one ---

# Path: the GET parameters its view reads. The finder and, past CLINIC_SELECT_LIMIT
# clinics, the general form's first step search with ?q=, list a state's clinics with
# ?state=NE and page them with &page=2; the sitemaps page with ?p=.
FINDER_PARAMS = ("q", "state", "page")
QUERY_PAGES = {
    "/locations/": FINDER_PARAMS,
    "/es/clinicas/": FINDER_PARAMS,
    "/consultation/": FINDER_PARAMS,
    "/es/consulta/": FINDER_PARAMS,
    "/sitemap.xml": ("p",),
    "/sitemap-locations.xml": ("p",),
    "/bookable/book/": ("type", "week", "day"),
    "/appointments/not-a-real-token/": ("booked", "move"),
}
# Any script's digits (full-width, Arabic-Indic, Devanagari...), alone or as a ZIP+4.
unicode_digits = st.text(st.characters(categories=["Nd"]), min_size=1, max_size=10)
unicode_zip = st.builds(
    lambda five, four, dash: five + (dash + four if four else ""),
    st.text(st.characters(categories=["Nd"]), min_size=5, max_size=5),
    st.text(st.characters(categories=["Nd"]), min_size=0, max_size=4),
    st.sampled_from(["-", "", "\uff0d", " - "]),
)
query_value = st.one_of(
    unicode_digits,
    unicode_zip,
    control_text,
    tricky_text,
    any_text,
    st.sampled_from(["６８００５", "٦٨٠٠٥", "68\x00005", "Oma\x00ha", "\u202e68005"]),
    st.tuples(unicode_zip, control_text | any_text).map("".join),
    st.integers(min_value=101, max_value=200_000).map(lambda n: "6" * n),
)


@pytest.fixture
def many_clinics(db):
    """More clinics than the form's drop-down: /consultation/ starts with the finder."""
    from django.core.management import call_command

    from consultations.views import CLINIC_SELECT_LIMIT

    call_command("seed_locations", CLINIC_SELECT_LIMIT)
    # And one clinic that takes bookings, so the booking page reads its parameters.
    from pages.models import Location

    Location.objects.create(name="Bookable", slug="bookable", time_zone="America/Chicago")
    call_command("set_booking_hours", "bookable", "Mon-Fri 09:00-12:00")


def test_the_query_fuzz_covers_every_get_parameter_a_public_view_reads():
    # Views that read request.GET outside the admin: if one is added, add it above.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    readers = {
        str(path.relative_to(root))
        for app in ("pages", "consultations", "appointments", "staff", "backups", "modsite")
        for path in (root / app).rglob("*.py")
        if "request.GET" in path.read_text() or "self.request.GET" in path.read_text()
    }
    # cache.py keys kept pages by the view's parameters; dashboard.py, staff/figures.py (the
    # dashboard's pages of clinics) and the admin.py files are staff (modsite/admin.py
    # cleans the admin's query strings).
    assert readers == {
        "pages/views.py",
        "pages/sitemaps.py",
        "pages/cache.py",
        "consultations/views.py",
        "consultations/dashboard.py",
        "staff/figures.py",
        "consultations/admin.py",
        "appointments/views.py",
        "appointments/admin.py",
        "modsite/logs.py",
        "modsite/admin.py",
    }


@pytest.mark.django_db
@FUZZ
@given(path=st.sampled_from(sorted(QUERY_PAGES)), which=st.integers(0, 2), value=query_value)
@example(path="/locations/", which=0, value="６８００５")
@example(path="/es/consulta/", which=0, value="٦٨٠٠٥")
@example(path="/consultation/", which=0, value="Oma\x00ha")
@example(path="/locations/", which=1, value="N\x00E")
@example(path="/locations/", which=2, value="٢")
def test_any_query_on_a_page_that_reads_one_answers_without_server_error(
    client, many_clinics, path, which, value
):
    params = QUERY_PAGES[path]
    response = client.get(path, {params[which % len(params)]: value})
    assert response.status_code < 500, (path, response.status_code)
