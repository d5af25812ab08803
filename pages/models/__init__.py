"""The pages app's models, one module per area; every name is importable from
`pages.models` as before the split (migrations, other apps and tests use them).

- locations: clinics and the checks on what staff type in;
- opening_hours: weekly opening hours and closure dates;
- content: clinical reviews and content updates of patient pages;
- notices: Section 1557 (language taglines, the civil rights coordinator);
- visits: daily page-view counts.
How a clinic is shown on a page is `pages.presentation`.
"""

from ..presentation import UPCOMING_CLOSURE_DAYS, ZONE_NAMES
from .content import (
    LANGUAGE_CHOICES,
    REVIEW_MAX_AGE_DAYS,
    ClinicalReview,
    ClinicalReviewQuerySet,
    ContentUpdate,
    ContentUpdateQuerySet,
    PatientPage,
)
from .locations import (
    RESERVED_SLUGS,
    Location,
    LocationQuerySet,
    default_time_zone,
    validate_e164_phone,
    validate_postal_code,
    validate_slug_not_reserved,
    validate_street_address,
    validate_time_zone,
)
from .notices import (
    CivilRightsCoordinator,
    LanguageTagline,
    LanguageTaglineQuerySet,
    validate_language_code,
)
from .opening_hours import ClosureDate, OpeningHours, Weekday, find_overlaps
from .visits import DailyPageViews

__all__ = [
    "LANGUAGE_CHOICES",
    "RESERVED_SLUGS",
    "REVIEW_MAX_AGE_DAYS",
    "UPCOMING_CLOSURE_DAYS",
    "ZONE_NAMES",
    "CivilRightsCoordinator",
    "ClinicalReview",
    "ClinicalReviewQuerySet",
    "ClosureDate",
    "ContentUpdate",
    "ContentUpdateQuerySet",
    "DailyPageViews",
    "LanguageTagline",
    "LanguageTaglineQuerySet",
    "Location",
    "LocationQuerySet",
    "OpeningHours",
    "PatientPage",
    "Weekday",
    "default_time_zone",
    "find_overlaps",
    "validate_e164_phone",
    "validate_language_code",
    "validate_postal_code",
    "validate_slug_not_reserved",
    "validate_street_address",
    "validate_time_zone",
]
