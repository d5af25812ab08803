"""The medical review trail: reviews staff record in the admin are what treatment pages
show, per language; with none, a page gives its content date and names nobody."""

import datetime
import json
import re

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.utils import timezone

from pages.checks import check_clinical_reviews
from pages.models import ClinicalReview, ContentUpdate
from tests.factories import make_superuser, signed_in

pytestmark = pytest.mark.django_db


def review(language="en", days_ago=10, name="Dana Example", credentials="MD, FAAD", **kw):
    return ClinicalReview.objects.create(
        page="isotretinoin",
        language=language,
        reviewer_name=name,
        reviewer_credentials=credentials,
        reviewed_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        **kw,
    )


def medical_json_ld(html):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return next(b for b in map(json.loads, blocks) if b["@type"] == "MedicalWebPage")


def test_the_old_date_in_code_is_kept_as_content_updated_not_as_a_review():
    assert not ClinicalReview.objects.exists()
    update = ContentUpdate.objects.latest_for("isotretinoin", "en")
    assert update.updated_on == datetime.date(2026, 11, 23)
    assert ContentUpdate.objects.latest_for("isotretinoin", "es") is not None


def test_without_a_review_the_page_names_nobody(client):
    html = client.get("/bellevue/isotretinoin/").content.decode()
    assert "Content updated" in html
    assert "reviewed by" not in html.lower()
    data = medical_json_ld(html)
    assert "reviewedBy" not in data and "lastReviewed" not in data
    assert data["dateModified"] == "2026-11-23"


def test_the_latest_review_of_the_page_and_language_is_shown(client):
    review(days_ago=400, name="Old Reviewer")
    latest = review(days_ago=5)
    review(language="es", days_ago=1, name="Spanish Reviewer")
    html = client.get("/gretna/isotretinoin/").content.decode()
    date = latest.reviewed_on
    assert (
        "Medically reviewed by <bdi>Dana Example, MD, FAAD</bdi> on "
        f'<time datetime="{date:%Y-%m-%d}">'
        f"{date:%B} {date.day}, {date.year}</time>"
    ) in html
    assert "Old Reviewer" not in html and "Spanish Reviewer" not in html
    assert "Content updated" not in html
    data = medical_json_ld(html)
    assert data["lastReviewed"] == date.isoformat()
    assert data["reviewedBy"] == {
        "@type": "Person",
        "name": "Dana Example",
        "honorificSuffix": "MD, FAAD",
    }


def test_the_spanish_page_shows_its_own_review_in_spanish(client):
    review(language="en", days_ago=3, name="English Reviewer")
    html = client.get("/es/bellevue/isotretinoina/").content.decode()
    assert "English Reviewer" not in html
    assert "Contenido actualizado el" in html
    spanish = review(language="es", days_ago=2, name="Ana Ejemplo", credentials="MD")
    html = client.get("/es/bellevue/isotretinoina/").content.decode()
    assert (
        "Revisión médica: <bdi>Ana Ejemplo, MD</bdi>, el "
        f'<time datetime="{spanish.reviewed_on:%Y-%m-%d}">' in html
    )
    assert medical_json_ld(html)["reviewedBy"]["name"] == "Ana Ejemplo"


def test_a_new_review_reaches_cached_pages_at_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/bellevue/isotretinoin/")
    review(name="Fresh Reviewer")
    assert "Fresh Reviewer" in client.get("/bellevue/isotretinoin/").content.decode()


def test_a_review_over_a_year_old_is_a_deploy_check_warning():
    review(days_ago=366)
    review(language="es", days_ago=30)
    warnings = check_clinical_reviews(None)
    assert [w.id for w in warnings] == ["pages.W001"]
    assert "(en)" in warnings[0].msg
    with pytest.raises(SystemCheckError, match=r"pages\.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "pages")


def test_a_review_within_the_year_passes_the_check():
    review(days_ago=365)
    assert check_clinical_reviews(None) == []


def test_admin_warns_about_old_and_missing_reviews(client):
    signed_in(client, make_superuser("reviewstaff"))
    review(days_ago=500)
    url = f"/{django_settings.ADMIN_URL}pages/clinicalreview/"
    html = client.get(url).content.decode()
    assert "Isotretinoin treatment page in English: last reviewed on" in html
    assert "Isotretinoin treatment page in Spanish has no clinical review yet" in html


def test_staff_add_a_review_in_the_admin(client):
    signed_in(client, make_superuser("reviewadd"))
    response = client.post(
        f"/{django_settings.ADMIN_URL}pages/clinicalreview/add/",
        {
            "page": "isotretinoin",
            "language": "es",
            "reviewer_name": "Ana Ejemplo",
            "reviewer_credentials": "MD",
            "reviewed_on": timezone.localdate().isoformat(),
            "note": "Checked F01-F20.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert "Ana Ejemplo, MD" in client.get("/es/gretna/isotretinoina/").content.decode()
