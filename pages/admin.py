from django.conf import settings
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.translation import get_language_info

from . import images
from .forms import (
    CivilRightsCoordinatorForm,
    HttpsURLField,
    LocationAdminForm,
    OpeningHoursFormSet,
)
from .models import (
    REVIEW_MAX_AGE_DAYS,
    CivilRightsCoordinator,
    ClinicalReview,
    ClosureDate,
    ContentUpdate,
    LanguageTagline,
    Location,
    OpeningHours,
    PatientPage,
)


class LabelledRows:
    """A tabular inline's fields sit under column headings with no <label> of their own,
    so screen readers announced 47 unnamed fields on the location page. Each gets a name
    that says its column and its row: "Monday opening time, row 2", "Delete row 2"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = "new row" if index is None else f"row {index + 1}"
        day = self.row_day(form)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            if name == "DELETE":
                label = f"Delete {row}"
            else:
                # The day select names its row's day already by its value.
                prefix = "" if name == "weekday" else day
                label = f"{prefix}{self.column_label(name, field)}, {row}"
            field.widget.attrs["aria-label"] = label[0].upper() + label[1:]

    @staticmethod
    def row_day(form):
        weekday = getattr(form.instance, "weekday", None)
        if form.instance.pk is None or weekday is None:
            return ""
        return f"{form.instance.get_weekday_display()} "

    column_labels = {"opens": "opening time", "closes": "closing time"}

    def column_label(self, name, field):
        return self.column_labels.get(name, str(field.label or name).lower())


class LabelledRowsInline(admin.TabularInline):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (LabelledRows, formset), {})


class OpeningHoursInline(LabelledRowsInline):
    model = OpeningHours
    formset = OpeningHoursFormSet
    extra = 0
    verbose_name = "opening period"
    verbose_name_plural = (
        "Opening hours (one row per opening period; add a second row for a lunch break; "
        "a day without rows is closed)"
    )


class ClosureDateInline(LabelledRowsInline):
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
        ("Staff notifications", {"fields": ["notification_email", "response_target_hours"]}),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    class Media:
        # Styles live in a file: the Content-Security-Policy blocks inline style attributes.
        css = {"all": ["css/admin.css"]}

    def view_on_site(self, obj):
        # An inactive clinic has no public page: no link, and the admin's "view on site"
        # shortcut answers "not found" (modsite.admin.StaffAdminSite.view_on_site).
        return obj.get_absolute_url() if obj.is_active else None

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


@admin.register(ClinicalReview)
class ClinicalReviewAdmin(admin.ModelAdmin):
    """Clinicians' reviews of patient pages. The latest one for a page and language is
    what that page shows ("Medically reviewed by ...")."""

    list_display = ["page", "language", "reviewer", "reviewed_on", "overdue"]
    list_filter = ["page", "language", "reviewed_on"]
    search_fields = ["reviewer_name", "reviewer_credentials", "note"]
    date_hierarchy = "reviewed_on"
    fields = ["page", "language", "reviewer_name", "reviewer_credentials", "reviewed_on", "note"]

    @admin.display(boolean=True, description=f"Over {REVIEW_MAX_AGE_DAYS} days old")
    def overdue(self, obj):
        return obj.is_overdue

    def changelist_view(self, request, extra_context=None):
        warn_about_reviews(request)
        return super().changelist_view(request, extra_context)


def language_name(code):
    """The language's English name, for staff ("Spanish", not "Español")."""
    return get_language_info(code)["name"]


def warn_about_reviews(request):
    """Admin warnings for pages whose latest review is over a year old, or missing."""
    for page, language, review in ClinicalReview.objects.overdue_pages():
        messages.warning(
            request,
            f"{PatientPage(page).label} in {language_name(language)}: last reviewed on "
            f"{review.reviewed_on.isoformat()}, more than {REVIEW_MAX_AGE_DAYS} days ago. "
            "Please have a clinician review it again.",
        )
    for page in PatientPage:
        for language, _name in settings.LANGUAGES:
            if not ClinicalReview.objects.for_page(page, language).exists():
                messages.info(
                    request,
                    f"{page.label} in {language_name(language)} has no clinical review yet; "
                    "patients see only when its text was last updated.",
                )


@admin.register(ContentUpdate)
class ContentUpdateAdmin(admin.ModelAdmin):
    """When a page's text changed. Shown to patients only while no review is recorded."""

    list_display = ["page", "language", "updated_on", "note"]
    list_filter = ["page", "language"]
    fields = ["page", "language", "updated_on", "note"]


@admin.register(LanguageTagline)
class LanguageTaglineAdmin(admin.ModelAdmin):
    """Taglines for the language-assistance notice, from translations staff trust."""

    list_display = ["language_name", "language_code", "direction", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]
    list_filter = ["is_active", "direction"]
    search_fields = ["language_name", "language_code", "text"]
    fields = ["language_name", "language_code", "text", "direction", "is_active", "sort_order"]


@admin.register(CivilRightsCoordinator)
class CivilRightsCoordinatorAdmin(admin.ModelAdmin):
    """Who handles complaints of unfair treatment; the notice of nondiscrimination names
    them. One for the practice: once entered, it is changed, not added again."""

    form = CivilRightsCoordinatorForm
    list_display = ["who", "phone", "email", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not CivilRightsCoordinator.objects.exists()
