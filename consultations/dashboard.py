"""The staff dashboard on the admin index: how fast each clinic the person may see is
answering patients. The figures come from consultations.metrics (shared with the digest
and consultation_report); this module adds the links, the page of clinics and the chart."""

from datetime import timedelta

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

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
    page = Paginator(clinics, CLINICS_PER_PAGE).get_page(request.GET.get("page"))
    weeks = metrics.weekly(requests, now=now)
    changelist = reverse("admin:consultations_consultationrequest_changelist")
    return {
        "dashboard": {
            "days": days,
            "period_choices": [
                (choice, f"?{urlencode({'days': choice})}") for choice in metrics.PERIOD_CHOICES
            ],
            "period_start": period.start_day,
            "rows": [(figures, links(figures, period, changelist)) for figures in page],
            "page": page,
            "page_query": urlencode({"days": days}),
            "clinic_count": len(clinics),
            "totals": totals,
            "totals_rows": [(totals, links(totals, period, changelist))],
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
