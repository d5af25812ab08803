import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince, timeuntil
from django.views.decorators.http import require_POST

from pages.phones import dial_string, format_phone
from staff.admin import ScopedLocationFilter, VisibleToAdminMixin
from staff.models import (
    AuditEvent,
    NotificationOutbox,
    StaffLocationAccess,
)

from . import metrics, services
from .export import csv_chunks
from .models import ConsultationRequest

# Open requests older than this are flagged in the list.
WAITING_DAYS = 2

SUBMITTED_FIELDS = [
    "location",
    "first_name",
    "last_name",
    "phone_display",
    "email",
    "contact_method",
    "best_time",
    "topic",
    "patient_type",
    "message",
    "language_for_care",
    "interpreter_needed",
    "consent_at",
    "source_page",
    "created_at",
]


RESPONSE_FIELDS = [
    "due_at",
    "first_contacted_at",
    "first_contact_business_minutes",
    "first_contact_minutes",
]


def is_overdue(obj, now=None):
    """Open, never contacted, and past its due time: the rows staff must see first."""
    return (
        obj.first_contacted_at is None
        and obj.status != ConsultationRequest.Status.CLOSED
        and obj.due_at is not None
        and obj.due_at <= (now or timezone.now())
    )


def due_line(obj, now=None):
    """One line for a request's page: "Due by 3:30 PM today (Bellevue time)",
    "Overdue by 1 h 20 min", "Contacted after 45 min" (opening hours), or None when
    closed without a due time to keep."""
    now = now or timezone.now()
    if obj.first_contacted_at is not None:
        minutes = metrics.describe_minutes(obj.first_contact_business_minutes)
        return f"Contacted after {minutes} of opening hours"
    if obj.status == ConsultationRequest.Status.CLOSED:
        return None
    if obj.due_at is None:
        return "No due time worked out yet"
    if is_overdue(obj, now):
        return f"Overdue by {metrics.describe_minutes((now - obj.due_at).total_seconds() / 60)}"
    zone = obj.location.zone
    due, today = obj.due_at.astimezone(zone), now.astimezone(zone).date()
    if due.date() == today:
        day = "today"
    elif (due.date() - today).days == 1:
        day = "tomorrow"
    else:
        day = f"on {due:%a, %b} {due.day}"
    return f"Due by {due:%-I:%M %p} {day} ({obj.location.name} time)"


def assignable_staff(request):
    """Whom requests may be assigned to, and filtered by: staff who share a clinic with the
    viewer (all staff for those who see every clinic), and whoever a request the viewer
    sees is assigned to already (the list shows them anyway), so saving keeps them."""
    locations = StaffLocationAccess.locations_for(request.user)
    assigned = ConsultationRequest.objects.visible_to(request.user).filter(
        assigned_to__isnull=False
    )
    colleagues = StaffLocationAccess.staff_of(locations)
    shown = Q(pk__in=colleagues.values("pk")) | Q(pk__in=assigned.values("assigned_to"))
    return get_user_model().objects.filter(shown).order_by("username")


