"""What patients type in the clinic finder (/locations/?q=, the general form's first step
/consultation/?q=, in English and Spanish) is read the way they meant it: a ZIP typed with
full-width or Arabic-Indic digits finds the clinics near that ZIP, control and invisible
characters are dropped, and nothing typed there reaches the `zipcodes` extension unless
it is five ASCII digits (it panics on anything else, which used to end the worker)."""

import pytest
import zipcodes
from django.core.exceptions import ValidationError
from django.core.management import call_command

from consultations.views import CLINIC_SELECT_LIMIT
from pages import finder, geo
from pages.forms import LocationAdminForm
from pages.models import Location, validate_postal_code
from tests.pages.location_admin_forms import location_admin_data

pytestmark = pytest.mark.django_db

FULL_WIDTH_68005 = "\uff16\uff18\uff10\uff10\uff15"
ARABIC_INDIC_68005 = "\u0666\u0668\u0660\u0660\u0665"
DEVANAGARI_68005 = "\u096c\u096e\u0966\u0966\u096b"
NON_ASCII_ZIPS = [FULL_WIDTH_68005, ARABIC_INDIC_68005, DEVANAGARI_68005]

# Every public page that searches with ?q=: the finder, and the general form's first step
# when there are more clinics than a drop-down can hold (see `many_clinics`).
FINDER_PAGES = ["/locations/", "/es/clinicas/"]
CHOOSE_CLINIC_PAGES = ["/consultation/", "/es/consulta/"]


@pytest.fixture
def omaha(make_location):
    return make_location(
        "Omaha Test", slug="omaha-test", city="Omaha", state="NE", postal_code="68102"
    )


@pytest.fixture
def many_clinics(omaha):
    """More active clinics than the form's drop-down takes: it starts with the finder."""
    call_command("seed_locations", CLINIC_SELECT_LIMIT)
    assert Location.objects.active().count() > CLINIC_SELECT_LIMIT


@pytest.mark.parametrize("typed", NON_ASCII_ZIPS)
def test_a_zip_typed_in_other_digits_finds_the_clinics_near_that_zip(omaha, typed):
    search = finder.search(typed)

    assert search.kind == "zip"
    assert search.results[0].location == omaha
    assert search.results[0].miles == finder.search("68005").results[0].miles


@pytest.mark.parametrize("path", FINDER_PAGES)
@pytest.mark.parametrize("typed", NON_ASCII_ZIPS)
def test_the_finder_page_answers_a_zip_typed_in_other_digits(client, omaha, path, typed):
    response = client.get(path, {"q": typed})

    assert response.status_code == 200
    assert response.context["search"].kind == "zip"
    assert 'href="/omaha-test/"' in response.content.decode() or "/es/omaha-test/" in (
        response.content.decode()
    )


@pytest.mark.parametrize("path", CHOOSE_CLINIC_PAGES)
@pytest.mark.parametrize("typed", [*NON_ASCII_ZIPS, f"{FULL_WIDTH_68005}-1234"])
def test_the_general_forms_first_step_answers_a_zip_typed_in_other_digits(
    client, many_clinics, path, typed
):
    response = client.get(path, {"q": typed})

    assert response.status_code == 200
    assert response.context["search"].kind == "zip"
    assert "omaha-test/" in response.content.decode()


@pytest.mark.parametrize("typed", ["68\x00005", "\x0068005", "68005\x1b", "68\u200b005"])
def test_control_and_invisible_characters_in_a_zip_search_are_dropped(omaha, typed):
    search = finder.search(typed)

    assert (search.kind, search.query) == ("zip", "68005")


@pytest.mark.parametrize("path", FINDER_PAGES + CHOOSE_CLINIC_PAGES)
def test_a_nul_in_a_text_search_is_dropped_not_sent_to_the_database(client, many_clinics, path):
    # PostgreSQL refuses a NUL in a text parameter: it used to be a 500 there.
    response = client.get(path, {"q": "Oma\x00ha"})

    assert response.status_code == 200
    assert response.context["search"].query == "Omaha"
    assert "omaha-test/" in response.content.decode()


@pytest.mark.parametrize("typed", [*NON_ASCII_ZIPS, "6800５", "68005-１２３４", "٦٨٠٠٥-1234"])
def test_only_ascii_digits_are_read_as_a_zip_by_the_lookup(typed):
    assert geo.zip5(typed) is None
    assert geo.zip_point(typed) is None


def test_a_panic_inside_the_zip_lookup_is_an_unknown_zip_not_a_crash():
    # The extension really does panic on non-ASCII input (pyo3's PanicException, a
    # BaseException): the call site must answer "unknown", never let it through.
    with pytest.raises(BaseException) as panic:
        zipcodes.matching(FULL_WIDTH_68005)
    assert not isinstance(panic.value, Exception)

    assert geo._lookup.__wrapped__(FULL_WIDTH_68005) is None


def test_ctrl_c_still_stops_the_zip_lookup(monkeypatch):
    def interrupted(code):
        raise KeyboardInterrupt

    monkeypatch.setattr(zipcodes, "matching", interrupted)
    with pytest.raises(KeyboardInterrupt):
        geo._lookup.__wrapped__("68005")


@pytest.mark.parametrize("typed", [*NON_ASCII_ZIPS, "6800５-1234", "68005-٦٨٠٠", "68005\n"])
def test_a_stored_zip_must_be_ascii_digits(typed):
    with pytest.raises(ValidationError):
        validate_postal_code(typed)


def test_a_zip_staff_type_with_full_width_digits_is_stored_as_ascii(bellevue):
    data = location_admin_data(bellevue, postal_code=f"{FULL_WIDTH_68005}-１２３４")
    form = LocationAdminForm(data, instance=bellevue)

    assert form.is_valid(), form.errors
    location = form.save()
    assert location.postal_code == "68005-1234"
    assert location.latitude is not None


def test_a_zip_staff_type_with_arabic_indic_digits_is_refused_as_not_a_zip(bellevue):
    form = LocationAdminForm(
        location_admin_data(bellevue, postal_code=ARABIC_INDIC_68005), instance=bellevue
    )

    assert not form.is_valid()
    assert [error.code for error in form.errors.as_data()["postal_code"]] == ["postal_code"]
