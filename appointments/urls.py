from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "appointments"

urlpatterns = [
    path(_("appointments/<str:token>/"), views.ManageView.as_view(), name="manage"),
    path(
        _("appointments/<str:token>/appointment.ics"),
        views.CalendarView.as_view(),
        name="calendar",
    ),
    path(_("<slug:slug>/book/"), views.BookView.as_view(), name="book"),
]
