"""Checks on the isotretinoin page copy, for every clinic location.

The facts F01-F20 come from shared/content/isotretinoin-facts.md (beside the repository).
Each fact is checked by a few key terms that carry its meaning, in the visible text of <main>.
"""

import datetime
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import textstat
from django.utils import dateformat

LOCATIONS = {"bellevue": "Bellevue", "gretna": "Gretna"}

MAX_GRADE = 8.0

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "pages"
# The page and its medical text, one include per language.
TREATMENT_TEMPLATES = [
    TEMPLATES / "isotretinoin.html",
    *sorted((TEMPLATES / "isotretinoin").glob("*.html")),
]

FACTS = {
    # Who it is for
    "F01": ["severe acne", "cystic", "nodular"],
    "F02": ["topical", "antibiotics", "have not worked"],
    "F03": ["strong medicine", "by mouth", "prescription"],
    "F04": ["long-lasting", "permanent"],
    "F05": ["symptoms", "safely", "side effects"],
    # How it works
    "F06": ["sebum", "oil glands", "less oil"],
    "F07": ["Cutibacterium acnes", "P. acnes", "normal level"],
    "F08": ["skin cells", "pores open", "blackheads", "whiteheads"],
    "F09": ["calms inflammation", "redness", "swelling"],
    "F10": ["too much sebum", "clogged pores", "bacteria", "inflammation"],
    # What to expect during treatment
    "F11": ["dermatologist every month", "progress"],
    "F12": ["blood tests every month", "liver", "blood count", "fasting lipids"],
    "F13": ["birth defects", "pregnancy test", "two forms of birth control", "iPLEDGE"],
    "F14": ["SPF 30", "protective clothing", "midday"],
    "F15": ["dry", "mucous membranes", "moisturizer", "lip balm"],
    "F16": ["fragile", "waxing", "laser", "exercise"],
    "F17": ["depression", "mood", "support"],
    "F18": ["donate blood", "one month"],
    # First appointment and next step
    "F19": ["first appointment", "safety", "questions"],
    "F20": ["tailored", "request a consultation"],
}


