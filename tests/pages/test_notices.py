"""Section 1557: the nondiscrimination and language-assistance notices, in both languages,
reachable from every page; taglines only as staff enter them; no invented contact."""

import re

import pytest

from pages.models import LanguageTagline

pytestmark = pytest.mark.django_db

NOTICES = {
    "en": ("/nondiscrimination/", "/language-assistance/"),
    "es": ("/es/no-discriminacion/", "/es/ayuda-con-idiomas/"),
}
EVERY_PAGE = {
    "en": [
        "/",
        "/bellevue/",
        "/gretna/isotretinoin/",
        "/consultation/",
        "/bellevue/consultation/",
        "/consultation/thanks/",
        "/nondiscrimination/",
        "/language-assistance/",
        "/missing-page/",
    ],
    "es": [
        "/es/",
        "/es/bellevue/",
        "/es/gretna/isotretinoina/",
        "/es/consulta/",
        "/es/bellevue/consulta/",
        "/es/consulta/gracias/",
        "/es/no-discriminacion/",
        "/es/ayuda-con-idiomas/",
        "/es/pagina-perdida/",
    ],
}


def footer(html):
    return html[html.index("<footer") :]


@pytest.mark.parametrize(
    ("language", "path"), [(lang, path) for lang, paths in EVERY_PAGE.items() for path in paths]
)
def test_both_notices_are_linked_from_every_footer(client, language, path):
    html = footer(client.get(path).content.decode())
    for notice in NOTICES[language]:
        assert f'href="{notice}"' in html, f"{path} does not link {notice}"


@pytest.mark.parametrize("path", [*NOTICES["en"], *NOTICES["es"]])
def test_notice_pages_render_in_their_language(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{"es" if path.startswith("/es/") else "en"}">' in html


def test_nondiscrimination_notice_says_what_the_rule_asks(client):
    text = client.get("/nondiscrimination/").content.decode()
    for words in (
        "race, color, national origin, age, disability or sex",
        "sign language",
        "Qualified interpreters",
        "Office for Civil Rights",
        "1-800-368-1019",
    ):
        assert words in text
    spanish = client.get("/es/no-discriminacion/").content.decode()
    for words in (
        "raza, color, origen nacional, edad, discapacidad o sexo",
        "lengua de señas",
        "Oficina de Derechos Civiles",
    ):
        assert words in spanish


def test_how_to_ask_uses_only_phones_staff_entered(client, bellevue, gretna):
    html = client.get("/es/ayuda-con-idiomas/").content.decode()
    assert 'href="tel:' not in html
    assert 'href="/es/consulta/"' in html and "recepción" in html
    bellevue.phone = "+14025550100"  # stored as the admin stores it
    bellevue.save()
    html = client.get("/language-assistance/").content.decode()
    assert re.findall(r'href="tel:([^"]+)"', html) == ["+14025550100"]
    assert "Call our <bdi>Bellevue</bdi> clinic at" in html and ">(402) 555-0100</a>" in html
    assert "Gretna clinic at" not in html


def test_with_many_clinics_how_to_ask_points_to_the_finder_not_a_long_list(client, make_location):
    from pages.views import NOTICE_PHONES_MAX

    for number in range(NOTICE_PHONES_MAX + 1):
        make_location(f"Town {number:02}", slug=f"town-{number:02}", phone=f"+1402555{number:04}")
    for path, finder in [
        ("/language-assistance/", "/locations/"),
        ("/es/ayuda-con-idiomas/", "/es/clinicas/"),
    ]:
        html = client.get(path).content.decode()
        assert 'href="tel:' not in html
        assert f'<a href="{finder}">' in html


def test_no_tagline_is_shown_until_staff_add_one(client):
    html = client.get("/language-assistance/").content.decode()
    assert "In other languages" not in html


def test_taglines_are_shown_with_their_language_and_direction(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/es/ayuda-con-idiomas/")  # kept in the page cache
    LanguageTagline.objects.create(
        language_name="Tiếng Việt", language_code="vi", text="Tagline typed by staff."
    )
    LanguageTagline.objects.create(
        language_name="العربية", language_code="ar", text="نص من الموظفين", direction="rtl"
    )
    LanguageTagline.objects.create(
        language_name="Hidden", language_code="fr", text="Not shown", is_active=False
    )
    for path in ("/language-assistance/", "/es/ayuda-con-idiomas/"):
        html = client.get(path).content.decode()
        assert '<li lang="vi" dir="ltr"' in html and "Tagline typed by staff." in html
        assert '<li lang="ar" dir="rtl"' in html and "نص من الموظفين" in html
        assert "Not shown" not in html


def test_a_tagline_needs_a_real_language_code(db):
    from django.core.exceptions import ValidationError

    tagline = LanguageTagline(language_name="X", language_code="not a code", text="x")
    with pytest.raises(ValidationError):
        tagline.full_clean()


# --- the civil rights (Section 1557) coordinator -------------------------------------


def test_the_notice_names_no_coordinator_until_staff_enter_one(client):
    for path in ("/nondiscrimination/", "/es/no-discriminacion/"):
        html = client.get(path).content.decode()
        assert "civil rights coordinator" not in html and "derechos civiles:" not in html
        assert 'href="mailto:' not in html
    assert (
        "at the front desk of any of our clinics"
        in client.get("/nondiscrimination/").content.decode()
    )


def test_staff_enter_the_coordinator_and_both_notices_name_them_at_once(
    admin_client, client, settings
):
    settings.PAGE_CACHE_SECONDS = 60
    client.get("/nondiscrimination/")  # kept in the page cache
    response = admin_client.post(
        "/admin/pages/civilrightscoordinator/add/",
        {
            "who": "Practice manager",
            "phone": "(402) 555-0142",
            "email": "civilrights@example.com",
            "mailing_address": "1 Example Street\nGretna, NE 68028",
        },
    )
    assert response.status_code == 302
    html = client.get("/nondiscrimination/").content.decode()
    assert "our civil rights coordinator: <bdi>Practice manager</bdi>." in html
    assert '<a href="tel:+14025550142">(402) 555-0142</a>' in html
    assert '<a href="mailto:civilrights@example.com">' in html
    assert "1 Example Street<br>Gretna, NE 68028" in html
    spanish = client.get("/es/no-discriminacion/").content.decode()
    assert "es <bdi>Practice manager</bdi>, a cargo de los derechos civiles." in spanish
    assert "Por correo electrónico:" in spanish
    # One for the practice: it is changed from now on, not added again.
    assert admin_client.get("/admin/pages/civilrightscoordinator/add/").status_code == 403


def test_the_coordinator_needs_a_way_to_reach_them_and_a_real_phone(admin_client):
    from pages.models import CivilRightsCoordinator

    url = "/admin/pages/civilrightscoordinator/add/"
    response = admin_client.post(url, {"who": "Practice manager"})
    assert "Give at least one way to reach them" in response.content.decode()
    response = admin_client.post(url, {"who": "Practice manager", "phone": "555-01"})
    assert "Enter a phone number patients can call" in response.content.decode()
    assert not CivilRightsCoordinator.objects.exists()
