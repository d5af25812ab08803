"""The Spanish pages in real Chromium: WCAG 2.1 A/AA (axe) at phone and desktop widths,
the form with errors too, and the language link from a page to its twin and back."""

import pytest
from playwright.sync_api import expect

from consultations.models import ConsultationRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SPANISH_PAGES = {
    "es-home": ("/es/", 200),
    "es-bellevue": ("/es/bellevue/", 200),
    "es-bellevue-isotretinoina": ("/es/bellevue/isotretinoina/", 200),
    "es-consulta": ("/es/consulta/", 200),
    "es-bellevue-consulta": ("/es/bellevue/consulta/", 200),
    "es-gracias": ("/es/consulta/gracias/", 200),
    "es-no-discriminacion": ("/es/no-discriminacion/", 200),
    "es-ayuda-con-idiomas": ("/es/ayuda-con-idiomas/", 200),
    "es-clinicas": ("/es/clinicas/", 200),
    "es-no-existe": ("/es/no-existe/", 404),
}
WIDTHS = [360, 1280]


@pytest.fixture(autouse=True)
def _quick_patients(settings):
    settings.CONSULTATION_MIN_SECONDS = 0


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", SPANISH_PAGES)
def test_spanish_page_has_no_wcag_violations(page, live_server, axe_violations, name, width):
    path, status = SPANISH_PAGES[name]
    page.set_viewport_size({"width": width, "height": 800})
    assert page.goto(live_server.url + path).status == status
    assert page.get_attribute("html", "lang") == "es"
    count, report = axe_violations(page)
    assert count == 0, report
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_spanish_form_with_errors_is_accessible_and_in_spanish(
    page, live_server, axe_violations, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.url + "/es/bellevue/consulta/")
    page.get_by_role("button", name="Enviar solicitud").click()
    summary = page.get_by_role("alert").filter(has_text="Por favor, revise sus respuestas")
    expect(summary).to_be_visible()
    summary.get_by_role("link", name="Nombre").click()
    expect(page.locator("#id_first_name")).to_be_focused()
    count, report = axe_violations(page)
    assert count == 0, report
    assert ConsultationRequest.objects.count() == 0


def test_a_patient_switches_language_and_back_on_the_same_page(page, live_server):
    page.goto(live_server.url + "/gretna/isotretinoin/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/gretna/isotretinoina/")
    assert page.get_attribute("html", "lang") == "es"
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gretna")
    page.get_by_role("navigation", name="Principal").get_by_role("link", name="English").click()
    page.wait_for_url("**/gretna/isotretinoin/")
    assert page.get_attribute("html", "lang") == "en"


def test_a_spanish_speaker_sends_the_form_in_spanish(page, live_server):
    page.goto(live_server.url + "/es/bellevue/consulta/")
    expect(page.get_by_role("radio", name="Español")).to_be_checked()
    page.locator("#id_first_name").fill("María")
    page.locator("#id_last_name").fill("Núñez")
    page.get_by_role("radio", name="Correo electrónico").check()
    page.locator("#id_email").fill("maria@example.net")
    page.get_by_label("Otro tratamiento para el acné").check()
    page.get_by_label("Paciente nuevo").check()
    page.get_by_label("Quiero un intérprete gratis en mis citas.").check()
    page.get_by_label("Acepto que el personal de MOD Dermatology me contacte").check()
    page.get_by_role("button", name="Enviar solicitud").click()
    page.wait_for_url("**/es/consulta/gracias/")
    saved = ConsultationRequest.objects.get()
    assert (saved.last_name, saved.preferred_language, saved.interpreter_needed) == (
        "Núñez",
        "es",
        True,
    )
