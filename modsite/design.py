"""The design system's component page: every component with sample data, for staff who
build or review pages. Served inside the admin (StaffAdminSite.get_urls), so only signed-in
staff can open it; the sample clinic is plainly fictional and never saved."""

from types import SimpleNamespace

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def sample_location():
    return SimpleNamespace(
        name="Example",
        slug="example",
        phone="+14025550100",
        phone_display="(402) 555-0100",
        has_address=True,
        street_lines=["1 Example Street"],
        locality_line="Example, NE 68000",
        directions_url="",
        schedule=SimpleNamespace(intervals=()),
        get_absolute_url="#",
    )


def design_page(request):
    location = sample_location()
    no_phone = SimpleNamespace(**{**vars(location), "phone": "", "name": "Example Two"})
    context = {
        "location": location,
        "no_phone_location": no_phone,
        "consultation_url": "#",
        "contents_items": [("colours", "Colours"), ("type", "Type"), ("buttons", "Buttons")],
        "summary_rows": [("Clinic", "Example"), ("Phone", "(402) 555-0100")],
        "steps": [
            (_("We have your request"), _("It is saved, and our staff can see it now.")),
            (_("We contact you"), ""),
            (_("Your visit"), _("At your visit, we will ask about your skin and your health.")),
        ],
    }
    return TemplateResponse(request, "staff/design.html", context)
