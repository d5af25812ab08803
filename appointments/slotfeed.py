"""The public free-slot feed, in the SMART Scheduling Links format: a manifest at
`/$bulk-publish` listing a Location file, a Schedule file (one schedule per appointment
type) and one Slot file per clinic. Each Slot is a time of the booking page's grid,
`free` when the page offers it and `busy` when it is taken, blocked or the clinic is
closed, with a deep link to the booking page with that time chosen. No patient data:
only clinics, types and times.

Cheap at 1,000 clinics: every file is built once and kept in the shared cache under a
version token, as pages.sitemaps does. A booking, block or closure drops only its own
clinic's Slot file; a clinic, type or window change drops the manifest and the Location
and Schedule files too. Kept files also go after KEEP_SECONDS, since times pass the
minimum notice as the clock moves. Answers carry an ETag and Last-Modified; a client that
has the file gets 304 Not Modified.
"""

import datetime
import json
import logging
import uuid
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from pages import kept as kept_files
from pages.models import ClosureDate, Location
from pages.origin import site_origin

from . import fhir, slots
from .models import AppointmentType, BookableWindow, Booking, BookingBlock

logger = logging.getLogger(__name__)

# Clients poll every one to five minutes; a kept Slot file is at most this old.
KEEP_SECONDS = 5 * 60
EVERY = "all"
DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
NDJSON = "application/fhir+ndjson"
# Grid times that are not free but are published as busy (help clients see capacity).
BUSY = {slots.FULL, slots.BLOCKED, slots.CLOSED}


def _version_key(scope):
    return f"slotfeed:version:{scope}"


def drop(location_id=None):
    """Forget the kept files of one clinic's slots (`location_id`), or of everything
    (None), now and again after the current transaction commits."""
    scopes = [EVERY] if location_id is None else [location_id]

    def renew():
        for scope in scopes:
            try:
                cache.set(_version_key(scope), uuid.uuid4().hex, timeout=None)
            except Exception:
                logger.warning("Could not drop the kept slot feed: the cache is not answering.")

    renew()
    transaction.on_commit(renew)


def _version(scope):
    key = _version_key(scope)
    version = cache.get(key)
    if version is None:  # a new or cleared cache
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def bookable_types():
    return (
        AppointmentType.objects.bookable()
        .select_related("location")
        .prefetch_related("windows")
        .order_by("location_id", "sort_order", "pk")
    )


def clinics():
    return Location.objects.active().filter(
        pk__in=AppointmentType.objects.bookable().values("location_id")
    )


def slot_id(kind, start):
    return f"{kind.pk}-{start.astimezone(datetime.UTC):%Y%m%d%H%M}"


def deep_link(origin, kind, local_start):
    with translation.override("en"):
        path = reverse("appointments:book", kwargs={"slug": kind.location.slug})
    query = urlencode({"type": kind.pk, "start": local_start.isoformat()})
    return f"{origin}{path}?{query}"


def grid_slots(kind, now):
    """(start UTC, status) for every time of the type's grid in its bookable days that is
    free or busy; times within the notice or beyond the horizon are not published."""
    first, last = slots.bookable_days(kind, now)
    if last < first:
        return []
    availability = slots.load(kind, first, last)
    found = []
    day = first
    while day <= last:
        day_grid = slots.grid(availability, day)
        for start in day_grid:
            reason = slots.problem(availability, start, now, day_grid)
            if reason is None:
                found.append((start, "free"))
            elif reason in BUSY:
                found.append((start, "busy"))
        day += datetime.timedelta(days=1)
    return found


def slot_resources(origin, kinds, now):
    for kind in kinds:
        zone = kind.location.zone
        length = datetime.timedelta(minutes=kind.minutes)
        for start, status in grid_slots(kind, now):
            resource = {
                "resourceType": "Slot",
                "id": slot_id(kind, start),
                "schedule": {"reference": f"Schedule/{fhir.schedule_id(kind)}"},
                "status": status,
                "start": fhir.instant(start, zone),
                "end": fhir.instant(start + length, zone),
            }
            if status == "free":
                link = deep_link(origin, kind, start.astimezone(zone))
                resource["extension"] = [{"url": DEEP_LINK, "valueUrl": link}]
            yield resource