class PageParser(HTMLParser):
    """Collects the visible text of <main>, the <h1> texts and the links on a page."""

    SKIP = {"script", "style", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self._main_depth = 0
        self._skip_depth = 0
        self._h1 = None
        self._link = None
        self.main_parts = []
        self.h1s = []
        self.links = []  # (href, text, inside <main>)

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self._main_depth += 1
        elif tag in self.SKIP:
            self._skip_depth += 1
        elif tag == "h1":
            self._h1 = []
        elif tag == "a":
            self._link = (dict(attrs).get("href"), [], bool(self._main_depth))

    def handle_endtag(self, tag):
        if tag == "main":
            self._main_depth -= 1
        elif tag in self.SKIP:
            self._skip_depth -= 1
        elif tag == "h1" and self._h1 is not None:
            self.h1s.append(_squash(" ".join(self._h1)))
            self._h1 = None
        elif tag == "a" and self._link is not None:
            href, parts, in_main = self._link
            self.links.append((href, _squash(" ".join(parts)), in_main))
            self._link = None

    def handle_data(self, data):
        if self._skip_depth:
            return
        if self._main_depth:
            self.main_parts.append(data)
        if self._h1 is not None:
            self._h1.append(data)
        if self._link is not None:
            self._link[1].append(data)

    @property
    def main_text(self):
        return _squash(" ".join(self.main_parts))


def _squash(text):
    return re.sub(r"\s+", " ", text).strip()


def fetch(client, slug):
    response = client.get(f"/{slug}/isotretinoin/")
    assert response.status_code == 200, f"/{slug}/isotretinoin/ gave {response.status_code}"
    content = response.content.decode()
    parser = PageParser()
    parser.feed(content)
    parser.close()
    return response, content, parser


@pytest.mark.django_db
@pytest.mark.parametrize("fact_id", sorted(FACTS))
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_every_fact_is_on_every_location_page(client, slug, fact_id):
    _, _, page = fetch(client, slug)
    text = page.main_text.lower()
    missing = [term for term in FACTS[fact_id] if term.lower() not in text]
    assert not missing, f"{fact_id} is missing on /{slug}/isotretinoin/: no {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_one_h1_naming_the_location(client, slug):
    _, _, page = fetch(client, slug)
    assert len(page.h1s) == 1, f"expected exactly one <h1>, found {page.h1s}"
    assert LOCATIONS[slug] in page.h1s[0]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_page_names_only_its_own_location(client, slug):
    _, content, page = fetch(client, slug)
    assert LOCATIONS[slug] in page.main_text
    for other_slug, other_name in LOCATIONS.items():
        if other_slug != slug:
            assert other_name.lower() not in content.lower(), (
                f"/{slug}/isotretinoin/ names {other_name}"
            )


@pytest.mark.parametrize("template", TREATMENT_TEMPLATES, ids=lambda path: path.name)
def test_template_writes_no_place_name(template):
    source = template.read_text(encoding="utf-8")
    for name in LOCATIONS.values():
        assert name.lower() not in source.lower(), f"{template.name} names {name} literally"


def test_there_is_a_body_for_every_language(settings):
    bodies = {path.name for path in TREATMENT_TEMPLATES}
    for code, _ in settings.LANGUAGES:
        assert f"_body_{code}.html" in bodies


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_reading_level_is_8th_grade_or_below(client, slug):
    _, _, page = fetch(client, slug)
    text = page.main_text
    grade = textstat.flesch_kincaid_grade(text)
    print(f"/{slug}/isotretinoin/: Flesch-Kincaid grade {grade}")
    assert textstat.lexicon_count(text) > 500, "the page copy is missing"
    assert grade <= MAX_GRADE, f"/{slug}/isotretinoin/ reads at grade {grade}, above {MAX_GRADE}"


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_disclaimer_and_content_date(client, slug):
    # No clinical review is recorded: the page gives the date its text was updated (kept
    # from the old date in code by a migration) and names no reviewer.
    response, content, page = fetch(client, slug)
    text = page.main_text.lower()
    assert "not medical advice" in text
    assert "911" in text
    assert "not for urgent" in text
    assert "medical history" in text
    updated = response.context["content_update"].updated_on
    assert updated == datetime.date(2026, 11, 23)
    expected = (
        f'Content updated <time datetime="{updated:%Y-%m-%d}">'
        f"{dateformat.format(updated, 'F j, Y')}</time>"
    )
    assert expected in _squash(content), f"no {expected!r} on the page"
    assert "reviewed by" not in text


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_call_to_action_links_to_this_locations_form(client, slug):
    _, _, page = fetch(client, slug)
    target = f"/{slug}/consultation/"
    ctas = [text for href, text, in_main in page.links if in_main and href == target]
    assert ctas, f"no call-to-action link to {target} in <main>"
    assert any("consultation" in text.lower() and LOCATIONS[slug] in text for text in ctas), (
        f"the link to {target} does not name {LOCATIONS[slug]}: {ctas}"
    )
    for href, _, _ in page.links:
        for other_slug in LOCATIONS:
            if other_slug != slug:
                assert href is None or f"/{other_slug}/" not in href


def test_empty_location_details_leave_no_gaps(client, bellevue):
    bellevue.phone = bellevue.street_address = bellevue.city = bellevue.map_url = ""
    bellevue.save()
    _, content, page = fetch(client, "bellevue")
    # No clinic phone, so no call button: the only numbers to call are the crisis lines.
    assert set(re.findall(r'href="tel:([^"]*)"', content)) == {"988", "911"}
    assert "Call (" not in page.main_text
    for label in ("Phone:", "Hours:", "None", "Map and directions"):
        assert label not in page.main_text


def test_filled_location_details_are_shown(client, gretna):
    gretna.phone = "+14025550100"
    gretna.street_address = "1 Example Street"
    gretna.city, gretna.state, gretna.postal_code = "Gretna", "NE", "68028"
    gretna.map_url = "https://maps.example.com/gretna"
    gretna.save()
    _, content, page = fetch(client, "gretna")
    assert 'href="tel:+14025550100"' in content
    assert "(402) 555-0100" in page.main_text
    assert "1 Example Street" in page.main_text
    assert "Gretna, NE 68028" in page.main_text
    assert 'href="https://maps.example.com/gretna"' in content


def test_a_location_added_later_gets_its_own_page(client, make_location):
    make_location(name="Omaha")
    _, content, page = fetch(client, "omaha")
    assert len(page.h1s) == 1 and "Omaha" in page.h1s[0]
    text = page.main_text.lower()
    missing = [term for terms in FACTS.values() for term in terms if term.lower() not in text]
    assert not missing, missing
    assert ("/omaha/consultation/", "Request a consultation in Omaha", True) in page.links
    for name in LOCATIONS.values():
        assert name.lower() not in content.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/bellevue/isotretinoin/", "/es/bellevue/isotretinoina/"])
def test_crisis_lines_988_and_911_are_links_a_phone_can_call(client, path):
    content = client.get(path).content.decode()
    assert 'href="tel:988"' in content
    assert 'href="tel:911"' in content


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_on_this_page_links_to_every_section(client, slug):
    content = client.get(f"/{slug}/isotretinoin/").content.decode()
    contents = re.search(r'<nav class="contents-list".*?</nav>', content, re.S)[0]
    linked = set(re.findall(r'href="#([^"]+)"', contents))
    sections = set(re.findall(r'<section[^>]*aria-labelledby="([^"]+)"', content))
    # The key points and the next step sit above the list; every section after it is linked.
    assert sections - {"key-points", "next-step-top"} <= linked
    assert all(f'id="{anchor}"' in content for anchor in linked)


def test_a_clinic_with_a_phone_gets_a_call_button_beside_the_request(client, gretna):
    gretna.phone = "+14025550100"
    gretna.save()
    _, _, page = fetch(client, "gretna")
    calls = [text for href, text, _ in page.links if href == "tel:+14025550100"]
    assert calls.count("Call (402) 555-0100") == 2  # after the key points and at the end
