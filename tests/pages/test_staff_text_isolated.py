"""Text staff typed is shown to patients isolated (<bdi>, or dir="auto" on an address), so a
right-to-left name or a direction mark pasted with it cannot reorder the page around it;
page titles and meta tags, where markup is not read, keep the plain text."""

import pytest
from django.core.management import call_command

from consultations.views import CLINIC_SELECT_LIMIT
from pages.models import CivilRightsCoordinator

pytestmark = pytest.mark.django_db

OVERRIDE_NAME = "Bellevue \u202eWest"


@pytest.fixture
def bellevue_renamed(bellevue):
    bellevue.name = OVERRIDE_NAME
    bellevue.city = "Bellevue"
    bellevue.state = "NE"
    bellevue.postal_code = "68005"
    bellevue.save()
    return bellevue


@pytest.mark.parametrize(
    "path",
    ["/", "/bellevue/", "/bellevue/isotretinoin/", "/locations/?q=68005", "/es/bellevue/"],
)
def test_a_clinic_name_is_isolated_wherever_a_patient_reads_it(client, bellevue_renamed, path):
    html = client.get(path).content.decode()

    body = html.split("<body", 1)[1]
    assert f"<bdi>{OVERRIDE_NAME}</bdi>" in body
    assert OVERRIDE_NAME not in body.replace(f"<bdi>{OVERRIDE_NAME}</bdi>", "")


def test_the_title_keeps_the_plain_name(client, bellevue_renamed):
    html = client.get("/bellevue/").content.decode()

    title = html.split("<title>", 1)[1].split("</title>", 1)[0]
    assert OVERRIDE_NAME in title and "<bdi>" not in title


def test_an_address_takes_its_direction_from_its_own_text(client, bellevue_renamed):
    html = client.get("/bellevue/").content.decode()

    assert '<address class="mb-1" dir="auto">' in html


def test_the_chosen_clinic_on_the_general_form_is_isolated(client, bellevue_renamed):
    call_command("seed_locations", CLINIC_SELECT_LIMIT)
    html = client.get("/bellevue/consultation/").content.decode()

    assert f"<bdi>{OVERRIDE_NAME}</bdi>" in html


def test_the_civil_rights_coordinator_is_isolated(client):
    CivilRightsCoordinator.objects.create(pk=1, who="\u202eRight To Left", phone="+14025550100")
    html = client.get("/nondiscrimination/").content.decode()

    assert "<bdi>\u202eRight To Left" in html
