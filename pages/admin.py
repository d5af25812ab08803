from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from . import images
from .forms import HttpsURLField, LocationAdminForm, OpeningHoursFormSet
from .models import ClosureDate, Location, OpeningHours


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0
    verbose_name = "opening period"
    verbose_name_plural = (
        "Opening hours (one row per opening period; add a second row for a lunch break; "
        "a day without rows is closed)"
    )


class ClosureDateInline(admin.TabularInline):
    model = ClosureDate
    extra = 0
    verbose_name_plural = "Closure dates (holidays)"


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    form = LocationAdminForm
    # The list's editable columns get a form of their own; it too reads addresses as https.
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
    list_display = [
        "name",
        "slug",
        "city",
        "state",
        "is_active",
        "sort_order",
        "phone_display",
        "has_photo",
        "updated_at",
    ]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "state"]
    search_fields = ["name", "slug", "city", "postal_code"]
    inlines = [OpeningHoursInline, ClosureDateInline]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["photo_preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "sort_order"]}),
        (
            "Contact details shown to patients (leave empty until confirmed)",
            {
                "fields": [
                    "street_address",
                    ("city", "state", "postal_code"),
                    "phone",
                    "time_zone",
                    "map_url",
                ]
            },
        ),
        ("Staff notes (never shown to patients)", {"fields": ["staff_notes"]}),
        ("Photo", {"fields": ["photo", "photo_alt", "photo_preview"]}),
        ("Staff notifications", {"fields": ["notification_email"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        # Styles live in a file: the Content-Security-Policy blocks inline style attributes.
        css = {"all": ["css/admin.css"]}

    @admin.display(description="Phone", ordering="phone")
    def phone_display(self, obj):
        return obj.phone_display

    @admin.display(boolean=True, description="Photo")
    def has_photo(self, obj):
        return bool(obj.photo)

    @admin.display(description="Preview")
    def photo_preview(self, obj):
        if not obj.photo:
            return "No photo yet."
        return format_html('<img src="{}" alt="" class="photo-preview">', obj.photo.url)

    def save_model(self, request, obj, form, change):
        if "photo" in form.changed_data:
            obj.photo_renditions = {}
            super().save_model(request, obj, form, change)
            obj.photo_renditions = images.build_renditions(obj)
            obj.save(update_fields=["photo_renditions"])
        else:
            super().save_model(request, obj, form, change)
