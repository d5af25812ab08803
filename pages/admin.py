from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from . import images
from .forms import HttpsURLField, LocationAdminForm
from .models import Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    form = LocationAdminForm
    # The list's editable columns get a form of their own; it too reads addresses as https.
    formfield_overrides = {models.URLField: {"form_class": HttpsURLField}}
    list_display = ["name", "slug", "is_active", "sort_order", "phone", "has_photo", "updated_at"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["photo_preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "sort_order"]}),
        (
            "Contact details shown to patients (leave empty until confirmed)",
            {"fields": ["address", "phone", "hours", "map_url"]},
        ),
        ("Photo", {"fields": ["photo", "photo_alt", "photo_preview"]}),
        ("Staff notifications", {"fields": ["notification_email", "response_target_hours"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        # Styles live in a file: the Content-Security-Policy blocks inline style attributes.
        css = {"all": ["css/admin.css"]}

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
