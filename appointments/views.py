"""The patient's side of booking: choose a time (server-rendered, a week at a time, works
without JavaScript), book it with one POST, and manage it through the link in the
confirmation. Never kept in the page cache: these pages show live availability."""

import datetime
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.decorators import method_decorator
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

import pages.models as pages_models
from pages.models import DailyPageViews, Location
from pages.visits import CountedPageMixin
from staff import antispam

from . import calendar, services, slots
from .forms import SALT, STARTED_FIELD, BookingForm, parse_start
from .models import AppointmentType

_DAY = datetime.timedelta(days=1)

REASONS = {
    slots.PAST: lambda: _("That time has already passed."),
    slots.NOTICE: lambda: _("That time is too soon to book online."),
    slots.HORIZON: lambda: _("That time is too far ahead to book online."),
    slots.CLOSED: lambda: _("The clinic is closed that day."),
    slots.BLOCKED: lambda: _("That time is no longer open for booking."),
    slots.NOT_OFFERED: lambda: _("That time cannot be booked online."),
    slots.FULL: lambda: _("Sorry, someone else just booked that time."),
}


def reason_text(reason):
    return REASONS.get(reason, REASONS[slots.NOT_OFFERED])()


def zone_name(location):
    names = getattr(pages_models, "ZONE_NAMES", {})
    return str(names.get(location.time_zone, location.time_zone))


def day_label(local):
    return dateformat.format(local, pgettext("booking day, e.g. Tuesday, March 10", "l, F j"))


def time_label(local):
    return dateformat.format(local, pgettext("booking time, e.g. 9:30 AM", "g:i A"))


def time_choice(local):
    """A time as the page offers it: the value sent (ISO 8601 with offset) and its words;
    the full date and time is the control's accessible name."""
    return {
        "value": local.isoformat(),
        "time": time_label(local),
        "day": day_label(local),
        "id": "t" + local.strftime("%Y%m%d%H%M"),
    }


def parse_day(value):
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def week_context(kind, params, now, exclude_booking=None, base_url=""):
    """Days of one week with free times, and the chosen day's times (clinic zone)."""
    first, last = slots.bookable_days(kind, now)
    week = parse_day(params.get("week")) or first
    week = min(max(week, first), max(last, first))
    week_end = week + 6 * _DAY
    availability = slots.load(kind, week, week_end, exclude_booking=exclude_booking)
    days = slots.by_day(slots.free_times(availability, now), kind.location.zone)
    chosen = parse_day(params.get("day"))
    if chosen not in days:
        chosen = next(iter(days), None)
    query = f"{base_url}?type={kind.pk}"
    day_links = [
        {
            "label": day_label(datetime.datetime.combine(day, datetime.time(12))),
            "count": len(days.get(day, ())),
            "url": f"{query}&week={week}&day={day}#times",
            "chosen": day == chosen,
            "date": day,
        }
        for day in (week + n * _DAY for n in range(7))
        if first <= day <= last
    ]
    return {
        "kind": kind,
        "days": day_links,
        "chosen_day": chosen,
        "chosen_day_label": day_label(datetime.datetime.combine(chosen, datetime.time(12)))
        if chosen
        else "",
        "times": [time_choice(t) for t in days.get(chosen, ())],
        "next_week": f"{query}&week={week + 7 * _DAY}#days" if week_end < last else "",
        "previous_week": f"{query}&week={week - 7 * _DAY}#days" if week > first else "",
        "zone_name": zone_name(kind.location),
        "zone": kind.location.time_zone,
    }


def alternatives_by_day(times):
    grouped = {}
    for local in times:
        grouped.setdefault(day_label(local), []).append(time_choice(local))
    return list(grouped.items())


def manage_url(token, **query):
    url = reverse("appointments:manage", kwargs={"token": token})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@method_decorator(never_cache, name="dispatch")
