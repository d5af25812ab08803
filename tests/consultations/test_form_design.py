"""The request form's shape (issue 18, item 6): three groups with legends, optional
questions marked "(optional)" and no asterisks, "another language" asked only when chosen,
the error summary in the order of the fields; and the privacy page, read from settings."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

URL = "/consultation/"
BELLEVUE_URL = "/bellevue/consultation/"

pytestmark = pytest.mark.django_db


def legends(html):
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)
    ]


def test_the_form_groups_its_questions_under_three_legends(client, bellevue):
    html = client.get(BELLEVUE_URL).content.decode()
    groups = re.findall(
        r'<fieldset[^>]*class="form-group-box"[^>]*>\s*<legend>([^<]+)</legend>', html
    )
    assert groups == ["About you", "How to reach you", "Your visit"]
    about = html.split(">About you</legend>", 1)[1].split("</fieldset>", 1)[0]
    assert 'name="first_name"' in about and 'name="last_name"' in about
    reach = html.split(">How to reach you</legend>", 1)[1]
    assert (
        reach.index('name="contact_method"')
        < reach.index('name="phone"')
        < reach.index('name="email"')
    )


def test_optional_questions_say_so_and_required_ones_carry_no_asterisk(client, bellevue):
    html = client.get(BELLEVUE_URL).content.decode()
    assert "asteriskField" not in html
    assert "marked *" not in html
    assert "Best time to reach you (optional)" in legends(html)
    assert "Message (optional)" in html


def test_spanish_form_marks_optional_questions_in_spanish(client, bellevue):
    html = client.get("/es/bellevue/consulta/").content.decode()
    assert "Mejor hora para contactarle (opcional)" in legends(html)
    assert re.findall(r"<legend>([^<]+)</legend>", html)[:3] == [
        "Sobre usted",
        "Cómo contactarle",
        "Su cita",
    ]


def test_another_language_box_sits_in_its_own_wrapper_for_the_show_when_chosen_rule(
    client, bellevue
):
    """static/css/site.css shows .language-other only while "Another language" is ticked
    (CSS :has, so no script is needed); its label says when to answer it."""
    html = client.get(BELLEVUE_URL).content.decode()
    wrapper = html.split('class="language-other"', 1)[1].split("</div>\n</div>", 1)[0]
    assert 'name="preferred_language_other"' in wrapper
    assert "If you chose another language, which one?" in wrapper
    css = (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_text()
    assert 'input[name="preferred_language"][value="other"]:checked' in css
    assert "@supports selector(:has(a))" in css  # older browsers: always shown


def test_error_summary_lists_problems_in_the_order_of_the_fields(client, valid_form_data):
    """Phone is the fifth question; its error was once listed last (it is checked last)."""
    data = {**valid_form_data, "first_name": "", "phone": "", "email": "", "consent": ""}
    data.pop("topic")
    html = client.post(BELLEVUE_URL, data).content.decode()
    summary = html.split('id="form-errors"', 1)[1].split("</ul>", 1)[0]
    linked = re.findall(r'<a href="#id_([a-z_]+?)(?:_0)?">', summary)
    assert linked == ["first_name", "phone", "topic", "consent"]


def test_the_form_links_to_the_privacy_page(client, bellevue):
    html = client.get(BELLEVUE_URL).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert 'href="/privacy/"' in main


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/privacy/", "What we keep and for how long"),
        ("/es/privacidad/", "Qué guardamos y por cuánto tiempo"),
    ],
)
def test_privacy_page_in_both_languages_is_linked_from_the_footer(client, db, path, heading):
    html = client.get(path).content.decode()
    assert f"<h1>{heading}</h1>" in html
    footer = html[html.index("<footer") :]
    assert f'href="{path}"' in footer


def test_privacy_page_reads_what_it_says_from_the_settings(client, db, settings):
    settings.CONSULTATION_RETENTION_DAYS = 90
    settings.CSRF_COOKIE_NAME = "csrftoken"
    text = re.sub(r"<[^>]+>", " ", client.get("/privacy/").content.decode())
    text = re.sub(r"\s+", " ", text)
    assert "After it is closed and 90 days have passed with no change, we delete it." in text
    assert "csrftoken" in text and "mod_thanks" in text
    assert "gone after 24 hours" in text
    # The form's own questions, not a copy of them.
    for label in ("First name", "Phone number", "E-mail address", "Best time to reach you"):
        assert label in text
    assert "daily totals" in text and "never saved in our database" in text
    settings.CONSULTATION_RETENTION_DAYS = 30
    cache.clear()  # the page is kept; a new setting comes with a restart, which clears it
    assert "30 days have passed" in client.get("/privacy/").content.decode()


def test_privacy_page_says_nothing_of_visit_counts_when_they_are_off(client, db, settings):
    settings.VISIT_COUNTS = False
    assert "How we count visits" not in client.get("/privacy/").content.decode()


@pytest.mark.parametrize("slug", ["privacy", "privacidad"])
def test_a_location_cannot_take_the_privacy_pages_address(slug):
    from django.core.exceptions import ValidationError

    from pages.models import Location

    with pytest.raises(ValidationError):
        Location(name="X", slug=slug).full_clean()
