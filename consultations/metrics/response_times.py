"""Response-time rules: when first contact is due (the clinic's target in its opening
hours) and how long first contact took. Worked out once, when a request is stored and when
it is first contacted, and kept on the row; the business-time arithmetic is `pages.hours`."""

from datetime import UTC

from django.conf import settings
from django.db.models import Q

from pages import hours
from staff import targets
from staff.targets import target_minutes as target_minutes

from ..models import ConsultationRequest
from .config import parse_week


def default_schedule(time_zone):
    return hours.Schedule(
        time_zone=time_zone, intervals=parse_week(settings.CONSULTATION_DEFAULT_HOURS)
    )


def schedule_for(location):
    """The clinic's opening hours; a clinic with none entered uses the site-wide week
    (CONSULTATION_DEFAULT_HOURS) in its time zone, keeping its closure dates."""
    schedule = location.schedule()
    if schedule.is_empty():
        fallback = default_schedule(schedule.time_zone)
        return hours.Schedule(fallback.time_zone, fallback.intervals, schedule.closed_dates)
    return schedule


def due_at(location, received_at, schedule=None):
    """When first contact is due for a request received at `received_at`."""
    return targets.due_at(location, received_at, schedule or schedule_for(location))


def first_contact_minutes(schedule, received_at, contacted_at):
    """(business minutes, clock minutes) from receipt to first contact, whole minutes."""
    business = hours.business_minutes_between(schedule, received_at, contacted_at)
    # In UTC: Python subtracts two times in the same zone by their wall clocks, which is
    # an hour off across a clock change.
    elapsed = contacted_at.astimezone(UTC) - received_at.astimezone(UTC)
    clock = max(elapsed.total_seconds(), 0) / 60
    return round(business), round(clock)


def stamp_first_contact(queryset, at):
    """Mark the requests in `queryset` first contacted at `at`, with the time it took.
    Staff select at most a page of requests, so this is a bounded batch."""
    rows = list(queryset.select_related("location"))
    schedules = {}
    for row in rows:
        if row.location_id not in schedules:
            schedules[row.location_id] = schedule_for(row.location)
        apply_first_contact(row, at, schedules[row.location_id])
    ConsultationRequest.objects.bulk_update(
        rows,
        ["first_contacted_at", "first_contact_business_minutes", "first_contact_minutes"],
        batch_size=500,
    )
    return len(rows)


def apply_first_contact(request, at, schedule=None):
    """Set first contact on an unsaved or to-be-saved request."""
    schedule = schedule or schedule_for(request.location)
    request.first_contacted_at = at
    request.first_contact_business_minutes, request.first_contact_minutes = first_contact_minutes(
        schedule, request.created_at, at
    )


def backfill(queryset, recompute=False, batch_size=500):
    """Fill in due times and response times on stored requests (older rows, or after the
    opening hours were corrected with `recompute`). Returns the number of rows changed."""
    if not recompute:
        queryset = queryset.filter(
            Q(due_at__isnull=True)
            | Q(first_contacted_at__isnull=False, first_contact_business_minutes__isnull=True)
        )
    schedules, changed, batch = {}, 0, []
    fields = ["due_at", "first_contact_business_minutes", "first_contact_minutes"]
    for row in queryset.select_related("location").order_by("pk").iterator(batch_size):
        if row.location_id not in schedules:
            schedules[row.location_id] = schedule_for(row.location)
        schedule = schedules[row.location_id]
        row.due_at = due_at(row.location, row.created_at, schedule)
        if row.first_contacted_at is not None:
            apply_first_contact(row, row.first_contacted_at, schedule)
        batch.append(row)
        if len(batch) >= batch_size:
            ConsultationRequest.objects.bulk_update(batch, fields)
            changed += len(batch)
            batch = []
    if batch:
        ConsultationRequest.objects.bulk_update(batch, fields)
        changed += len(batch)
    return changed