class ScopedAssigneeFilter(admin.RelatedFieldListFilter):
    """The "assigned to" filter names only staff the viewer works with."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, user.get_username()) for user in assignable_staff(request)]


def asked_for(request, search_param):
    """A list's query string as the audit log keeps it: every filter, order and page,
    without the search text (kept in its own column)."""
    return {
        name: values[0] if len(values) == 1 else values
        for name, values in request.GET.lists()
        if name != search_param
    }


class OpenOldestFirstFilter(admin.SimpleListFilter):
    title = "open requests"
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [
            ("oldest", "Open, oldest first"),
            ("waiting", f"Open for more than {WAITING_DAYS} days"),
        ]

    def queryset(self, request, queryset):
        # The oldest-first order itself comes from ConsultationRequestAdmin.get_ordering.
        if self.value() == "oldest":
            return queryset.open()
        if self.value() == "waiting":
            return queryset.waiting_longer_than(WAITING_DAYS)
        return queryset


class ResponseFilter(admin.SimpleListFilter):
    """First contact against the response target; the dashboard's numbers link here."""

    title = "first contact"
    parameter_name = "response"
    # These list the soonest due first (see ConsultationRequestAdmin.get_ordering).
    by_due_time = {"overdue", "waiting"}

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("waiting", "Waiting for first contact"),
            ("contacted", "Contacted"),
            ("within", "Contacted within target"),
            ("late", "Contacted late"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "overdue":
            return queryset.overdue()
        if value == "waiting":
            return queryset.awaiting_contact()
        if value == "contacted":
            return queryset.filter(first_contacted_at__isnull=False)
        if value == "within":
            return queryset.filter(first_contacted_at__lte=F("due_at"))
        if value == "late":
            return queryset.filter(first_contacted_at__gt=F("due_at"))
        return queryset


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    # Five columns that fit at 1,280 px beside the menu and the filters: who (with how to
    # reach them and their language), clinic, received (with how long ago), status (with
    # whom it is assigned to) and first contact due.
    list_display = ["who", "location", "received", "state", "due"]
    list_display_links = None
    list_filter = [
        OpenOldestFirstFilter,
        ResponseFilter,
        "status",
        ("location", ScopedLocationFilter),
        "topic",
        "patient_type",
        "preferred_language",
        "interpreter_needed",
        "created_at",
        ("assigned_to", ScopedAssigneeFilter),
    ]
    list_select_related = ["location", "assigned_to"]
    search_fields = ["=id", "first_name", "last_name", "email", "phone"]
    readonly_fields = [*SUBMITTED_FIELDS, *RESPONSE_FIELDS, "updated_at", "notifications"]
    fieldsets = [
        ("What the patient sent", {"fields": SUBMITTED_FIELDS}),
        (
            "Staff",
            {
                "fields": [
                    "status",
                    "assigned_to",
                    "staff_notes",
                    *RESPONSE_FIELDS,
                    "updated_at",
                ]
            },
        ),
        ("Staff notifications", {"fields": ["notifications"]}),
    ]

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = ["assign_to_me", "mark_contacted", "mark_scheduled", "mark_closed", "export_csv"]

    # The admin's navigation sidebar takes 275 px; on the list and a request's page the
    # breadcrumbs lead back, and the room goes to the request's own columns and details.
    no_nav_sidebar = {"is_nav_sidebar_enabled": False}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**self.no_nav_sidebar, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**self.no_nav_sidebar, **(extra_context or {})}
        response = super().changelist_view(request, extra_context)
        # Only a list that is shown: a refusal, a redirect or an action's answer has none.
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self.record_listing(request, changelist.result_list, changelist.query, SEARCH_VAR)
        return response

    def record_listing(self, request, shown, search, search_param):
        """Audit a list or a search (also the admin's autocomplete, see modsite.admin):
        who, the filters and search text, and the requests on the page shown. `shown` is
        the page's own QuerySet: reading it here fills its cache, so the page's rows are
        fetched once."""
        action = AuditEvent.Action.SEARCH if search else AuditEvent.Action.LIST
        AuditEvent.record(
            action,
            list(shown),
            model=ConsultationRequest,
            user=request.user,
            search=search,
            filters=asked_for(request, search_param),
        )

    def get_ordering(self, request):
        if request.GET.get(ResponseFilter.parameter_name) in ResponseFilter.by_due_time:
            return ["due_at", "pk"]
        if request.GET.get(OpenOldestFirstFilter.parameter_name):
            return ["created_at", "pk"]
        return super().get_ordering(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = assignable_staff(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Preferred contact", ordering="contact_method")
    def preferred_contact(self, obj):
        if obj.contact_method == ConsultationRequest.ContactMethod.PHONE:
            return format_phone(obj.phone, obj.phone_extension)
        return obj.email

    @admin.display(description="Who", ordering="last_name")
    def who(self, obj):
        """Name (the link to the request), how they asked to be reached, and the language
        for their care: three columns in one, so the list fits a laptop screen."""
        url = reverse("admin:consultations_consultationrequest_change", args=[obj.pk])
        language = f"Language for care: {obj.language_for_care}"
        if obj.interpreter_needed:
            language = f"{language}, interpreter needed"
        return format_html(
            '<a href="{}" class="who-name">{}</a> <span class="quiet">#{}</span>'
            '<span class="who-detail">{}</span><span class="who-detail">{}</span>',
            url,
            obj.full_name,
            obj.pk,
            self.preferred_contact(obj),
            language,
        )

    @admin.display(description="Received", ordering="created_at")
    def received(self, obj):
        """When (local time) and how long ago; open for days: a sign and bold words."""
        when = timezone.localtime(obj.created_at).strftime("%b %-d, %-I:%M %p")
        return format_html('{}<span class="who-detail">{}</span>', when, self.age(obj))

    @admin.display(description="Status", ordering="status")
    def state(self, obj):
        assignee = obj.assigned_to.get_username() if obj.assigned_to else "nobody"
        return format_html(
            '{}<span class="who-detail">Assigned: {}</span>', obj.get_status_display(), assignee
        )

    @admin.display(description="Waiting", ordering="created_at")
    def age(self, obj):
        text = f"{timesince(obj.created_at, depth=1)} ago"
        waiting = (timezone.now() - obj.created_at).days >= WAITING_DAYS
        if waiting and obj.status != ConsultationRequest.Status.CLOSED:
            return format_html("<strong>⚠ {}</strong>", text)
        return text

    @admin.display(description="First contact due", ordering="due_at")
    def due(self, obj):
        """Time left, or how long overdue; marked with a sign and words, not colour alone."""
        if obj.first_contacted_at is not None:
            return f"Contacted after {metrics.describe_minutes(obj.first_contact_business_minutes)}"
        if obj.status == ConsultationRequest.Status.CLOSED or obj.due_at is None:
            return "—"
        now = timezone.now()
        if is_overdue(obj, now):
            late = timesince(obj.due_at, now, depth=2)
            return format_html('<strong class="overdue">⚠ Overdue by {}</strong>', late)
        return f"In {timeuntil(obj.due_at, now, depth=2)}"

    @admin.display(description="Language for care", ordering="preferred_language")
    def language_for_care(self, obj):
        return obj.language_for_care

    @admin.display(description="E-mails to staff")
    def notifications(self, obj):
        """The request's outbox rows: sent, waiting or given up, and why."""
        rows = NotificationOutbox.objects.about([obj]).order_by("pk")
        return (
            format_html_join(
                "",
                "<p>{} (tries: {}; sent: {}; to: {}) {}</p>",
                (
                    (
                        row.get_state_display(),
                        row.attempts,
                        row.sent_at or "not yet",
                        row.recipient or "—",
                        row.last_error,
                    )
                    for row in rows
                ),
            )
            or "None"
        )

    @admin.display(description="Phone number")
    def phone_display(self, obj):
        return format_phone(obj.phone, obj.phone_extension)

    def has_add_permission(self, request):
        # Requests only ever come from patients, through the website form.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("consultations.export_consultationrequest")

    def get_search_results(self, request, queryset, search_term):
        # Staff type phone numbers the way people say them; we store +1XXXXXXXXXX.
        try:
            number = phonenumbers.parse(search_term, "US")
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and phonenumbers.is_possible_number(number):
            search_term = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        return super().get_search_results(request, queryset, search_term)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Every time the page shows a request's details, whatever the method: a POST that
        # fails validation shows them again. A 404 or a refusal never gets here.
        if obj is not None:
            AuditEvent.record(AuditEvent.Action.VIEW, [obj], user=request.user)
            context["request_summary"] = self.summary(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def summary(self, request, obj):
        """What staff need first on a request's page: when it is due, how to reach the
        patient, and the one-click "Mark contacted" (for those who may change it)."""
        can_mark = (
            self.has_change_permission(request, obj)
            and obj.status != ConsultationRequest.Status.CONTACTED
        )
        return {
            "due_line": due_line(obj),
            "overdue": is_overdue(obj),
            "phone": format_phone(obj.phone, obj.phone_extension) if obj.phone else "",
            "tel": dial_string(obj.phone, obj.phone_extension),
            "email": obj.email,
            "prefers": obj.get_contact_method_display(),
            "best_time": obj.get_best_time_display(),
            "language": obj.language_for_care,
            "interpreter": obj.interpreter_needed,
            "mark_contacted_url": reverse(
                "admin:consultations_consultationrequest_mark_contacted", args=[obj.pk]
            )
            if can_mark
            else None,
        }

    def get_urls(self):
        mark = path(
            "<path:object_id>/mark-contacted/",
            self.admin_site.admin_view(self.mark_contacted_view),
            name="consultations_consultationrequest_mark_contacted",
        )
        return [mark, *super().get_urls()]

    @method_decorator(require_POST)
    def mark_contacted_view(self, request, object_id):
        """The change page's one-click "Mark contacted": POST only (a GET changes
        nothing), for staff who may change requests, and only a request they may see:
        another clinic's answers the same 404 as one that does not exist."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        services.mark_contacted(ConsultationRequest.objects.filter(pk=obj.pk), user=request.user)
        self.message_user(request, f"Marked {obj} contacted.", messages.SUCCESS)
        url = reverse("admin:consultations_consultationrequest_change", args=[obj.pk])
        return HttpResponseRedirect(url)

    def save_model(self, request, obj, form, change):
        services.save_request(obj, form.changed_data, user=request.user)

    # Deletions, one or many, go through the one audited delete (with purge_requests).
    def delete_model(self, request, obj):
        services.delete_requests([obj], "Admin", user=request.user)

    def delete_queryset(self, request, queryset):
        services.delete_requests(queryset.select_related("location"), "Admin", user=request.user)

    # Actions go through the services: each change and its audit event commit together.
    def _set_status(self, request, queryset, status):
        count = services.set_status(queryset, status, user=request.user)
        label = ConsultationRequest.Status(status).label.lower()
        self.message_user(request, f"Marked {count} request(s) {label}.", messages.SUCCESS)

    @admin.action(description="Assign selected requests to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        count = services.assign(queryset, request.user, user=request.user)
        self.message_user(request, f"Assigned {count} request(s) to you.", messages.SUCCESS)

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, ConsultationRequest.Status.CONTACTED)

    @admin.action(description="Mark selected requests as scheduled", permissions=["change"])
    def mark_scheduled(self, request, queryset):
        self._set_status(request, queryset, ConsultationRequest.Status.SCHEDULED)

    @admin.action(description="Mark selected requests as closed", permissions=["change"])
    def mark_closed(self, request, queryset):
        self._set_status(request, queryset, ConsultationRequest.Status.CLOSED)

    @admin.action(description="Export selected requests to CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        AuditEvent.record(
            AuditEvent.Action.EXPORT,
            queryset,
            user=request.user,
            search=request.GET.get(SEARCH_VAR, ""),
            filters=asked_for(request, SEARCH_VAR),
        )
        response = StreamingHttpResponse(
            csv_chunks(queryset), content_type="text/csv; charset=utf-8"
        )
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response["Content-Disposition"] = (
            f'attachment; filename="consultation-requests-{stamp}.csv"'
        )
        return response
