"""The Spanish site under /es/: every page in Spanish, the same facts as the English
treatment page, plain enough to read, and tied to its English twin by links and hreflang."""

import json
import re
from html.parser import HTMLParser

import pytest
import textstat
from django.utils import translation
from test_treatment_copy import LOCATIONS, PageParser

pytestmark = pytest.mark.django_db

# The same page in both languages (Spanish path words under /es/).
PAIRS = [
    ("/", "/es/"),
    ("/bellevue/", "/es/bellevue/"),
    ("/gretna/", "/es/gretna/"),
    ("/bellevue/isotretinoin/", "/es/bellevue/isotretinoina/"),
    ("/gretna/isotretinoin/", "/es/gretna/isotretinoina/"),
    ("/consultation/", "/es/consulta/"),
    ("/bellevue/consultation/", "/es/bellevue/consulta/"),
    ("/consultation/thanks/", "/es/consulta/gracias/"),
    ("/nondiscrimination/", "/es/no-discriminacion/"),
    ("/language-assistance/", "/es/ayuda-con-idiomas/"),
    ("/locations/", "/es/clinicas/"),
]
SPANISH_PAGES = [spanish for _, spanish in PAIRS]
ENGLISH_PAGES = [english for english, _ in PAIRS]

# Each fact's key terms in the Spanish text (isotretinoin-facts.md, F01-F20).
FACTS_ES = {
    "F01": ["acné grave", "quístico", "nodular"],
    "F02": ["tópico", "antibióticos", "no han funcionado"],
    "F03": ["medicamento fuerte", "por la boca", "receta"],
    "F04": ["duradera", "permanente"],
    "F05": ["síntomas", "forma segura", "efectos secundarios"],
    "F06": ["sebo", "glándulas de grasa", "menos grasa"],
    "F07": ["Cutibacterium acnes", "P. acnes", "nivel normal"],
    "F08": ["células", "poros abiertos", "puntos negros", "puntos blancos"],
    "F09": ["calma la inflamación", "enrojecimiento", "hinchazón"],
    "F10": ["demasiado sebo", "poros tapados", "bacterias", "inflamación"],
    "F11": ["dermatólogo cada mes", "progreso"],
    "F12": ["análisis de sangre cada mes", "hígado", "conteo de sangre", "lípidos en ayunas"],
    "F13": [
        "defectos de nacimiento",
        "pruebas de embarazo",
        "dos métodos anticonceptivos",
        "iPLEDGE",
    ],
    "F14": ["FPS 30", "ropa protectora", "mediodía"],
    "F15": ["seca", "membranas mucosas", "crema hidratante", "bálsamo para labios"],
    "F16": ["frágil", "depilación con cera", "láser", "ejercicio"],
    "F17": ["depresión", "ánimo", "apoyo"],
    "F18": ["done sangre", "un mes"],
    "F19": ["primera cita", "seguridad", "preguntas"],
    "F20": ["a su medida", "pida una consulta"],
}

MIN_SZIGRISZT_PAZOS = 65  # INFLESZ "bastante fácil"