def _file_url(origin, name, **kwargs):
    return origin + reverse(f"slotfeed-{name}", kwargs=kwargs)


def build_manifest(origin):
    output = [
        {"type": "Location", "url": _file_url(origin, "locations")},
        {"type": "Schedule", "url": _file_url(origin, "schedules")},
    ]
    for slug in clinics().order_by("pk").values_list("slug", flat=True):
        output.append({"type": "Slot", "url": _file_url(origin, "slots", slug=slug)})
    manifest = {
        "transactionTime": timezone.now().isoformat(timespec="seconds"),
        "request": origin + reverse("slotfeed-manifest"),
        "output": output,
        "error": [],
    }
    return json.dumps(manifest, indent=1).encode(), "application/json"


def build_locations(origin):
    resources = [fhir.location_resource(c) for c in clinics().order_by("pk")]
    return fhir.to_ndjson(resources).encode(), NDJSON


def build_schedules(origin):
    resources = [fhir.schedule_resource(kind) for kind in bookable_types()]
    return fhir.to_ndjson(resources).encode(), NDJSON


def slot_builder(slug):
    def build(origin):
        kinds = list(bookable_types().filter(location__slug=slug))
        if not kinds or not kinds[0].location.is_active:
            raise Http404("This clinic publishes no slots.")
        text = fhir.to_ndjson(slot_resources(origin, kinds, timezone.now()))
        return text.encode(), NDJSON

    return build


def _kept(request, name, scope, build):
    """The kept file `name` (built by `build(origin)` when there is none), answered with
    its ETag and Last-Modified, or 304 for a client that has it already."""
    origin = site_origin(request)
    try:
        key = f"slotfeed:{_version(EVERY)}:{_version(scope)}:{origin}:{name}"
        kept = cache.get(key)
    except Exception:
        logger.warning("Slot feed built uncached: the cache is not answering.")
        key, kept = None, None
    if kept is None:
        body, content_type = build(origin)
        kept = kept_files.to_keep(body, content_type)
        if key is not None:
            try:
                cache.set(key, kept, timeout=KEEP_SECONDS)
            except Exception:
                logger.warning("Slot feed not kept: the cache is not answering.")
    return _answer(request, kept)


def _answer(request, kept):
    answer = kept_files.answer(request, kept)
    answer.headers["Cache-Control"] = "public, max-age=60"
    answer.headers["Access-Control-Allow-Origin"] = "*"
    return answer


def manifest(request):
    return _kept(request, "manifest", EVERY, build_manifest)


def locations(request):
    return _kept(request, "locations", EVERY, build_locations)


def schedules(request):
    return _kept(request, "schedules", EVERY, build_schedules)


def clinic_slots(request, slug):
    location_id = Location.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if location_id is None:
        raise Http404("No such clinic.")
    return _kept(request, f"slots-{slug}", location_id, slot_builder(slug))


# What drops which kept files (after commit, like the sitemap).
@receiver(post_save, sender=Booking)
@receiver(post_delete, sender=Booking)
@receiver(post_save, sender=BookingBlock)
@receiver(post_delete, sender=BookingBlock)
@receiver(post_save, sender=ClosureDate)
@receiver(post_delete, sender=ClosureDate)
def clinic_times_changed(instance, **kwargs):
    drop(instance.location_id)


@receiver(post_save, sender=AppointmentType)
@receiver(post_delete, sender=AppointmentType)
@receiver(post_save, sender=BookableWindow)
@receiver(post_delete, sender=BookableWindow)
@receiver(post_save, sender=Location)
@receiver(post_delete, sender=Location)
def bookable_hours_changed(**kwargs):
    drop()
