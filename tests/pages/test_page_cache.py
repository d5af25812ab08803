"""The whole-page cache never shows one visitor's or one location's page to someone else,
and staff edits in the admin reach patients at once."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User

PUBLIC_PATHS = ["/", "/bellevue/", "/bellevue/isotretinoin/"]


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def staff_client(client, db):
    user = User.objects.create_superuser("cachestaff", "cachestaff@example.com", "x" * 16)
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_cached_pages_carry_no_per_visitor_data(client, db, path):
    client.get(path)
    response = client.get(path)
    html = response.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert not response.cookies


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_a_page_seen_by_signed_in_staff_shows_patients_nothing_of_theirs(staff_client, path):
    staff_client.get(path)
    staff_client.logout()
    html = staff_client.get(path).content.decode()
    assert "cachestaff" not in html


def test_deactivating_a_location_in_the_admin_takes_its_cached_pages_down(staff_client, gretna):
    assert staff_client.get("/gretna/isotretinoin/").status_code == 200
    assert "/gretna/" in staff_client.get("/").content.decode()

    change_url = f"/{django_settings.ADMIN_URL}pages/location/{gretna.pk}/change/"
    form = {
        "name": gretna.name,
        "slug": gretna.slug,
        "sort_order": gretna.sort_order,
        # is_active left out: the box is unticked.
        "address": "",
        "phone": "",
        "hours": "",
        "map_url": "",
        "photo_alt": "",
        "notification_email": "",
    }
    response = staff_client.post(change_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]

    assert staff_client.get("/gretna/isotretinoin/").status_code == 404
    assert "/gretna/" not in staff_client.get("/").content.decode()
