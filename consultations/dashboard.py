"""The staff dashboard on the admin index: how fast each clinic the person may see is
answering patients. The figures come from consultations.metrics (shared with the digest
and consultation_report); this module adds the links, the page of clinics and the chart."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from staff import figures as sections

from . import charts, metrics
from .models import ConsultationRequest

CLINICS_PER_PAGE = 25
_ZERO = timedelta()


def dashboard_context(request, now=None):
    """Template context for the admin index; empty for staff who cannot view requests."""
    user = request.user
    if not user.has_perm("consultations.view_consultationrequest"):
        return {}
    now = now or timezone.now()
    days = metrics.period_days(request.GET.get("days"))
    period = metrics.Period(days, now)
    locations, requests = metrics.scope(user)
    clinics, totals = metrics.clinic_figures(locations, requests, days, now)
    # Clinics that need attention first: most overdue, then the longest wait.
    clinics.sort(key=lambda f: (-f.overdue, -(f.oldest_waiting_age or _ZERO).total_seconds()))
    page = Paginator(clinics, CLINICS_PER_PAGE).get_page(request.GET.get(sections.REQUESTS_PAGE))
    weeks = metrics.weekly(requests, now=now)
    # The other ways to act beside the form (bookings), for the same clinics: one query each.
    steps = sections.funnel_steps(user, locations, period)
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    rows = [(figures, links(figures, period, changelist)) for figures in page]
    totals_rows = [(totals, links(totals, period, changelist))]
    return {
        "dashboard": {
            "days": days,
            "period_choices": [
                (choice, f"?{urlencode({'days': choice})}") for choice in metrics.PERIOD_CHOICES
            ],
            "period_start": period.start_day,
            "rows": rows,
            "actions": actions(requests, totals, totals_rows[0][1]),
            "page": page,
            "page_param": sections.REQUESTS_PAGE,
            "page_query": sections.page_query(request.GET, days, sections.REQUESTS_PAGE),
            "clinic_count": len(clinics),
            "totals": totals,
            "totals_rows": totals_rows,
            "funnel_steps": [step for step, _made in steps],
            "funnel_rows": [(*row, funnel(row[0], steps)) for row in rows],
            "funnel_totals": [(*row, funnel(row[0], steps)) for row in totals_rows],
            "weeks": weeks,
            "chart": charts.weekly_chart(weeks, metrics.describe_minutes),
            "target_hours": metrics.site_target_hours(),
        }
    }


def links(figures, period, base=None):
    """The filtered request list behind each number (scoped to the person as always)."""
    base = base or reverse("admin:consultations_consultationrequest_changelist")
    where = {"location__id__exact": figures.location.pk} if figures.location else {}
    since = {"created_at__gte": str(period.start)}

    def url(**params):
        return f"{base}?{urlencode({**where, **params})}"

    return {
        "new": url(status__exact=ConsultationRequest.Status.NEW),
        "open": url(open="oldest"),
        "overdue": url(response="overdue"),
        "waiting": url(response="waiting"),
        "requests": url(**since),
        "contacted": url(response="contacted", **since),
        "within": url(response="within", **since),
    }


def actions(requests, totals, link):
    """The two things staff do most, shown first and biggest: open the overdue requests,
    and open those still waiting for a first contact (one count query)."""
    waiting = requests.awaiting_contact().aggregate(n=Count("pk"))["n"]
    return {
        "overdue": totals.overdue,
        "overdue_url": link["overdue"],
        "waiting": waiting,
        "waiting_url": link["waiting"],
    }


def per_hundred(part, whole):
    """How many of `whole` went on to `part`, per 100: never over 100. The steps are not
    nested (the form also opens from clinic pages, a browser counts once a day, requests
    also come in from older links), so when the later step outnumbers the earlier one
    there is no rate to show, only the counts (None)."""
    if not whole or part is None or part > whole:
        return None
    return round(100 * part / whole)


def funnel(figures, steps=()):
    """Form views per 100 treatment page views, and requests per 100 form views; and the
    same for each other step (`steps` from staff.figures.funnel_steps: booking page views
    per 100 treatment page views, bookings per 100 booking page views). The totals' row
    (no location) adds up every clinic's."""
    page_views = figures.treatment_page_views
    others = []
    for step, made_by_clinic in steps:
        views = figures.page_views.get(step.views_kind, 0)
        if figures.location is None:
            made = sum(made_by_clinic.values())
        else:
            made = made_by_clinic.get(figures.location.pk, 0)
        others.append(
            {
                "views": views,
                "views_per_100": per_hundred(views, page_views),
                "made": made,
                "made_per_100": per_hundred(made, views),
            }
        )
    return {
        "forms_per_100_views": per_hundred(figures.form_views, page_views),
        "requests_per_100_forms": per_hundred(figures.requests, figures.form_views),
        "steps": others,
    }
