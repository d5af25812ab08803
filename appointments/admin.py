"""Staff side of booking: types with their weekly windows, blocks, and bookings (scoped by
the one visibility rule, every list, search and view audited like requests). Every change
to a booking goes through appointments.services, which keeps its history."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html

from staff.admin import ScopedLocationFilter, VisibleToAdminMixin
from staff.models import AuditEvent, visible_locations

from . import services
from .models import AppointmentType, BookableWindow, Booking, BookingBlock, BookingChange


class BookableWindowInline(admin.TabularInline):
    model = BookableWindow
    extra = 1


@admin.register(AppointmentType)
class AppointmentTypeAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    list_display = ["name_en", "location", "minutes", "capacity", "notice_hours", "is_active"]
    list_filter = [("location", ScopedLocationFilter), "is_active"]
    list_select_related = ["location"]
    inlines = [BookableWindowInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "location":
            kwargs["queryset"] = visible_locations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BookingBlock)
class BookingBlockAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "location", "reason"]
    list_filter = [("location", ScopedLocationFilter), "date"]
    list_select_related = ["location"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "location":
            kwargs["queryset"] = visible_locations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class BookingChangeInline(admin.TabularInline):
    model = BookingChange
    extra = 0
    can_delete = False
    fields = ["at", "action", "by", "from_status", "to_status", "from_starts_at", "to_starts_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class BookingForm(forms.ModelForm):
    """Status, the practice-system mark and a move, each applied through the services."""

    entered = forms.BooleanField(label="Entered in the practice system", required=False)
    move_to = forms.DateTimeField(
        label="Move to (clinic's local time)",
        required=False,
        help_text="e.g. 2027-03-10 09:30. Every booking rule is checked; the patient's link "
        "shows the new time.",
    )

    class Meta:
        model = Booking
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entered"].initial = bool(self.instance.entered_in_practice_system_at)

    def clean_move_to(self):
        value = self.cleaned_data.get("move_to")
        if value is None:
            return None
        naive = timezone.make_naive(value) if timezone.is_aware(value) else value
        return naive.replace(tzinfo=self.instance.location.zone)


@admin.register(Booking)
class BookingAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    form = BookingForm
    list_display = [
        "starts_at",
        "location",
        "appointment_type",
        "patient",
        "phone_link",
        "interpreter",
        "status",
        "entered",
        "day_sheet_link",
    ]
    list_filter = [("location", ScopedLocationFilter), "status", "interpreter_needed", "starts_at"]
    list_select_related = ["location", "appointment_type"]
    date_hierarchy = "starts_at"
    search_fields = ["last_name", "first_name", "email", "=phone"]
    inlines = [BookingChangeInline]
    readonly_fields = [
        "public_id",
        "location",
        "appointment_type",
        "starts_at",
        "ends_at",
        # The phone with its extension as one link that dials both.
        *(
            "phone_link" if name == "phone" else name
            for name in Booking.PATIENT_DETAILS
            if name != "phone_extension"
        ),
        "interpreter_needed",
        "language",
        "sequence",
        "enter_by",
        "entered_in_practice_system_at",
        "entered_in_practice_system_by",
        "created_at",
    ]
    actions = ["mark_entered", "mark_attended", "mark_no_show", "cancel_by_clinic"]

    @admin.display(description="patient")
    def patient(self, obj):
        return f"{obj.first_name} {obj.last_name}"

    @admin.display(description="phone")
    def phone_link(self, obj):
        if not obj.phone:
            return None
        return format_html('<a href="tel:{}">{}</a>', obj.phone_dial, obj.phone_display)

    @admin.display(boolean=True, description="interpreter", ordering="interpreter_needed")
    def interpreter(self, obj):
        return obj.interpreter_needed

    @admin.display(boolean=True, description="in practice system")
    def entered(self, obj):
        return obj.entered_in_practice_system_at is not None

    @admin.display(description="day sheet")
    def day_sheet_link(self, obj):
        url = reverse("admin:appointments_booking_day_sheet", args=[obj.location_id])
        day = obj.local_start().date()
        return format_html('<a href="{}?date={}">{} day sheet</a>', url, day, f"{day:%b %d}")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            search = changelist.query
            AuditEvent.record(
                AuditEvent.Action.SEARCH if search else AuditEvent.Action.LIST,
                list(changelist.result_list),
                model=Booking,
                user=request.user,
                search=search,
                filters={k: v for k, v in request.GET.items() if k != "q"},
            )
        return response

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            AuditEvent.record(AuditEvent.Action.VIEW, [obj], user=request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        """Nothing is saved directly: each change goes through the services."""
        booking = Booking.objects.get(pk=obj.pk)
        try:
            if form.cleaned_data.get("move_to"):
                services.reschedule(booking, form.cleaned_data["move_to"], user=request.user)
            if "status" in form.changed_data:
                services.set_status(booking, form.cleaned_data["status"], request.user)
            if form.cleaned_data.get("entered"):
                services.mark_entered(booking, request.user)
        except services.BookingError as error:
            times = ", ".join(f"{t:%a %b %d %H:%M}" for t in error.alternatives)
            messages.error(
                request, f"Not moved ({error.reason}). Free times near it: {times or 'none'}."
            )
        except services.NotAllowed as error:
            messages.error(request, str(error))

    def _each(self, request, queryset, change):
        done = 0
        for booking in queryset:
            try:
                change(booking)
                done += 1
            except services.NotAllowed as error:
                messages.warning(request, f"{booking}: {error}")
        self.message_user(request, f"{done} booking(s) changed.", messages.SUCCESS)

    @admin.action(description="Mark as entered in the practice system", permissions=["change"])
    def mark_entered(self, request, queryset):
        self._each(request, queryset, lambda b: services.mark_entered(b, request.user))

    @admin.action(description="Mark as attended", permissions=["change"])
    def mark_attended(self, request, queryset):
        self._each(request, queryset, lambda b: services.set_status(b, "attended", request.user))

    @admin.action(description="Mark as did not come", permissions=["change"])
    def mark_no_show(self, request, queryset):
        self._each(request, queryset, lambda b: services.set_status(b, "no_show", request.user))

    @admin.action(description="Cancel (by the clinic)", permissions=["change"])
    def cancel_by_clinic(self, request, queryset):
        self._each(request, queryset, lambda b: services.cancel(b, user=request.user))

    def get_urls(self):
        sheet = path(
            "day-sheet/<int:location_id>/",
            self.admin_site.admin_view(self.day_sheet),
            name="appointments_booking_day_sheet",
        )
        return [sheet, *super().get_urls()]

    def day_sheet(self, request, location_id):
        """A printable list of one clinic's bookings on one local day, audited as a list."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        location = get_object_or_404(visible_locations(request.user), pk=location_id)
        zone = location.zone
        try:
            day = parse_date(request.GET.get("date") or "")
        except ValueError:
            day = None
        if request.GET.get("date") and day is None:
            return HttpResponseBadRequest("The date must be a real date, like 2027-03-10.")
        day = day or timezone.now().astimezone(zone).date()
        start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
        end = datetime.datetime.combine(
            day + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone
        )
        bookings = list(
            Booking.objects.visible_to(request.user)
            .filter(location=location, starts_at__gte=start, starts_at__lt=end)
            .select_related("appointment_type")
            .order_by("starts_at")
        )
        AuditEvent.record(
            AuditEvent.Action.LIST,
            bookings,
            model=Booking,
            user=request.user,
            detail=f"day sheet {day}",
            filters={"location": location.pk, "date": str(day)},
        )
        rows = [(b.local_start(), b) for b in bookings]
        context = {
            **self.admin_site.each_context(request),
            "location": location,
            "day": day,
            "rows": rows,
            "title": f"Day sheet: {location.name}, {day:%A %B %d, %Y}",
        }
        return TemplateResponse(request, "admin/appointments/day_sheet.html", context)


from . import feed_admin  # noqa: E402, F401  (the staff calendar feed's admin, issue 20)
