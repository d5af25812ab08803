import phonenumbers
from django.contrib import admin, messages
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince, timeuntil

from pages.models import Location

from . import metrics, services
from .export import csv_chunks, format_phone
from .models import (
    AuditEvent,
    ConsultationRequest,
    DeletionLog,
    NotificationOutbox,
    StaffAccessChange,
    StaffAllLocationsAccess,
    StaffLocationAccess,
)

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


class ScopedLocationFilter(admin.RelatedFieldListFilter):
    """The location filter lists only the locations this staff member may see."""

    def field_choices(self, field, request, model_admin):
        locations = Location.objects.all()
        allowed = StaffLocationAccess.locations_for(request.user)
        if allowed is not None:
            locations = locations.filter(pk__in=allowed)
        return [(loc.pk, loc.name) for loc in locations]


def assignable_staff(request):
    """Whom requests may be assigned to, and filtered by: staff who share a clinic with the
    viewer (all staff for those who see every clinic), and whoever a request the viewer
    sees is assigned to already (the list shows them anyway), so saving keeps them."""
    locations = StaffLocationAccess.locations_for(request.user)
    assigned = ConsultationRequest.objects.filter(assigned_to__isnull=False)
    if locations is not None:
        assigned = assigned.filter(location__in=locations)
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


class NotificationInline(admin.TabularInline):
    model = NotificationOutbox
    extra = 0
    can_delete = False
    fields = ["state", "attempts", "next_attempt_at", "sent_at", "recipient", "last_error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ConsultationRequest)
class ConsultationRequestAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "created_at",
        "location",
        "full_name",
        "preferred_contact",
        "language_for_care",
        "interpreter_needed",
        "status",
        "assigned_to",
        "age",
        "due",
    ]
    list_display_links = ["__str__", "full_name"]
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
    readonly_fields = [*SUBMITTED_FIELDS, *RESPONSE_FIELDS, "updated_at"]
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
    ]
    inlines = [NotificationInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    actions = ["assign_to_me", "mark_contacted", "mark_scheduled", "mark_closed", "export_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def changelist_view(self, request, extra_context=None):
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

    @admin.display(description="Waiting", ordering="created_at")
    def age(self, obj):
        text = timesince(obj.created_at, depth=1)
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
        if obj.due_at <= now:
            late = timesince(obj.due_at, now, depth=2)
            return format_html('<strong class="overdue">⚠ Overdue by {}</strong>', late)
        return f"In {timeuntil(obj.due_at, now, depth=2)}"

    @admin.display(description="Language for care", ordering="preferred_language")
    def language_for_care(self, obj):
        return obj.language_for_care

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
        return super().render_change_form(request, context, add, change, form_url, obj)

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


@admin.register(NotificationOutbox)
class NotificationOutboxAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "attempts", "next_attempt_at", "sent_at", "recipient"]
    list_filter = ["state", "kind"]
    list_select_related = ["request", "location"]
    search_fields = ["=request__id", "recipient"]
    readonly_fields = [
        "kind",
        "request",
        "location",
        "digest_date",
        "counts",
        "state",
        "attempts",
        "next_attempt_at",
        "lease_until",
        "recipient",
        "last_error",
        "created_at",
        "sent_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        allowed = StaffLocationAccess.locations_for(request.user)
        queryset = super().get_queryset(request)
        if allowed is None:
            return queryset
        # A request's row by its request's clinic, a digest by its own.
        return queryset.filter(Q(request__location__in=allowed) | Q(location__in=allowed))

    @admin.action(
        description="Try sending the selected notifications again", permissions=["change"]
    )
    def retry_now(self, request, queryset):
        # A row being sent right now (live lease) is left alone, or it could go out twice.
        busy = Q(state=NotificationOutbox.State.SENDING, lease_until__gte=timezone.now())
        count = (
            queryset.exclude(state=NotificationOutbox.State.SENT)
            .exclude(busy)
            .update(
                state=NotificationOutbox.State.PENDING,
                next_attempt_at=timezone.now(),
                lease_until=None,
                attempts=0,
            )
        )
        self.message_user(
            request,
            f"{count} notification(s) will be sent on the next run of send_notifications.",
            messages.SUCCESS,
        )


class ReadOnlyLogAdmin(admin.ModelAdmin):
    """Logs are evidence: nobody adds, edits or removes rows through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "username", "action", "count", "search", "detail"]
    list_filter = ["action", ("locations", ScopedLocationFilter), "at"]
    search_fields = ["username", "detail", "search"]
    exclude = ["locations"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(DeletionLog)
class DeletionLogAdmin(ReadOnlyLogAdmin):
    list_display = ["request_id", "location_name", "status", "deleted_at", "deleted_by", "reason"]
    list_filter = ["location_name", "deleted_at"]
    search_fields = ["=request_id", "deleted_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(StaffAccessChange)
class StaffAccessChangeAdmin(ReadOnlyLogAdmin):
    list_display = ["at", "changed_by", "staff", "before", "after"]
    list_filter = ["at"]
    search_fields = ["changed_by", "staff"]

    def has_view_permission(self, request, obj=None):
        # It names every location: for the people who manage access, who see them all.
        return super().has_view_permission(request, obj) and (
            StaffLocationAccess.sees_every_location(request.user)
        )


class StaffAccessAdmin(admin.ModelAdmin):
    """Access is given or taken away, never edited in place; only by staff who see every
    location themselves, never on their own access, and each change is logged."""

    list_select_related = ["user"]
    search_fields = ["user__username"]

    def _may_manage(self, request, obj=None):
        return StaffLocationAccess.sees_every_location(request.user) and (
            obj is None or obj.user_id != request.user.pk
        )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._may_manage(request)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = get_user_model().objects.filter(is_staff=True)
            kwargs["queryset"] = staff.exclude(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_deleted_objects(self, objs, request):
        # The bulk delete action checks only the model permission: refuse one's own rows.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(obj.user_id == request.user.pk for obj in objs):
            perms_needed.add("your own access")
        return deleted, counts, perms_needed, protected

    def save_model(self, request, obj, form, change):
        services.grant_access(obj, by=request.user)

    def delete_model(self, request, obj):
        services.revoke_access([obj], by=request.user)

    def delete_queryset(self, request, queryset):
        rows = list(queryset.select_related("user"))
        if any(row.user_id == request.user.pk for row in rows):
            raise PermissionDenied
        services.revoke_access(rows, by=request.user)


@admin.register(StaffLocationAccess)
class StaffLocationAccessAdmin(StaffAccessAdmin):
    list_display = ["user", "location"]
    list_filter = [("location", ScopedLocationFilter)]
    list_select_related = ["user", "location"]

    def get_queryset(self, request):
        allowed = StaffLocationAccess.locations_for(request.user)
        queryset = super().get_queryset(request)
        return queryset if allowed is None else queryset.filter(location__in=allowed)


@admin.register(StaffAllLocationsAccess)
class StaffAllLocationsAccessAdmin(StaffAccessAdmin):
    list_display = ["user", "created_at"]

    def get_queryset(self, request):
        # Not any one location's: only people who see every location see these.
        queryset = super().get_queryset(request)
        if StaffLocationAccess.sees_every_location(request.user):
            return queryset
        return queryset.none()