class BookView(CountedPageMixin, View):
    template_name = "appointments/book.html"
    # The dashboard's funnel: counted when shown (GET, once a browser a day), as the
    # request form is; never when a time is sent (the middleware counts GETs only).
    visit_kind = DailyPageViews.Kind.BOOKING

    def visit_location(self):
        return self.location

    def dispatch(self, request, *args, slug, **kwargs):
        self.location = get_object_or_404(Location.objects.active(), slug=slug)
        self.types = list(
            AppointmentType.objects.bookable()
            .filter(location=self.location)
            .select_related("location")
            .prefetch_related("windows")
            .order_by("sort_order", "name_en")
        )
        if not self.types:
            raise Http404("This clinic has no online booking.")
        return super().dispatch(request, *args, **kwargs)

    def type_from(self, value):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return next((kind for kind in self.types if kind.pk == pk), None)

    def get(self, request, *args, **kwargs):
        kind = self.type_from(request.GET.get("type")) or self.types[0]
        form = BookingForm(initial={"appointment_type": kind.pk, "submission_key": uuid.uuid4()})
        # `start` (the slot feed's deep link): open its day with that time chosen.
        start = parse_start(request.GET.get("start"))
        if start is None:
            return self.render(form, kind, request.GET)
        local = start.astimezone(kind.location.zone)
        return self.render(form, kind, self.params_for(kind, start), chosen_start=local.isoformat())

    def render(self, form, kind, params, status=200, **extra):
        now = timezone.now()
        key = form["submission_key"].value() or uuid.uuid4()
        context = {
            "location": self.location,
            "types": self.types,
            "form": form,
            "form_started": antispam.make_token(SALT, key),
            "started_field": STARTED_FIELD,
            "submission_key": key,
            "request_url": reverse("consultations:create_for_location", args=[self.location.slug]),
            **week_context(kind, params, now, base_url=self.request.path),
            **extra,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        form = BookingForm(request.POST)
        posted_type = self.type_from(request.POST.get("appointment_type"))
        kind = posted_type or self.types[0]
        valid = form.is_valid()
        start = parse_start(request.POST.get("start"))
        params = self.params_for(kind, start)
        if not valid:
            return self.render(form, kind, params, status=400)
        if posted_type is None:
            return self.refuse(form, kind, services.BookingError(slots.NOT_OFFERED), start)
        if not antispam.within_rate(request, "appointments.book", settings.BOOKING_RATE_LIMIT):
            return self.render(form, kind, params, status=429, limited=True)
        key = form.cleaned_data["submission_key"]
        try:
            _booking, token = services.book(
                kind, form.cleaned_data["start"], form.details(), key, language=get_language()
            )
        except services.AlreadyBooked:
            return redirect(manage_url(services.manage_token(key), booked=1))
        except services.BookingError as error:
            return self.refuse(form, kind, error, start)
        return redirect(manage_url(token, booked=1))

    def params_for(self, kind, start):
        if start is None:
            return {}
        day = start.astimezone(kind.location.zone).date()
        return {"week": str(day), "day": str(day)}

    def refuse(self, form, kind, error, start):
        alternatives = error.alternatives
        if not alternatives and start is not None:
            alternatives = slots.nearest(kind, start, timezone.now())
        return self.render(
            form,
            kind,
            self.params_for(kind, start),
            status=409,
            refusal=reason_text(error.reason),
            alternatives=alternatives_by_day(alternatives),
        )


class TokenMixin:
    """The manage link: opened by anyone holding the token; guessing runs into a rate
    limit, and opening it (GET) never changes anything."""

    def dispatch(self, request, *args, token, **kwargs):
        if not antispam.within_rate(
            request, "appointments.manage", settings.BOOKING_MANAGE_RATE_LIMIT
        ):
            return TemplateResponse(request, "appointments/slow_down.html", status=429)
        self.booking = services.find_by_token(token)
        if self.booking is None:
            return TemplateResponse(request, "appointments/not_found.html", status=404)
        self.token = token
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class ManageView(TokenMixin, View):
    template_name = "appointments/manage.html"

    def get(self, request, *args, **kwargs):
        return self.render(request.GET)

    def render(self, params, status=200, **extra):
        booking = self.booking
        kind, location = booking.appointment_type, booking.location
        local = booking.local_start()
        context = {
            "booking": booking,
            "location": location,
            "kind": kind,
            "when_day": day_label(local),
            "when_time": time_label(local),
            "when_iso": local.isoformat(),
            "zone_name": zone_name(location),
            "booked_now": params.get("booked") == "1",
            "may_change": services.patient_may_change(booking),
            "cutoff_hours": settings.BOOKING_CHANGE_CUTOFF_HOURS,
            "calendar_url": reverse("appointments:calendar", kwargs={"token": self.token}),
            "book_again_url": reverse("appointments:book", kwargs={"slug": location.slug}),
            "moving": params.get("move") == "1" and services.patient_may_change(booking),
            **extra,
        }
        if context["moving"]:
            context.update(
                week_context(kind, params, timezone.now(), booking.pk, base_url=self.request.path)
            )
            context["next_week"] = context["next_week"].replace("?", "?move=1&", 1)
            context["previous_week"] = context["previous_week"].replace("?", "?move=1&", 1)
            for day in context["days"]:
                day["url"] = day["url"].replace("?", "?move=1&", 1)
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        try:
            if action == "cancel":
                services.cancel(self.booking)
            elif action == "move":
                start = parse_start(request.POST.get("start"))
                if start is None:
                    return self.render(
                        {"move": "1"}, status=400, refusal=_("Please choose a time.")
                    )
                services.reschedule(self.booking, start)
            else:
                return self.render({}, status=400)
        except services.NotAllowed:
            self.booking.refresh_from_db()
            return self.render({}, status=409, too_late=True)
        except services.BookingError as error:
            day = start.astimezone(self.booking.location.zone).date()
            return self.render(
                {"move": "1", "week": str(day), "day": str(day)},
                status=409,
                refusal=reason_text(error.reason),
                alternatives=alternatives_by_day(error.alternatives),
            )
        return redirect(manage_url(self.token, changed=action))


@method_decorator(never_cache, name="dispatch")
class CalendarView(TokenMixin, View):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(
            calendar.ics(self.booking, request.get_host()),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="appointment.ics"'
        return response
