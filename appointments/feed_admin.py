"""Staff calendar feeds in the admin: the list of clinics that have one (scoped like every
clinic list), "Create calendar feed link" that shows the new URL once, and delete to
revoke. Making a new link for a clinic kills its old one."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from staff.admin import VisibleToAdminMixin
from staff.models import visible_locations

from . import staff_feed
from .models import CalendarFeed


class FeedLinkForm(forms.Form):
    location = forms.ModelChoiceField(queryset=None, label="Clinic")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = visible_locations(user)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(VisibleToAdminMixin, admin.ModelAdmin):
    list_display = ["location", "created_at", "created_by"]
    list_select_related = ["location"]
    readonly_fields = ["location", "created_at", "created_by"]
    exclude = ["token_hash"]
    change_list_template = "admin/appointments/calendarfeed_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        new = path(
            "new/",
            self.admin_site.admin_view(self.create_link_view),
            name="appointments_calendarfeed_create",
        )
        return [new, *super().get_urls()]

    def create_link_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = FeedLinkForm(request.POST or None, user=request.user)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        if request.method == "POST" and form.is_valid():
            location = form.cleaned_data["location"]
            token = staff_feed.create_link(location, request.user)
            url = request.build_absolute_uri(staff_feed.feed_path(token))
            context.update(title="Calendar feed link", location=location, feed_url=url)
        else:
            context.update(title="Create calendar feed link", form=form)
        return TemplateResponse(request, "admin/appointments/calendarfeed_create.html", context)
