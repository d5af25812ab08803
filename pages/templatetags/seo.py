"""JSON-LD for search engines, built from data staff entered (empty fields are left out)."""

import datetime
import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from pages.origin import site_origin

register = template.Library()

# Same escaping as Django's json_script: the data can never close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def _json_ld(data):
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 escaped above


def _absolute(request, path):
    return site_origin(request) + path


_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def postal_address(location):
    fields = {
        "streetAddress": ", ".join(location.street_lines),
        "addressLocality": location.city,
        "addressRegion": location.state,
        "postalCode": location.postal_code,
    }
    fields = {key: value for key, value in fields.items() if value}
    if not fields:
        return None
    return {"@type": "PostalAddress", **fields, "addressCountry": "US"}


def opening_hours_specification(location):
    """One entry per row; a row past midnight closes at its time on the next day, which
    schema.org reads from closes < opens. Closure dates in the coming weeks are entries
    with no hours (schema.org's way to say closed that day)."""
    schedule = location.schedule()
    specs = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{_DAY_NAMES[interval.weekday]}",
            "opens": f"{interval.opens:%H:%M}",
            "closes": "23:59"
            if interval.closes == datetime.time(0)
            else f"{interval.closes:%H:%M}",
        }
        for interval in schedule.intervals
    ]
    if specs:
        for closure in location.hours_for_page()["closures"]:
            day = closure.date.isoformat()
            specs.append(
                {
                    "@type": "OpeningHoursSpecification",
                    "validFrom": day,
                    "validThrough": day,
                    "opens": "00:00",
                    "closes": "00:00",
                }
            )
    return specs


def clinic_data(request, location):
    data = {
        "@type": "MedicalClinic",
        "name": f"MOD Dermatology {location.name}",
        "url": _absolute(request, location.get_absolute_url()),
        "medicalSpecialty": "Dermatology",
    }
    address = postal_address(location)
    if address:
        data["address"] = address
    if location.latitude is not None and location.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": round(location.latitude, 4),
            "longitude": round(location.longitude, 4),
        }
    if location.phone:
        data["telephone"] = location.phone
    hours = opening_hours_specification(location)
    if hours:
        data["openingHoursSpecification"] = hours
    if location.map_url:
        data["hasMap"] = location.map_url
    if location.photo:
        data["image"] = _absolute(request, location.photo.url)
    return data


@register.simple_tag(takes_context=True)
def clinic_json_ld(context, location):
    return _json_ld({"@context": "https://schema.org", **clinic_data(context["request"], location)})


@register.simple_tag(takes_context=True)
def medical_page_json_ld(context, location, name, review, content_update, condition):
    """A MedicalWebPage in the page's language. lastReviewed and reviewedBy only from a
    recorded clinical review; a text update is only dateModified and names nobody."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": name,
        "url": _absolute(request, request.path),
        "inLanguage": get_language(),
        "about": {"@type": "MedicalCondition", "name": condition},
        "audience": {"@type": "MedicalAudience", "audienceType": "Patient"},
        "provider": clinic_data(request, location),
    }
    if review:
        data["lastReviewed"] = review.reviewed_on.isoformat()
        reviewer = {"@type": "Person", "name": review.reviewer_name}
        if review.reviewer_credentials:
            reviewer["honorificSuffix"] = review.reviewer_credentials
        data["reviewedBy"] = reviewer
    elif content_update:
        data["dateModified"] = content_update.updated_on.isoformat()
    return _json_ld(data)