class HeadLinks(HTMLParser):
    """<html lang>, hreflang alternates, og:locale, JSON-LD and language links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang = None
        self.alternates = {}
        self.meta = {}
        self.json_ld = []
        self.language_links = []  # (href, lang, hreflang, text)
        self._json = False
        self._link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "alternate":
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "meta" and attrs.get("property"):
            self.meta.setdefault(attrs["property"], attrs.get("content"))
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._json = True
            self.json_ld.append("")
        elif tag == "a" and attrs.get("hreflang"):
            self._link = [attrs.get("href"), attrs.get("lang"), attrs["hreflang"], ""]

    def handle_endtag(self, tag):
        if tag == "script":
            self._json = False
        elif tag == "a" and self._link:
            self.language_links.append(tuple(self._link))
            self._link = None

    def handle_data(self, data):
        if self._json:
            self.json_ld[-1] += data
        if self._link:
            self._link[3] += data


def head(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    parser = HeadLinks()
    parser.feed(response.content.decode())
    return parser


def main_text(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


@pytest.mark.parametrize("path", SPANISH_PAGES)
def test_every_spanish_page_is_marked_spanish(client, path):
    page = head(client, path)
    assert page.lang == "es"
    assert page.meta["og:locale"] == "es_US"
    assert page.meta["og:locale:alternate"] == "en_US"


@pytest.mark.parametrize("path", ENGLISH_PAGES)
def test_english_pages_keep_their_addresses_and_are_marked_english(client, path):
    page = head(client, path)
    assert page.lang == "en"
    assert page.meta["og:locale"] == "en_US"


@pytest.mark.parametrize(("english", "spanish"), PAIRS)
def test_hreflang_pairs_are_reciprocal_with_x_default(client, english, spanish):
    expected = {
        "en": f"http://testserver{english}",
        "es": f"http://testserver{spanish}",
        "x-default": f"http://testserver{english}",
    }
    assert head(client, english).alternates == expected
    assert head(client, spanish).alternates == expected


@pytest.mark.parametrize(("english", "spanish"), PAIRS)
def test_the_language_link_lands_on_the_same_page_in_the_other_language(client, english, spanish):
    to_spanish = head(client, english).language_links
    assert to_spanish and set(to_spanish) == {(spanish, "es", "es", "Español")}
    to_english = head(client, spanish).language_links
    assert to_english and set(to_english) == {(english, "en", "en", "English")}
    # Following it gives the other language's page, not a redirect or a 404.
    assert head(client, spanish).lang == "es"


def test_the_language_comes_from_the_address_alone(client):
    # No cookie, no Accept-Language: a Spanish-speaking browser still gets the English
    # page at an English address (and is offered the link), and the reverse.
    response = client.get("/bellevue/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    client.cookies["django_language"] = "es"
    assert '<html lang="en">' in client.get("/").content.decode()
    response = client.get("/es/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert '<html lang="es">' in response.content.decode()
    assert not response.cookies
    # The page never varies by the browser's language, so shared caches keep one copy.
    assert "Accept-Language" not in response.get("Vary", "")
    assert response["Content-Language"] == "es"


@pytest.mark.parametrize("fact_id", sorted(FACTS_ES))
@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_every_fact_is_on_every_spanish_treatment_page(client, slug, fact_id):
    text = main_text(client, f"/es/{slug}/isotretinoina/").main_text.lower()
    missing = [term for term in FACTS_ES[fact_id] if term.lower() not in text]
    assert not missing, f"{fact_id} is missing on /es/{slug}/isotretinoina/: no {missing}"


@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_spanish_treatment_page_names_only_its_own_clinic(client, slug):
    response = client.get(f"/es/{slug}/isotretinoina/")
    content = response.content.decode().lower()
    page = PageParser()
    page.feed(response.content.decode())
    assert len(page.h1s) == 1 and LOCATIONS[slug] in page.h1s[0]
    for other_slug, other_name in LOCATIONS.items():
        if other_slug != slug:
            assert other_name.lower() not in content
    cta = [
        text for href, text, in_main in page.links if in_main and href == f"/es/{slug}/consulta/"
    ]
    assert f"Pida una consulta en {LOCATIONS[slug]}" in cta


def test_a_clinic_added_in_the_admin_gets_its_spanish_pages(client, make_location):
    make_location(name="Papillion")
    for path in ("/es/papillion/", "/es/papillion/isotretinoina/", "/es/papillion/consulta/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="es">' in html and "Papillion" in html
    text = main_text(client, "/es/papillion/isotretinoina/").main_text.lower()
    missing = [t for terms in FACTS_ES.values() for t in terms if t.lower() not in text]
    assert not missing, missing
    for name in LOCATIONS.values():
        assert name.lower() not in client.get("/es/papillion/isotretinoina/").content.decode()


def _sentences(text):
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]


@pytest.mark.parametrize(("english", "spanish"), PAIRS)
def test_no_english_sentence_is_left_on_a_spanish_page(client, english, spanish):
    english_sentences = _sentences(main_text(client, english).main_text)
    assert english_sentences
    # Text marked lang="en" (an agency's postal address) is English on purpose.
    html = client.get(spanish).content.decode()
    html = re.sub(r'<(\w+)[^>]*\blang="en"[^>]*>.*?</\1>', "", html, flags=re.S)
    parser = PageParser()
    parser.feed(html)
    spanish_text = parser.main_text
    assert len(spanish_text.split()) > 20
    left = [sentence for sentence in english_sentences if sentence in spanish_text]
    assert not left, f"{spanish} still says, in English: {left}"


def test_spanish_treatment_page_uses_the_fixed_terms_and_usted(client):
    text = main_text(client, "/es/bellevue/isotretinoina/").main_text
    for term in ("isotretinoína", "dermatólogo", "iPLEDGE", "FPS 30"):
        assert term in text
    lowered = text.lower()
    # No unaccented or English variants of the fixed terms, and no "tú" forms.
    for wrong in (
        "isotretinoina",
        "isotretinoin ",
        "dermatologo",
        "spf",
        " tú ",
        "puedes",
        "tienes",
        "debes",
        "tu piel",
        "tus ",
    ):
        assert wrong not in lowered, wrong


@pytest.mark.parametrize("slug", sorted(LOCATIONS))
def test_spanish_treatment_page_reads_easily(client, slug):
    text = main_text(client, f"/es/{slug}/isotretinoina/").main_text
    textstat.set_lang("es")
    try:
        szigriszt = textstat.szigriszt_pazos(text)
        huerta = textstat.fernandez_huerta(text)
        words = textstat.lexicon_count(text)
    finally:
        textstat.set_lang("en_US")
    print(f"/es/{slug}/isotretinoina/: Szigriszt-Pazos {szigriszt}, Fernández-Huerta {huerta}")
    assert words > 500, "the Spanish page copy is missing"
    assert szigriszt >= MIN_SZIGRISZT_PAZOS, f"Szigriszt-Pazos {szigriszt} < 65"


def test_spanish_json_ld_says_spanish(client):
    page = head(client, "/es/gretna/isotretinoina/")
    data = {block["@type"]: block for block in map(json.loads, page.json_ld)}
    medical = data["MedicalWebPage"]
    assert medical["inLanguage"] == "es"
    assert medical["name"] == "Isotretinoína para el acné grave"
    assert medical["url"] == "http://testserver/es/gretna/isotretinoina/"


def test_sitemap_lists_both_languages_with_alternates(client, make_location):
    make_location(name="Papillion")
    xml = client.get("/sitemap.xml").content.decode()
    assert 'xmlns:xhtml="http://www.w3.org/1999/xhtml"' in xml
    urls = re.findall(r"<url>(.*?)</url>", xml, flags=re.S)
    entries = {re.search(r"<loc>([^<]+)</loc>", url)[1]: url for url in urls}
    for english, spanish in [
        *PAIRS[:5],
        ("/papillion/isotretinoin/", "/es/papillion/isotretinoina/"),
    ]:
        for loc in (english, spanish):
            entry = entries[f"http://testserver{loc}"]
            assert f'hreflang="en" href="http://testserver{english}"' in entry
            assert f'hreflang="es" href="http://testserver{spanish}"' in entry
            assert f'hreflang="x-default" href="http://testserver{english}"' in entry
    # Forms and thank-you are not for search.
    assert not any("consult" in loc for loc in entries)


def test_spanish_404_is_in_spanish(client):
    response = client.get("/es/no-existe/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="es">' in html
    assert "No encontramos esa página" in html
    assert 'rel="alternate"' not in html
    # An unknown clinic's Spanish treatment page too.
    response = client.get("/es/no-existe/isotretinoina/")
    assert response.status_code == 404
    assert "No encontramos esa página" in response.content.decode()


def test_english_404_stays_english(client):
    html = client.get("/no-such-page/").content.decode()
    assert '<html lang="en">' in html and "We can't find that page" in html
    assert 'href="/es/" lang="es" hreflang="es">Español</a>' in html


def test_server_error_pages_speak_the_visitors_language(rf, db):
    from pages import outage

    for code, heading in (("es", "Lo sentimos, algo salió mal"), ("en", "Sorry, something")):
        with translation.override(code):
            response = outage.server_error(rf.get("/"))
        html = response.content.decode()
        assert response.status_code == 500
        assert f'<html lang="{code}">' in html and heading in html


def test_database_outage_page_speaks_the_visitors_language(rf, db):
    from django.db import OperationalError

    from pages import outage

    with translation.override("es"):
        try:
            raise OperationalError("down")
        except OperationalError:
            response = outage.server_error(rf.post("/es/consulta/"))
    html = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="es">' in html
    assert "Su solicitud no se guardó." in html


@pytest.fixture
def page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


def test_page_cache_keeps_the_languages_apart(client, page_cache_on):
    for _ in range(2):  # the second round is served from the cache
        english = client.get("/bellevue/").content.decode()
        spanish = client.get("/es/bellevue/").content.decode()
        assert '<html lang="en">' in english and '<html lang="es">' in spanish
        treatment = client.get("/es/bellevue/isotretinoina/").content.decode()
        assert "Isotretinoína para el acné grave" in treatment


def test_spanish_path_words_are_reserved_for_location_slugs(make_location):
    from django.core.exceptions import ValidationError

    for slug in ("es", "consulta", "no-discriminacion", "ayuda-con-idiomas", "nondiscrimination"):
        location = make_location(name=f"Place {slug}", slug=slug)
        with pytest.raises(ValidationError):
            location.full_clean()


def test_a_refused_upload_is_explained_in_the_pages_language(client):
    for path, lang, heading in (
        ("/es/consulta/", "es", "No pudimos leer este formulario"),
        ("/consultation/", "en", "We could not read this form"),
    ):
        response = client.generic(
            "POST", path, b"--x--", content_type="multipart/form-data; boundary=x"
        )
        assert response.status_code == 415
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html and heading in html
